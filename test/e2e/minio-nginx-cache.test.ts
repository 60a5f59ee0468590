import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { DeleteObjectsCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CACHE_BUSTER_HEADER } from "../../components/cache-buster";
import { corsRule } from "../../components/cors";
import { publicReadPolicy } from "../../components/policy-documents";
import { PROJECT_ROOT } from "../../offline-plan/run";
import { certificatePaths, nginxServerBlock } from "../../providers/minio/nginx";
import { ERROR_TTL_SECONDS, nginxCacheBusterMap } from "../../providers/minio/nginx-cache";
import { createBucket, serversFromEnv, uniqueBucket, type Servers } from "./server";

/**
 * The nginx snippet the MinIO stack writes (nginxConfig, with its cache), in Debian's nginx, in front of the
 * local Ceph RGW (an S3 server behaving like MinIO for anonymous reads): a media object fetched twice is a cache
 * HIT; after Mastodon's delete (DeleteObjects, app/lib/attachment_batch.rb) the cache still serves it; the bust
 * request as Mastodon sends it (app/lib/cache_buster.rb: GET, the secret header, http.rb's headers) makes the
 * edge answer 404 at once, with or without Origin; without the secret, the bust request changes nothing.
 * Only the listen lines and the certificate paths of the snippet are changed to run on loopback. Between nginx
 * and RGW, a small front adds `Vary: Origin` to every answer, as MinIO does and RGW does not (MinIO answers CORS
 * through github.com/rs/cors, which always sets `Vary: Origin` on actual requests).
 */
const NGINX = "/usr/sbin/nginx";
const DOMAIN = "files.example.com";
const SECRET = "Q7mZ0pX3vB9sK2dL5nR8tY1wE4gH6jC0aF3kM5qS7uV9xZ2b";
const KEY = "media_attachments/files/109/348/795/826/151/409/original/0a1b2c3d4e5f.png";
/** What Mastodon's Request sends (app/lib/request.rb: User-Agent, Accept-Encoding gzip). */
const MASTODON_HEADERS = { "user-agent": "http.rb/5.2.0 (Mastodon/4.5.0; +https://social.example.com/)", "accept-encoding": "gzip" };

let servers: Servers;
let dir: string;
let port: number;
let nginx: ChildProcess | undefined;
let front: http.Server | undefined;
const bucket = uniqueBucket("nginx-cache");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port: free } = server.address() as net.AddressInfo;
      server.close(() => resolve(free));
    });
    server.on("error", reject);
  });
}

function get(key: string, headers: Record<string, string> = {}): Promise<{ status: number; cache?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      { host: "127.0.0.1", port, path: `/${key}`, method: "GET", servername: DOMAIN, rejectUnauthorized: false, agent: false, headers: { host: DOMAIN, ...headers } },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, cache: response.headers["x-cache-status"] as string | undefined, body }));
      },
    );
    request.on("error", reject);
    request.end();
  });
}

async function waitForPort(): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => (socket.end(), resolve(true)));
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nginx did not listen on ${port}: see ${dir}/error.log`);
}

beforeAll(async () => {
  expect(spawnSync("bash", [path.join(PROJECT_ROOT, "scripts/debian-tool.sh"), "nginx"], { stdio: "inherit" }).status).toBe(0);
  servers = serversFromEnv();
  await createBucket(servers.primary, bucket, publicReadPolicy(bucket, { kind: "anonymous" }), [corsRule(["*"])]);
  dir = mkdtempSync(path.join(tmpdir(), "minio-nginx-cache-"));
  chmodSync(dir, 0o755);
  port = await freePort();
  const tls = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", `/CN=${DOMAIN}`, "-keyout", `${dir}/key.pem`, "-out", `${dir}/cert.pem`], { encoding: "utf8" });
  expect(tls.status, tls.stderr).toBe(0);
  const rgw = new URL(servers.primary.endpoint);
  front = http.createServer((request, response) => {
    const upstream = http.request({ host: rgw.hostname, port: rgw.port, path: request.url, method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, { ...answer.headers, vary: "Origin" });
      answer.pipe(response);
    });
    upstream.on("error", () => response.destroy());
    request.pipe(upstream);
  });
  const frontPort = await freePort();
  await new Promise<void>((resolve) => front!.listen(frontPort, "127.0.0.1", resolve));
  const paths = certificatePaths(DOMAIN);
  const snippet = nginxServerBlock({ mediaDomain: DOMAIN, endpoint: `http://127.0.0.1:${frontPort}`, bucket, corsOrigins: ["*"], cachePaths: { cache: `${dir}/cache`, bustMap: `${dir}/bust.conf` } })
    .replace(/^\s*listen \[::\]:\d+.*\n/gm, "")
    .replace(/^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${await freePort()};`)
    .replace(/^(\s*)listen 443 ssl http2;$/m, `$1listen 127.0.0.1:${port} ssl;`)
    .replace(paths.certificate, `${dir}/cert.pem`)
    .replace(paths.key, `${dir}/key.pem`);
  writeFileSync(`${dir}/bust.conf`, nginxCacheBusterMap(SECRET), { mode: 0o600 });
  const config = [
    // Workers write the cache: as root here, so that the test's temporary folder needs no owner change.
    ...(process.getuid?.() === 0 ? ["user root;"] : []),
    "worker_processes 1;",
    "daemon off;",
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    "events { worker_connections 64; }",
    "http {",
    `  access_log ${dir}/access.log;`,
    `  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;`,
    `  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`,
    snippet,
    "}",
    "",
  ].join("\n");
  writeFileSync(`${dir}/nginx.conf`, config);
  const test = spawnSync(NGINX, ["-t", "-p", dir, "-c", `${dir}/nginx.conf`], { encoding: "utf8" });
  expect(test.status, test.stderr).toBe(0);
  nginx = spawn(NGINX, ["-p", dir, "-c", `${dir}/nginx.conf`], { stdio: "ignore" });
  await waitForPort();
});

afterAll(() => {
  nginx?.kill("SIGTERM");
  front?.close();
  servers?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the MinIO stack's nginx cache and Mastodon's cache buster (Debian's nginx, local RGW)", () => {
  const put = (key: string, body: string) =>
    servers.primary.s3.send(
      // As Mastodon uploads (config/initializers/paperclip.rb s3_headers).
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: "image/png", CacheControl: "public, max-age=315576000, immutable" }),
    );
  const remove = (key: string) => servers.primary.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: key }] } }));
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
