import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runMigrateCommand } from "../../helpers/command";

/**
 * EXTRA_MEDIA_HOSTS is a list of CSP sources (Mastodon's app/lib/content_security_policy.rb adds each one to img-src
 * and media-src as written): a media host served over http (S3_PROTOCOL=http, a loopback test server, the only place http is accepted) must stay http:// in the
 * plan, or the browser would still block it.
 */
function env(bucket: string, host: string): string {
  return [
    "S3_ENABLED=true",
    `S3_BUCKET=${bucket}`,
    `S3_ENDPOINT=http://${host}`,
    `S3_HOSTNAME=${host}`,
    "S3_PROTOCOL=http",
    "S3_REGION=us-east-1",
    "S3_PERMISSION=",
    "AWS_ACCESS_KEY_ID=AKIAEXAMPLEEXAMPLE12",
    "AWS_SECRET_ACCESS_KEY=abcdefabcdefabcdefabcdefabcdefabcdefabcd",
    "LOCAL_DOMAIN=example.com",
    "",
  ].join("\n");
}

describe("migrate's plan keeps an http:// media host's scheme in EXTRA_MEDIA_HOSTS", () => {
  it("Step 1 names the new host, Step 3 the old one, each with http://", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "migrate-http-media-"));
    try {
      const from = path.join(dir, "old.env");
      const to = path.join(dir, "new.env");
      writeFileSync(from, env("old-media", "127.0.0.1:9000"), { mode: 0o600 });
      writeFileSync(to, env("new-media", "127.0.0.1:9001"), { mode: 0o600 });
      const { code, stdout, stderr } = await runMigrateCommand([
        "--from-env",
        from,
        "--to-env",
        to,
        "--start",
        "2026-12-01",
      ]);
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout).toContain("    EXTRA_MEDIA_HOSTS=http://127.0.0.1:9001\n");
      expect(stdout).toContain(
        "keep the old host in the CSP for the cached pages that still link it: EXTRA_MEDIA_HOSTS=http://127.0.0.1:9000",
      );
      expect(stdout).not.toContain("https://127.0.0.1:9001");
      expect(stdout).not.toContain("EXTRA_MEDIA_HOSTS=https://127.0.0.1:9000");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
