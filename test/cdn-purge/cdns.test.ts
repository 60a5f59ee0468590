import { createHash, createHmac } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { purgeCommand } from "../../cli/purge/command";

/**
 * `npm run purge` against local HTTP servers standing in for each CDN's API: each server records the exact
 * requests (method, path, headers, body) and answers as the real API documents it, refusals and 429s included.
 * The waits the rate limits ask for run on a virtual clock (the command's injectable sleep), so the test checks
 * how long the command WOULD wait, without waiting.
 */

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A virtual clock: sleep advances it. */
function clock() {
  let t = 1_800_000_000_000;
  const sleeps: number[] = [];
  return { now: () => t, sleep: async (ms: number) => void (sleeps.push(ms), (t += ms)), sleeps };
}

type Reply = { status: number; headers?: Record<string, string>; body?: string };

function server(answer: (seen: Seen, count: number) => Reply, time: () => number) {
  const seen: Seen[] = [];
  const srv = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const entry = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, at: time() };
      seen.push(entry);
      const reply = answer(entry, seen.length);
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body ?? "");
    });
  });
  return {
    seen,
    start: () =>
      new Promise<string>((resolve) =>
        srv.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`)),
      ),
    stop: () => new Promise<void>((resolve) => srv.close(() => resolve())),
  };
}

async function run(env: NodeJS.ProcessEnv, argv: string[], time = clock()) {
  let stdout = "";
  let stderr = "";
  const code = await purgeCommand(env, { now: time.now, sleep: time.sleep, digitalOceanWindowMs: 20_000 })(argv, {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
  });
  return { code, stdout, stderr };
}

const ATTACHMENT = "110123456789012345";
const PARTITION = "110/123/456/789/012/345";
const URL_ORIGINAL = `https://files.example.com/media_attachments/files/${PARTITION}/original/abc.png`;
const dir = mkdtempSync(path.join(tmpdir(), "purge-"));
function outputsFile(cdnPurge: object): string {
  const file = path.join(dir, `outputs-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      envProduction: "[secret]",
      mediaBaseUrl: "https://files.example.com",
      cdnPurge: { mediaBaseUrl: "https://files.example.com", ...cdnPurge },
    }),
  );
  return file;
}

describe("CloudFront: a signed CreateInvalidation", () => {
  const time = clock();
  let busy = true;
  const api = server(
    () =>
      busy && !(busy = false)
        ? {
            status: 400,
            headers: { "content-type": "text/xml" },
            body: `<ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>Sender</Type><Code>TooManyInvalidationsInProgress</Code><Message>busy</Message></Error><RequestId>r1</RequestId></ErrorResponse>`,
          }
        : {
            status: 201,
            headers: { "content-type": "text/xml" },
            body: `<?xml version="1.0"?><Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>I2J0I21PCUYOIK</Id><Status>InProgress</Status><CreateTime>2026-12-07T06:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>0</Quantity></Paths><CallerReference>r</CallerReference></InvalidationBatch></Invalidation>`,
          },
    time.now,
  );
  const saved = { ...process.env };
  beforeAll(async () => {
    const endpoint = await api.start();
    // The AWS SDK's own variables: credentials from the environment, and its documented endpoint override.
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLEPURGE",
      AWS_SECRET_ACCESS_KEY: "example-aws-secret",
      AWS_ENDPOINT_URL_CLOUDFRONT: endpoint,
    });
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
  });
  afterAll(async () => {
    process.env = saved;
    await api.stop();
  });

  it("invalidates the attachment's folder and the account's avatar and header folders, waiting while CloudFront is busy", async () => {
    const result = await run(
      {},
      [
        "--outputs",
        outputsFile({ cdn: "cloudfront", distributionId: "E2QWRUHEXAMPLE" }),
        "--url",
        URL_ORIGINAL,
        "--account",
        "1",
      ],
      time,
    );
    expect(result.stderr).toContain("wildcard paths already in progress");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("I2J0I21PCUYOIK");
    expect(api.seen).toHaveLength(2);
    expect(time.sleeps).toEqual([30_000]);
    const [first, second] = api.seen as [Seen, Seen];
    expect(second.body).toBe(first.body);
    expect(second.method).toBe("POST");
    expect(second.url).toBe("/2020-05-31/distribution/E2QWRUHEXAMPLE/invalidation");
    const paths = [...second.body.matchAll(/<Path>([^<]+)<\/Path>/g)].map((m) => m[1]);
    expect(paths).toEqual([
      `/media_attachments/files/${PARTITION}/*`,
      "/accounts/avatars/000/000/001/*",
      "/accounts/headers/000/000/001/*",
      "/cache/accounts/avatars/000/000/001/*",
      "/cache/accounts/headers/000/000/001/*",
    ]);
    expect(second.body).toContain("<Quantity>5</Quantity>");
    expect(second.body).toMatch(/<CallerReference>mastodon-media purge \d+ 0<\/CallerReference>/);
    // SigV4 over the request as received: recomputing the signature with the same key must give the same header.
    expect(second.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLEPURGE\/\d{8}\/us-east-1\/cloudfront\/aws4_request, SignedHeaders=[^,]*host[^,]*x-amz-date/,
    );
    expect(await recomputeSignature(second, "AKIDEXAMPLEPURGE", "example-aws-secret")).toBe(
      second.headers.authorization,
    );
    expect(await recomputeSignature(second, "AKIDEXAMPLEPURGE", "another-secret")).not.toBe(
      second.headers.authorization,
    );
  });

  it("splits more than 15 wildcard paths into invalidations of 15 (CloudFront's in-progress limit)", async () => {
    api.seen.length = 0;
    const ids = Array.from({ length: 5 }, (_, i) => `11012345678901234${i}`);
    const result = await run(
      {},
      [
        "--cloudfront",
        "E2QWRUHEXAMPLE",
        "--media-base",
        "https://files.example.com",
        ...ids.flatMap((id) => ["--attachment", id]),
      ],
      time,
    );
    expect(result.code).toBe(0);
    expect(api.seen.map((s) => [...s.body.matchAll(/<Path>/g)].length)).toEqual([15, 5]);
  });
});

function toBytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === "string") return data;
  return data instanceof ArrayBuffer
    ? new Uint8Array(data)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The SigV4 signature of a received request, recomputed with @smithy/signature-v4 over its signed headers. */
async function recomputeSignature(request: Seen, accessKeyId: string, secretAccessKey: string): Promise<string> {
  const signed = /SignedHeaders=([^,]+)/.exec(String(request.headers.authorization))?.[1]?.split(";") ?? [];
  const headers = Object.fromEntries(signed.map((name) => [name, String(request.headers[name])]));
  const amzDate = String(request.headers["x-amz-date"]);
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  class Sha256 {
    private readonly hash;
    constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
      this.hash = secret ? createHmac("sha256", toBytes(secret)) : createHash("sha256");
    }
    update(data: string | ArrayBuffer | ArrayBufferView) {
      this.hash.update(toBytes(data));
    }
    async digest() {
      return new Uint8Array(this.hash.digest());
    }
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey },
    region: "us-east-1",
    service: "cloudfront",
    sha256: Sha256,
  });
  const [pathname] = request.url.split("?");
  const result = await signer.sign(
    {
      method: request.method,
      protocol: "http:",
      hostname: String(request.headers.host).split(":")[0] as string,
      path: pathname as string,
      query: {},
      headers,
      body: request.body,
    },
    { signingDate },
  );
  return result.headers.authorization as string;
}

describe("Cloudflare: purge_cache with a JSON body", () => {
  const time = clock();
  const api = server(
    (seen, count): Reply =>
      seen.headers.authorization !== "Bearer example-cloudflare-token"
        ? {
            status: 403,
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ success: false, errors: [{ code: 10000, message: "Authentication error" }] }),
          }
        : count === 1
          ? {
              status: 429,
              headers: { "retry-after": "7", "content-type": "application/json" },
              body: JSON.stringify({
                success: false,
                errors: [{ code: 971, message: "Please wait and consider throttling your request speed" }],
              }),
            }
          : {
              status: 200,
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ success: true, errors: [], messages: [], result: { id: `purge-${count}` } }),
            },
    time.now,
  );
  let base = "";
  beforeAll(async () => void (base = await api.start()));
  afterAll(() => api.stop());
  afterEach(() => void (api.seen.length = 0));
  const zone = "0123456789abcdef0123456789abcdef";
  const env = () => ({ CLOUDFLARE_API_TOKEN: "example-cloudflare-token", CLOUDFLARE_BASE_URL: `${base}/client/v4` });

  it("purges files by URL and folders by prefix, waiting out a 429 as its Retry-After asks", async () => {
    const result = await run(
      env(),
      [
        "--outputs",
        outputsFile({ cdn: "cloudflare", zoneId: zone }),
        "--url",
        "https://files.example.com/site_uploads/files/000/000/001/original/logo.png",
        "--url",
        URL_ORIGINAL,
      ],
      time,
    );
    expect(result.code).toBe(0);
    expect(time.sleeps).toEqual([7000]);
    expect(api.seen.map((s) => [s.method, s.url, s.headers["content-type"], JSON.parse(s.body)])).toEqual([
      [
        "POST",
        `/client/v4/zones/${zone}/purge_cache`,
        "application/json",
        { files: ["https://files.example.com/site_uploads/files/000/000/001/original/logo.png"] },
      ],
      [
        "POST",
        `/client/v4/zones/${zone}/purge_cache`,
        "application/json",
        { files: ["https://files.example.com/site_uploads/files/000/000/001/original/logo.png"] },
      ],
      [
        "POST",
        `/client/v4/zones/${zone}/purge_cache`,
        "application/json",
        { prefixes: [`files.example.com/media_attachments/files/${PARTITION}`] },
      ],
    ]);
    expect(result.stdout + result.stderr).not.toContain("example-cloudflare-token");
  });

  it("names a refused token (exit 1) and a missing one (exit 2), never printing it", async () => {
    const refused = await run({ ...env(), CLOUDFLARE_API_TOKEN: "wrong-token" }, [
      "--cloudflare-zone",
      zone,
      "--media-base",
      "https://files.example.com",
      "--attachment",
      ATTACHMENT,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Authentication error");
    expect(refused.stderr).toContain("Zone / Cache Purge");
    expect(refused.stderr).not.toContain("wrong-token");
    const missing = await run({ CLOUDFLARE_BASE_URL: `${base}/client/v4` }, [
      "--cloudflare-zone",
      zone,
      "--media-base",
      "https://files.example.com",
      "--attachment",
      ATTACHMENT,
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      "purge: CLOUDFLARE_API_TOKEN is not set: export a token with the permission Zone / Cache Purge on this zone\n",
    );
  });
});

describe("DigitalOcean: the CDN flush in batches within its rate limit", () => {
  const time = clock();
  const endpoint = "19f06b6a-3ace-4315-b086-499a0e521b76";
  const api = server(
    (_, count): Reply =>
      count === 2
        ? {
            status: 429,
            headers: { "retry-after": "11", "content-type": "application/json" },
            body: JSON.stringify({ id: "too_many_requests", message: "API Rate limit exceeded." }),
          }
        : { status: 204 },
    time.now,
  );
  let base = "";
  beforeAll(async () => void (base = await api.start()));
  afterAll(() => api.stop());

  it("sends at most 50 paths per 20 s, resends a batch after a 429's Retry-After, and flushes folders with a wildcard", async () => {
    const ids = Array.from({ length: 30 }, (_, i) => String(110123456789012300n + BigInt(i)));
    const result = await run(
      { DIGITALOCEAN_TOKEN: "example-do-token", DIGITALOCEAN_API_URL: base },
      [
        "--digitalocean-cdn",
        endpoint,
        "--media-base",
        "https://files.example.com",
        ...ids.flatMap((id) => ["--attachment", id]),
      ],
      time,
    );
    expect(result.code).toBe(0);
    // 30 attachments x 4 folders = 120 paths: 50 + 50 + 20, the second batch sent twice (429).
    const batches = api.seen.map((s) => (JSON.parse(s.body) as { files: string[] }).files);
    expect(batches.map((b) => b.length)).toEqual([50, 50, 50, 20]);
    expect(batches[1]).toEqual(batches[2]);
    expect(batches.flat()).toContain(`media_attachments/files/110/123/456/789/012/300/*`);
    expect(
      api.seen.every(
        (s) =>
          s.method === "DELETE" &&
          s.url === `/v2/cdn/endpoints/${endpoint}/cache` &&
          s.headers.authorization === "Bearer example-do-token",
      ),
    ).toBe(true);
    const gaps = api.seen.slice(1).map((s, i) => s.at - (api.seen[i] as Seen).at);
    expect(gaps[0]).toBeGreaterThanOrEqual(20_000);
    expect(gaps[1]).toBe(11_000);
    expect(gaps[2]).toBeGreaterThanOrEqual(20_000);
  });
});

describe("nginx: the bust request, as Mastodon sends it", () => {
  const time = clock();
  // As the project's nginx cache answers (providers/minio/nginx-cache.ts): the right secret bypasses the cache
  // (X-Cache-Status: BYPASS, the deleted file's 404); any other request is an ordinary one, here a cached 404.
  const media = server(
    (seen): Reply =>
      seen.url.startsWith("/not-installed/")
        ? { status: 404, headers: { "x-cache-status": "MISS", "x-cache-buster": "not-installed" } }
        : seen.headers["mastodon-cache-buster"] === "example-bust-secret"
          ? { status: 404, headers: { "x-cache-status": "BYPASS" } }
          : { status: 404, headers: { "x-cache-status": "HIT" } },
    time.now,
  );
  let base = "";
  beforeAll(async () => void (base = await media.start()));
  afterAll(() => media.stop());

  it("sends GET with the secret header from the env file to each URL", async () => {
    const env = path.join(dir, "nginx.env");
    writeFileSync(
      env,
      [
        "S3_ENABLED=true",
        "S3_BUCKET=media",
        `S3_ALIAS_HOST=${base.replace("http://", "")}`,
        "S3_PROTOCOL=http",
        "CACHE_BUSTER_ENABLED=true",
        "CACHE_BUSTER_SECRET_HEADER=Mastodon-Cache-Buster",
        "CACHE_BUSTER_SECRET=example-bust-secret",
        "",
      ].join("\n"),
    );
    const result = await run({}, [
      "--env",
      env,
      "--nginx",
      "--url",
      `${base}/accounts/avatars/000/000/001/original/a.png`,
    ]);
    expect(result.code).toBe(0);
    expect(media.seen.map((s) => [s.method, s.url, s.headers["mastodon-cache-buster"]])).toEqual([
      ["GET", "/accounts/avatars/000/000/001/original/a.png", "example-bust-secret"],
    ]);
    expect(result.stderr).toContain("now answers 404");
    expect(result.stdout + result.stderr).not.toContain("example-bust-secret");
    const byId = await run({}, ["--env", env, "--nginx", "--attachment", ATTACHMENT]);
    expect(byId.code).toBe(2);
    expect(byId.stderr).toContain("cannot purge a folder");
  });

  it("does not call a 404 without X-Cache-Status: BYPASS purged (a wrong secret), and says so per back end", async () => {
    const env = path.join(dir, "nginx-wrong.env");
    writeFileSync(
      env,
      [
        "S3_ENABLED=true",
        "S3_BUCKET=media",
        `S3_ALIAS_HOST=${base.replace("http://", "")}`,
        "S3_PROTOCOL=http",
        "CACHE_BUSTER_ENABLED=true",
        "CACHE_BUSTER_SECRET_HEADER=Mastodon-Cache-Buster",
        "CACHE_BUSTER_SECRET=a-wrong-secret",
        "",
      ].join("\n"),
    );
    const wrong = await run({}, [
      "--env",
      env,
      "--nginx",
      "--url",
      `${base}/accounts/avatars/000/000/001/original/a.png`,
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("could not confirm 1 bust(s)");
    expect(wrong.stderr).toContain("X-Cache-Status: HIT, not BYPASS");
    expect(wrong.stderr).not.toContain("Done");
    const notInstalled = await run({}, [
      "--env",
      path.join(dir, "nginx.env"),
      "--nginx",
      "--url",
      `${base}/not-installed/a.png`,
    ]);
    expect(notInstalled.code).toBe(1);
    expect(notInstalled.stderr).toContain("X-Cache-Buster: not-installed");
    const right = await run({}, [
      "--env",
      path.join(dir, "nginx.env"),
      "--nginx",
      "--url",
      `${base}/accounts/avatars/000/000/001/original/a.png`,
    ]);
    expect(right.stderr).toContain("Done: the nginx cache bypassed its copy");
    expect(right.stderr).not.toContain("CloudFront");
  });
});

describe("input and reachability", () => {
  it("refuses a URL on another host and a bad id with exit 2, before sending anything", async () => {
    const result = await run({}, [
      "--cloudflare-zone",
      "0123456789abcdef0123456789abcdef",
      "--media-base",
      "https://files.example.com",
      "--url",
      "https://elsewhere.example.net/a.png",
      "--attachment",
      "12a",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("is not on the media host https://files.example.com/");
    expect(result.stderr).toContain('--attachment "12a" is not a Mastodon record id');
  });

  it("asks which CDN when nothing names one, and takes no credential from argv", async () => {
    expect((await run({}, ["--media-base", "https://files.example.com", "--url", URL_ORIGINAL])).stderr).toContain(
      "which CDN?",
    );
    expect((await run({}, ["--token", "x"])).code).toBe(2);
  });

  it("shows what it would purge with --dry-run, without credentials and without sending", async () => {
    const result = await run({ DIGITALOCEAN_API_URL: "http://127.0.0.1:9" }, [
      "--digitalocean-cdn",
      "19f06b6a-3ace-4315-b086-499a0e521b76",
      "--media-base",
      "https://files.example.com",
      "--dry-run",
      "--account",
      "1",
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"accounts/avatars/000/000/001/*"');
    expect(result.stdout).toContain('"cache/accounts/headers/000/000/001/*"');
  });

  it("names a CDN API it cannot reach (exit 2)", async () => {
    const closed = server(() => ({ status: 204 }), Date.now);
    const gone = await closed.start();
    await closed.stop();
    const result = await run({ DIGITALOCEAN_TOKEN: "t", DIGITALOCEAN_API_URL: gone }, [
      "--digitalocean-cdn",
      "19f06b6a-3ace-4315-b086-499a0e521b76",
      "--media-base",
      "https://files.example.com",
      "--account",
      "1",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot reach the DigitalOcean API at ${new URL(gone).host} (ECONNREFUSED)`);
  });
});
