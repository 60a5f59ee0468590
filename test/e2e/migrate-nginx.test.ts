import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nginxSystemRedirect } from "../../cli/migrate/redirects";
import { freePort, installNginx, nginxConfig, nginxTest, startNginx, type RunningNginx } from "./nginx";

/**
 * The redirect snippet for the web host, in a real nginx (Debian's, installed by scripts/debian-tool.sh), beside
 * the `location ~ ^/system/` block of Mastodon's dist/nginx.conf and an app catch-all, asked by a real HTTP
 * client that sends the request line byte for byte.
 */

let dir: string;
let nginx: RunningNginx | undefined;
const ports: Record<string, number> = {};

/** One server block per new base: the same snippet, two targets (no prefix, a key prefix). */
function config(bases: Record<string, string>): string {
  const servers = Object.entries(bases).map(([name, base]) =>
    [
      "server {",
      `  listen 127.0.0.1:${ports[name]};`,
      "  server_name social.example.com;",
      nginxSystemRedirect(base).replace(/^/gm, "  "),
      "  # Mastodon's dist/nginx.conf serves local media like this:",
      "  location ~ ^/system/ { add_header X-Served-By local-files; return 200 'local file'; }",
      "  location / { return 200 'mastodon'; }",
      "}",
    ].join("\n"),
  );
  return nginxConfig(dir, servers);
}

/** GET with the exact request target given (no normalisation), no redirect following. */
function get(port: number, target: string): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: "127.0.0.1", port, path: target, method: "GET", headers: { host: "social.example.com" }, agent: false },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, location: response.headers.location, body }),
        );
      },
    );
    request.on("error", reject);
    request.end();
  });
}

beforeAll(async () => {
  const install = installNginx();
  expect(install.status).toBe(0);
  dir = mkdtempSync(path.join(tmpdir(), "migrate-nginx-"));
  ports.plain = await freePort();
  ports.prefixed = await freePort();
  writeFileSync(
    path.join(dir, "nginx.conf"),
    config({ plain: "https://files.example.com/", prefixed: "https://files.example.com/social/" }),
  );
  const test = nginxTest(dir, path.join(dir, "nginx.conf"));
  expect(test.status, test.stderr).toBe(0);
  nginx = await startNginx(dir, path.join(dir, "nginx.conf"), [ports.plain, ports.prefixed]);
});

afterAll(() => {
  nginx?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("nginxSystemRedirect in Debian's nginx", () => {
  const KEY = "media_attachments/files/111/222/333/original/x.jpg";

  it.each([
    [`/system/${KEY}`, `https://files.example.com/${KEY}`],
    [`/system/${KEY}?1700000000`, `https://files.example.com/${KEY}?1700000000`],
    [
      "/system/accounts/avatars/000/000/001/original/my%20avatar.png",
      "https://files.example.com/accounts/avatars/000/000/001/original/my%20avatar.png",
    ],
    [
      "/system/custom_emojis/images/000/000/007/original/caf%C3%A9.png",
      "https://files.example.com/custom_emojis/images/000/000/007/original/caf%C3%A9.png",
    ],
    [
      "/system/cache/preview_cards/images/000/000/009/original/a+b.jpg",
      "https://files.example.com/cache/preview_cards/images/000/000/009/original/a+b.jpg",
    ],
  ])("redirects %s permanently to the same key on the media host", async (target, location) => {
    const response = await get(ports.plain!, target);
    expect(response.status).toBe(301);
    expect(response.location).toBe(location);
  });

  it("puts the key under S3_KEY_PREFIX when the new base has one", async () => {
    const response = await get(ports.prefixed!, `/system/${KEY}`);
    expect(response).toMatchObject({ status: 301, location: `https://files.example.com/social/${KEY}` });
  });

  it.each([
    "/",
    "/about",
    "/systemx/a.jpg",
    "/system",
    "/media/system/a.jpg",
    "/packs/system/a.js",
    "/api/v1/system/x",
  ])("leaves %s to the app", async (target) => {
    const response = await get(ports.plain!, target);
    expect(response.status).toBe(200);
    expect(response.location).toBeUndefined();
    expect(response.body).toBe("mastodon");
  });

  it("answers 404, not a redirect, for /system/ without a key", async () => {
    const response = await get(ports.plain!, "/system/");
    expect(response.status).toBe(404);
    expect(response.location).toBeUndefined();
  });

  it("rejects a base that would break out of the nginx string", () => {
    expect(() => nginxSystemRedirect('https://files.example.com/"; return 200 x; #/')).toThrow(
      /must be an http\(s\) URL/,
    );
  });
});
