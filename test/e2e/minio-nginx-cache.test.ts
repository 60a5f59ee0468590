import * as https from "node:https";
import { DeleteObjectsCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CACHE_BUSTER_HEADER } from "../../components/cache-buster";
import { corsRule } from "../../components/cors";
import { publicReadPolicy } from "../../components/policy-documents";
import { ERROR_TTL_SECONDS } from "../../providers/minio/nginx-cache";
import { NGINX_CACHE_DOMAIN, startNginxCache, type NginxCacheEdge } from "./nginx-cache";
import { createBucket, serversFromEnv, uniqueBucket, type Servers } from "./server";

/**
 * The nginx snippet the MinIO stack writes (nginxConfig, with its cache), in Debian's nginx, in front of the
 * local Ceph RGW (an S3 server behaving like MinIO for anonymous reads): a media object fetched twice is a cache
 * HIT; after Mastodon's delete (DeleteObjects, app/lib/attachment_batch.rb) the cache still serves it; the bust
 * request as Mastodon sends it (app/lib/cache_buster.rb: GET, the secret header, http.rb's headers) makes the
 * edge answer 404 at once, with or without Origin; without the secret, the bust request changes nothing.
 * The nginx setup (test/e2e/nginx-cache.ts) changes only the snippet's listen lines and certificate paths.
 */
const DOMAIN = NGINX_CACHE_DOMAIN;
const SECRET = "Q7mZ0pX3vB9sK2dL5nR8tY1wE4gH6jC0aF3kM5qS7uV9xZ2b";
const KEY = "media_attachments/files/109/348/795/826/151/409/original/0a1b2c3d4e5f.png";
/** What Mastodon's Request sends (app/lib/request.rb: User-Agent, Accept-Encoding gzip). */
const MASTODON_HEADERS = {
  "user-agent": "Mastodon/4.5.0 (http.rb/5.2.0; +https://social.example.com/)",
  "accept-encoding": "gzip",
};

let servers: Servers;
let port: number;
let edge: NginxCacheEdge | undefined;
const bucket = uniqueBucket("nginx-cache");

function get(
  key: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; cache?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: "127.0.0.1",
        port,
        path: `/${key}`,
        method: "GET",
        servername: DOMAIN,
        rejectUnauthorized: false,
        agent: false,
        headers: { host: DOMAIN, ...headers },
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            cache: response.headers["x-cache-status"] as string | undefined,
            body,
          }),
        );
      },
    );
    request.on("error", reject);
    request.end();
  });
}

beforeAll(async () => {
  servers = serversFromEnv();
  await createBucket(servers.primary, bucket, publicReadPolicy(bucket, { kind: "anonymous" }), [corsRule(["*"])]);
  edge = await startNginxCache({ server: servers.primary, bucket, secret: SECRET, tls: true });
  port = edge.port;
});

afterAll(() => {
  edge?.stop();
  servers?.close();
});

describe("the MinIO stack's nginx cache and Mastodon's cache buster (Debian's nginx, local RGW)", () => {
  const put = (key: string, body: string) =>
    servers.primary.s3.send(
      // As Mastodon uploads (config/initializers/paperclip.rb s3_headers).
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: "image/png",
        CacheControl: "public, max-age=315576000, immutable",
      }),
    );
  const remove = (key: string) =>
    servers.primary.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: key }] } }));
  const bust = (key: string, secret: string) => get(key, { ...MASTODON_HEADERS, [CACHE_BUSTER_HEADER]: secret });

  it("serves a media object fetched twice from the cache", async () => {
    await put(KEY, "the image");
    // A browser's request first: the storage answers it with `Vary: Origin`, which must not split the cache.
    const browser = { origin: "https://social.example.com" };
    expect(await get(KEY, browser)).toMatchObject({ status: 200, cache: "MISS", body: "the image" });
    expect(await get(KEY, browser)).toMatchObject({ status: 200, cache: "HIT", body: "the image" });
    // Another server's request (no Origin) is the same entry: one copy per key, which one bust replaces.
    expect(await get(KEY)).toMatchObject({ status: 200, cache: "HIT", body: "the image" });
  });

  it("keeps serving a deleted object from the cache, and a bust request without the secret changes nothing", async () => {
    await remove(KEY);
    expect(await get(KEY)).toMatchObject({ status: 200, cache: "HIT", body: "the image" });
    for (const wrong of [SECRET.replace(/.$/, "X"), SECRET.slice(1), ""]) {
      expect(await bust(KEY, wrong)).toMatchObject({ status: 200, cache: "HIT", body: "the image" });
    }
    expect(await get(KEY)).toMatchObject({ status: 200, cache: "HIT", body: "the image" });
  });

  // RGW, like S3, answers an anonymous read of a missing key 403 when the reader may not list the bucket.
  const GONE = [403, 404];

  it("answers 403/404 for the deleted object within seconds of Mastodon's bust request, to every client", async () => {
    const started = Date.now();
    const answer = await bust(KEY, SECRET);
    expect(answer.cache).toBe("BYPASS");
    expect(GONE).toContain(answer.status);
    for (const headers of [{}, { origin: "https://social.example.com" }] as Record<string, string>[]) {
      const after = await get(KEY, headers);
      expect(GONE).toContain(after.status);
      expect(after.body).not.toContain("the image");
    }
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("serves a re-uploaded key again once the short error entry has expired", async () => {
    await put(KEY, "the image, again");
    await new Promise((resolve) => setTimeout(resolve, (ERROR_TTL_SECONDS + 1) * 1000));
    // The first request after expiry may get the stale error while nginx refreshes it (proxy_cache_background_update).
    let answer = await get(KEY);
    for (let attempt = 0; attempt < 10 && answer.status !== 200; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      answer = await get(KEY);
    }
    expect(answer).toMatchObject({ status: 200, body: "the image, again" });
  }, 30_000);
});
