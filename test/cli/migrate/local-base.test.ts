import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runMigrateCommand as migrateCli } from "../../helpers/command";

/**
 * Old local URLs live where Mastodon built them (issue #20): PAPERCLIP_ROOT_URL (default /system) on CDN_HOST, else
 * WEB_DOMAIN, else LOCAL_DOMAIN (paperclip.rb, config/initializers/1_hosts.rb), read through mastodon-env's one
 * model. The env is test/fixtures/doctor/m2-web-domain-cdn-host.env: LOCAL_DOMAIN=example.com is not that host.
 */
describe("migrate's redirect of old local URLs follows Mastodon's host", { timeout: 180_000 }, () => {
  it("plans the redirect on CDN_HOST, not on LOCAL_DOMAIN; with PAPERCLIP_ROOT_URL, under that path", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "migrate-local-base-"));
    try {
      const env = path.join(dir, "new.env");
      const base = readFileSync(path.join(__dirname, "../../fixtures/doctor/m2-web-domain-cdn-host.env"), "utf8")
        .replace("LAB_WRITER_KEY", "DO00EXAMPLEWRITERKEY00")
        .replace("LAB_WRITER_SECRET", "exampleWriterSecretValue000000000000000000000");
      writeFileSync(env, base, { mode: 0o600 });
      const cdn = await migrateCli([
        "--from",
        "local:/home/mastodon/live/public/system",
        "--to-env",
        env,
        "--start",
        "2026-12-01",
      ]);
      expect(cdn.code).toBe(0);
      expect(cdn.stdout).toContain("old URLs https://cdn.example.com/system/KEY");
      expect(cdn.stdout).toContain("The web host cdn.example.com answers /system/KEY with a permanent redirect");
      expect(cdn.stdout).not.toContain("https://example.com/system/");

      writeFileSync(env, base.replace("CDN_HOST=https://cdn.example.com\n", "PAPERCLIP_ROOT_URL=/media\n"), {
        mode: 0o600,
      });
      const web = await migrateCli([
        "--from",
        "local:/home/mastodon/live/public/system",
        "--to-env",
        env,
        "--start",
        "2026-12-01",
      ]);
      expect(web.code).toBe(0);
      expect(web.stdout).toContain("old URLs https://social.example.com/media/KEY");
      expect(web.stdout).toContain("Old URLs are under /media/ (PAPERCLIP_ROOT_URL)");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a Swift instance as a source with what to do instead, never calling it local disk", async () => {
    const swift = path.join(__dirname, "../../fixtures/doctor/m1-swift.env");
    const to = path.join(__dirname, "../../fixtures/doctor/m2-web-domain-cdn-host.env");
    const { code, stderr } = await migrateCli(["--from-env", swift, "--to-env", to, "--start", "2026-12-01"]);
    expect(code).toBe(2);
    expect(stderr).toContain("SWIFT_ENABLED=true: this instance stores media in OpenStack Swift");
    expect(stderr).not.toContain("keeps its media on disk");
  });
});
