import { existsSync, readFileSync } from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import type { AddressInfo } from "node:net";
import {
  CreateBucketCommand,
  PutBucketAclCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
  type ObjectCannedACL,
} from "@aws-sdk/client-s3";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corsRule, type CorsRule } from "../../components/cors";
import { documentsFromPlans, forBucket, type Documents } from "./documents";
import { startFront, type Front } from "./front/front";
import { putBucketPolicy, serversFromEnv, uniqueBucket, type Servers } from "./server";

/**
 * A real browser (Debian's Chromium, headless, driven by playwright-core; it never downloads a browser) on a page
 * served from the instance's origin uses media from the media host the ways Mastodon's web UI does: an <img>, a
 * <video crossorigin>, a fetch() read, and a canvas read of an image (getImageData, which throws on a tainted
 * canvas). The media host is test/e2e/front in front of the local Ceph RGW, serving the bucket at its root as a
 * CDN or custom domain does; the bucket carries the planned CORS rules (components/cors.ts, through the planned
 * documents) for the instance's origin, in both ACL modes. Two mutants, a bucket without CORS rules and one whose
 * rule names another origin, show that a missing or wrong CORS header fails the same checks.
 */

/** Debian's Chromium (scripts/debian-tool.sh chromium), else Google Chrome where a CI image ships it instead. */
const CHROMIUM =
  process.env.E2E_CHROMIUM ??
  ["/usr/bin/chromium", "/usr/bin/google-chrome"].find((file) => existsSync(file)) ??
  "/usr/bin/chromium";
/** The one PNG every check reads: 2x1 pixels, red then blue, so that getImageData's answer can be compared. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAAD0lEQVR4nGP4z8DAwPAfAAcAAf9+CLHQAAAAAElFTkSuQmCC",
  "base64",
);
const IMAGE_KEY = "media_attachments/files/110/000/001/original/pixels.png";
const VIDEO_KEY = "media_attachments/files/110/000/001/original/clip.webm";

let servers: Servers;
let documents: Documents;
let browser: Browser;
let page: { server: http.Server; origin: string };
let video: Buffer;
const fronts: Front[] = [];

/** What the page saw, one entry per way the web UI uses media. */
interface Seen {
  img: string;
  video: string;
  fetch: string;
  canvas: string;
}

async function startPage(): Promise<{ server: http.Server; origin: string }> {
  const script = readFileSync(path.join(__dirname, "browser-page.js"));
  const server = http.createServer((req, res) => {
    if (req.url === "/browser-page.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" });
      res.end(script);
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end('<!doctype html><title>instance</title><script src="/browser-page.js"></script><body></body>');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A short WebM made by the browser itself (MediaRecorder over a canvas), so that <video> has something real to load. */
async function recordVideo(): Promise<Buffer> {
  const context = await browser.newContext();
  const tab = await context.newPage();
  await tab.goto(page.origin);
  const base64 = await tab.evaluate("recordVideo()");
  await context.close();
  return Buffer.from(String(base64), "base64");
}

/**
 * A bucket with `cors` rules (none: no CORS configuration) holding the image and the video, public as the ACL mode
 * makes media public, and the media host before it. Returns the media host's base URL.
 */
async function mediaHost(name: string, aclMode: "no-acl" | "object-acl", cors: readonly CorsRule[]): Promise<string> {
  const bucket = uniqueBucket(name);
  const s3 = servers.primary.s3;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  let acl: ObjectCannedACL | undefined;
  if (aclMode === "no-acl") {
    // The planned anonymous-read bucket policy of the public prefixes.
    await putBucketPolicy(servers.primary, bucket, forBucket(documents.bucketPolicy, bucket));
  } else {
    // The DigitalOcean stack: a private bucket, media uploaded with Mastodon's public-read.
    await s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "private" }));
    acl = "public-read";
  }
  if (cors.length > 0) {
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: bucket,
        CORSConfiguration: {
          CORSRules: cors.map((rule) => ({
            AllowedMethods: rule.allowedMethods,
            AllowedOrigins: rule.allowedOrigins,
            AllowedHeaders: rule.allowedHeaders,
            ExposeHeaders: rule.exposeHeaders,
            MaxAgeSeconds: rule.maxAgeSeconds,
          })),
        },
      }),
    );
  }
  const cacheControl = "public, max-age=315576000, immutable";
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: IMAGE_KEY,
      Body: PNG,
      ContentType: "image/png",
      CacheControl: cacheControl,
      ACL: acl,
    }),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: VIDEO_KEY,
      Body: video,
      ContentType: "video/webm",
      CacheControl: cacheControl,
      ACL: acl,
    }),
  );
  const front = await startFront(servers.primary.endpoint, { media: { kind: "bucket-at-root", bucket } });
  fronts.push(front);
  return front.url;
}

/** The planned CORS rules with the instance's origin as the allowed origin (the stacks' corsOrigins). */
function plannedCors(origin: string): CorsRule[] {
  return documents.corsRules.value.map((rule) => ({ ...rule, allowedOrigins: [origin] }));
}

type Use = keyof Seen;

/** Loads the instance page in a fresh browser context (an empty cache) and makes the `uses` of the media, in order. */
async function useMediaIn(base: string, uses: readonly Use[]): Promise<Partial<Seen>> {
  const context = await browser.newContext();
  try {
    const tab = await context.newPage();
    await tab.goto(page.origin);
    // The page's own script (./browser-page.js) does the work, on the instance's origin.
    const args = [`${base}/${IMAGE_KEY}`, `${base}/${VIDEO_KEY}`, uses].map((arg) => JSON.stringify(arg)).join(", ");
    return (await tab.evaluate(`useMedia(${args})`)) as Partial<Seen>;
  } finally {
    await context.close();
  }
}

/** Each use alone, each in its own fresh context: what CORS alone decides. */
async function useMedia(base: string): Promise<Seen> {
  const seen: Partial<Seen> = {};
  for (const use of ["img", "video", "fetch", "canvas"] as const) Object.assign(seen, await useMediaIn(base, [use]));
  return seen as Seen;
}

beforeAll(async () => {
  servers = serversFromEnv();
  documents = await documentsFromPlans();
  page = await startPage();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  console.log(`browser: Chromium ${browser.version()} (${CHROMIUM}); CORS rules: ${documents.corsRules.source}`);
  video = await recordVideo();
  expect(video.subarray(0, 4).toString("hex")).toBe("1a45dfa3");
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(fronts.map((front) => front.close()));
  await new Promise<void>((resolve) => (page ? page.server.close(() => resolve()) : resolve()));
  servers?.close();
});

/** Red then blue, opaque: the PNG's two pixels as getImageData returns them. */
const PIXELS = "255,0,0,255,0,0,255,255";
const ALL_WORK = { img: "loaded", video: "loaded", fetch: `read ${PNG.length} bytes`, canvas: PIXELS };

describe("Chromium on the instance's origin uses media from the media host", () => {
  it.each(["no-acl", "object-acl"] as const)(
    "%s storage with the planned CORS rules: img, video crossorigin, fetch and canvas all work",
    async (aclMode) => {
      const base = await mediaHost(`browser-${aclMode}`, aclMode, plannedCors(page.origin));
      expect(await useMedia(base)).toEqual(ALL_WORK);
    },
  );

  it("mutant: the media host without CORS rules fails every cross-origin read; the plain <img> still shows", async () => {
    const base = await mediaHost("browser-nocors", "no-acl", []);
    const seen = await useMedia(base);
    expect(seen).not.toEqual(ALL_WORK);
    expect(seen).toMatchObject({ img: "loaded", fetch: "threw TypeError", canvas: "error" });
    expect(seen.video).toMatch(/^error/);
  });

  it("known limit of a media host without `Vary: Origin` (Ceph RGW answering directly): after a plain <img> of a URL, a CORS read of the same URL fails from the browser's cache", async () => {
    // RGW answers a request without Origin with no CORS headers and no `Vary: Origin` (seen here with curl), and
    // Mastodon's one-year immutable Cache-Control lets the browser keep that copy: the later CORS read reuses it.
    const base = await mediaHost("browser-cache", "no-acl", plannedCors(page.origin));
    const plain = await fetch(`${base}/${IMAGE_KEY}`);
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();
    expect(plain.headers.get("vary")).toBeNull();
    expect(await useMediaIn(base, ["img", "fetch", "canvas"])).toEqual({
      img: "loaded",
      fetch: "threw TypeError",
      canvas: "error",
    });
  });

  it("mutant: CORS rules for another origin fail the same way", async () => {
    const base = await mediaHost("browser-other", "no-acl", [corsRule(["https://other.example"])]);
    expect(await useMedia(base)).toMatchObject({ img: "loaded", fetch: "threw TypeError", canvas: "error" });
  });
});
