import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { certificatePaths, nginxServerBlock } from "../../providers/minio/nginx";
import { nginxCacheBusterMap } from "../../providers/minio/nginx-cache";
import { selfSignedCertificate } from "../helpers/tls";
import { freePort, installNginx, nginxConfig, nginxTest, startNginx } from "./nginx";
import type { LocalServer } from "./server";

/** The media domain the snippet is written for (requests on loopback reach its server as the port's only one). */
export const NGINX_CACHE_DOMAIN = "files.example.com";

export interface NginxCacheEdge {
  /** The loopback port of the media host's server (TLS with a self-signed certificate when `tls`). */
  port: number;
  dir: string;
  stop(): void;
}

/**
 * The nginx snippet the MinIO stack writes (nginxConfig, with its cache, providers/minio/nginx-cache.ts) in
 * Debian's nginx (installed by scripts/debian-tool.sh), in front of `server`'s `bucket`, with `secret` in its
 * buster map (undefined: no map file yet). Only the listen lines and the certificate paths of the snippet are changed to run on loopback
 * (`tls: false`: a plain http listener, for clients that check certificates, such as verify). Between nginx and
 * the S3 server, a small front adds `Vary: Origin` to every answer, as MinIO does and RGW does not (MinIO answers
 * CORS through github.com/rs/cors, which always sets `Vary: Origin` on actual requests).
 */
export async function startNginxCache(options: {
  server: LocalServer;
  bucket: string;
  secret: string | undefined;
  tls: boolean;
}): Promise<NginxCacheEdge> {
  const installed = installNginx();
  if (installed.status !== 0) throw new Error("scripts/debian-tool.sh nginx failed");
  const dir = mkdtempSync(path.join(tmpdir(), "nginx-cache-"));
  chmodSync(dir, 0o755);
  const port = await freePort();
  selfSignedCertificate(dir, { commonName: NGINX_CACHE_DOMAIN });
  const upstreamBase = new URL(options.server.endpoint);
  const front = http.createServer((request, response) => {
    const upstream = http.request(
      {
        host: upstreamBase.hostname,
        port: upstreamBase.port,
        path: request.url,
        method: request.method,
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, { ...answer.headers, vary: "Origin" });
        answer.pipe(response);
      },
    );
    upstream.on("error", () => response.destroy());
    request.pipe(upstream);
  });
  const frontPort = await freePort();
  await new Promise<void>((resolve) => front.listen(frontPort, "127.0.0.1", resolve));
  const paths = certificatePaths(NGINX_CACHE_DOMAIN);
  const snippet = nginxServerBlock({
    mediaDomain: NGINX_CACHE_DOMAIN,
    endpoint: `http://127.0.0.1:${frontPort}`,
    bucket: options.bucket,
    corsOrigins: ["*"],
    cachePaths: { cache: `${dir}/cache`, bustMap: `${dir}/bust.conf` },
  })
    .replace(/^\s*listen \[::\]:\d+.*\n/gm, "")
    .replace(/^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${await freePort()};`)
    .replace(
      /^(\s*)listen 443 ssl http2;$/m,
      options.tls ? `$1listen 127.0.0.1:${port} ssl;` : `$1listen 127.0.0.1:${port};`,
    )
    .replace(paths.certificate, `${dir}/cert.pem`)
    .replace(paths.key, `${dir}/key.pem`);
  // No secret: the secret's file is not written yet (docs/minio.md: it is written after `pulumi up`).
  if (options.secret !== undefined)
    writeFileSync(`${dir}/bust.conf`, nginxCacheBusterMap(options.secret), { mode: 0o600 });
  writeFileSync(`${dir}/nginx.conf`, nginxConfig(dir, [snippet]));
  const test = nginxTest(dir, `${dir}/nginx.conf`);
  if (test.status !== 0) throw new Error(`nginx -t: ${test.stderr}`);
  const nginx = await startNginx(dir, `${dir}/nginx.conf`, [port]);
  return {
    port,
    dir,
    stop: () => {
      nginx.stop();
      front.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
