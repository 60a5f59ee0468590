import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selfSignedCertificate } from "../helpers/tls";
import { nginxServerBlock } from "../../providers/minio/nginx";
import { nginxCacheBusterMap } from "../../providers/minio/nginx-cache";
import { startDnsStub } from "./dns-stub";
import { freePort, installNginx, nginxConfig, nginxTest, startNginx, type RunningNginx } from "./nginx";

/**
 * The media host's nginx configuration (providers/minio/nginx.ts) in Debian's nginx, with a MinIO host name that
 * does not resolve when nginx starts (issue #21): nginx must start anyway and answer 502 for that host, while a
 * second media host whose MinIO name resolves (through the configured resolver, a DNS stub on loopback) is
 * served from its upstream, with the bucket in front of the path, no query string and no credentials.
 */
const KEY = "media_attachments/files/000/000/001/original/a%20b.png";
let dir: string;
let nginx: RunningNginx | undefined;
let dns: Awaited<ReturnType<typeof startDnsStub>> | undefined;
let upstream: http.Server | undefined;
const seen: { url?: string; authorization?: string }[] = [];
const ports = { down: 0, up: 0, plain: 0, minio: 0 };

/** The generated server blocks, on loopback ports and a throwaway certificate instead of 80, 443 and certbot's. */
function site(mediaDomain: string, endpoint: string, resolver: string, tlsPort: number, plainPort: number): string {
  // The snippet's media cache and cache buster secret file (providers/minio/nginx-cache.ts), in the test's folder.
  const cachePaths = { cache: `${dir}/cache-${mediaDomain}`, bustMap: `${dir}/bust-${mediaDomain}.conf` };
  writeFileSync(cachePaths.bustMap, nginxCacheBusterMap("resolverTestCacheBusterSecret0"), { mode: 0o600 });
  return nginxServerBlock({
    mediaDomain,
    endpoint,
    bucket: "example-social-media",
    corsOrigins: ["*"],
    resolver,
    cachePaths,
  })
    .replace("  listen 80;\n  listen [::]:80;", `  listen 127.0.0.1:${plainPort};`)
    .replace("  listen 443 ssl http2;\n  listen [::]:443 ssl http2;", `  listen 127.0.0.1:${tlsPort} ssl;`)
    .replace(/ssl_certificate \S+;/, `ssl_certificate ${dir}/cert.pem;`)
    .replace(/ssl_certificate_key \S+;/, `ssl_certificate_key ${dir}/key.pem;`);
}

function get(port: number, host: string, target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: "127.0.0.1",
        port,
        servername: host,
        path: target,
        headers: { host, authorization: "AWS4-HMAC-SHA256 leaked" },
        rejectUnauthorized: false,
        agent: false,
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on("error", reject);
    request.end();
  });
}

beforeAll(async () => {
  const install = installNginx();
  expect(install.status).toBe(0);
  dir = mkdtempSync(path.join(tmpdir(), "minio-nginx-resolver-"));
  selfSignedCertificate(dir, { commonName: "files.example.com" });
  for (const name of Object.keys(ports) as (keyof typeof ports)[]) ports[name] = await freePort();
  // The MinIO of the resolvable host: records what reaches it.
  upstream = http.createServer((request, response) => {
    seen.push({ url: request.url, authorization: request.headers.authorization });
    response.writeHead(200, { "content-type": "image/png" }).end("png bytes");
  });
  await new Promise<void>((resolve) => upstream!.listen(ports.minio, "127.0.0.1", resolve));
  dns = await startDnsStub({ "minio.test": "127.0.0.1" });
  const resolver = `127.0.0.1:${dns.port}`;
  const plainUp = await freePort();
  writeFileSync(
    path.join(dir, "nginx.conf"),
    nginxConfig(dir, [
      site("files-down.example.com", "http://minio.invalid:9000", resolver, ports.down, ports.plain),
      site("files-up.example.com", `http://minio.test:${ports.minio}`, resolver, ports.up, plainUp),
    ]),
  );
}, 120_000);

afterAll(async () => {
  nginx?.stop();
  await dns?.close();
  upstream?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the MinIO media host's nginx configuration in Debian's nginx", () => {
  it("would not even load with a literal proxy_pass to a name that does not resolve (what it replaces)", () => {
    const literal = nginxConfig(dir, [
      site("files-down.example.com", "http://minio.invalid:9000", "127.0.0.1", ports.down, ports.plain).replace(
        /    resolver [^\n]*\n    set [^\n]*\n    rewrite [^\n]*\n    proxy_pass [^\n]*\n/,
        "    proxy_pass http://minio.invalid:9000/example-social-media/;\n",
      ),
    ]);
    writeFileSync(path.join(dir, "literal.conf"), literal);
    const test = nginxTest(dir, path.join(dir, "literal.conf"));
    expect(test.status).not.toBe(0);
    expect(test.stderr).toContain('host not found in upstream "minio.invalid"');
  });

  it("passes nginx -t and starts although minio.invalid does not resolve", async () => {
    const test = nginxTest(dir, path.join(dir, "nginx.conf"));
    expect(test.status, test.stderr).toBe(0);
    nginx = await startNginx(dir, path.join(dir, "nginx.conf"), [ports.down, ports.up]);
  });

  it("answers 502 for the media host whose MinIO does not resolve", async () => {
    expect((await get(ports.down, "files-down.example.com", `/${KEY}`)).status).toBe(502);
  });

  it("serves the other media host through the resolver: bucket in front of the key, no query string, no credentials", async () => {
    const response = await get(ports.up, "files-up.example.com", `/${KEY}?acl`);
    expect(response).toEqual({ status: 200, body: "png bytes" });
    expect(seen).toEqual([{ url: `/example-social-media/${KEY}`, authorization: undefined }]);
  });

  it("still answers the private prefixes and the root itself", async () => {
    expect((await get(ports.up, "files-up.example.com", "/backups/x.zip")).status).toBe(404);
    expect((await get(ports.up, "files-up.example.com", "/")).status).toBe(404);
    expect(seen).toHaveLength(1);
  });
});
