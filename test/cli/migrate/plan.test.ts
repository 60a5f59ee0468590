import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runMigrateCommand as migrateCli } from "../../helpers/command";

const FIXTURES = path.join(__dirname, "../../fixtures/migrate");
/** Values the mock engine makes up for the writer's key: never to be printed as if they were real. */
const MOCK_VALUES = [
  "AKIAIOSFODNN7EXAMPLE",
  "wJalrXUtnFEMI",
  "8f4a0c3e2b1d4e6f9a7b5c3d1e0f2a4b",
  "DO00EXAMPLEACCESSKEY",
  "EXAMPLEspacesSecretKey",
  "mock-r2-token",
];

function stepOrder(text: string): string[] {
  return [...text.matchAll(/^Step (\d), (?:from )?([0-9-]+)/gm)].map((match) => `${match[1]} ${match[2]}`);
}

// Each test starts the CLI, which plans the stack under the mock engine: slow on a loaded machine.
describe("npm run migrate without --run", { timeout: 180_000 }, () => {
  it("plans local storage to the aws stack in Mastodon's order, with dates a week apart", async () => {
    const { code, stdout } = await migrateCli([
      "--from",
      "local:/home/mastodon/live/public/system",
      "--to",
      "aws",
      "--start",
      "2026-12-01",
    ]);
    expect(code).toBe(0);
    expect(stepOrder(stdout)).toEqual(["1 2026-12-01", "2 2026-12-01", "3 2026-12-08", "4 2026-12-08", "5 2026-12-08"]);
    expect(stdout).toContain(
      "old URLs https://social.example.com/system/KEY  ->  new URLs https://files.example.com/KEY",
    );
    expect(stdout).toContain("    EXTRA_MEDIA_HOSTS=https://files.example.com\n");
    expect(stdout).toContain(
      "npm run migrate -- --from local:/home/mastodon/live/public/system --to-env new-storage.env --run",
    );
    expect(stdout).toContain(
      "rclone copy /home/mastodon/live/public/system dst:example-social-media/ --files-from-raw '<keys to copy>' --header-upload 'Cache-Control: public, max-age=315576000, immutable' --no-traverse --no-check-dest",
    );
    // What a pass costs on S3, from the providers' prices (cli/migrate/costs.ts).
    expect(stdout).toContain(
      "for 1,000,000 objects, first pass: 2,000 LIST, 1,000,000 PUT, 1,000 GET/HEAD: about $5.01 on Amazon S3 (us-east-1)",
    );
    expect(stdout).toContain(
      "for 1,000,000 objects, a pass with nothing new: 1,000 LIST, 0 PUT, 1,000 GET/HEAD: about $0.0054 on Amazon S3 (us-east-1)",
    );
    expect(stdout).toContain("return 301 https://files.example.com/$1$is_args$args;");
    expect(stdout).toMatch(/Rollback: .*EXTRA_MEDIA_HOSTS/);
    // Deleted media: removed before the switch, from a pass's list; after it, that list holds new uploads too.
    expect(stdout).toMatch(
      /Deleted media: what Mastodon deletes after a pass copied it \(.*\n.*suspensions and takedowns\)/,
    );
    expect(stdout).toMatch(/Run the last pass of this step shortly before the switch and remove what it\n  lists then/);
    expect(stdout).toMatch(/also\n  holds uploads made since the switch: delete nothing by it\./);
    expect(stdout).toContain(
      "ACLs: Mastodon sends none (S3_PERMISSION is empty), and neither does the copy: rclone 1.60 always sends one, so it copies through a front that migrate runs on 127.0.0.1, which removes the ACL headers and signs each request for s3.",
    );
    expect(stdout).toContain(
      "without x-amz-acl and x-amz-grant-* headers (rclone's own bucket-owner-full-control included)",
    );
    for (const mock of MOCK_VALUES) expect(stdout).not.toContain(mock);
  });

  it("plans local storage to the cloudflare stack through the ACL-dropping front to the R2 endpoint", async () => {
    const { code, stdout } = await migrateCli([
      "--from",
      "local:/srv/mastodon/public/system",
      "--to",
      "cloudflare",
      "--start",
      "2026-12-01",
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain("RCLONE_CONFIG_DST_PROVIDER=Cloudflare");
    expect(stdout).toContain("RCLONE_CONFIG_DST_ENDPOINT=http://127.0.0.1:PORT");
    expect(stdout).toContain(
      "on to https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com without x-amz-acl and x-amz-grant-* headers (rclone's own private included)",
    );
    // The rollback reads the new bucket directly: the front exists only during a run.
    expect(stdout).toMatch(
      / RCLONE_CONFIG_DST_ENDPOINT=https:\/\/0123456789abcdef0123456789abcdef\.r2\.cloudflarestorage\.com rclone copy dst:[\w.-]+\/ \/srv\/mastodon\/public\/system --max-age 14d /,
    );
    expect(stdout).toContain("https://files.example.com/$1");
    for (const mock of MOCK_VALUES) expect(stdout).not.toContain(mock);
  });

  it("plans another S3 host to the digitalocean stack: prefix to root, the old host's redirect rules, the old host kept in the CSP", async () => {
    const { code, stdout } = await migrateCli([
      "--from-env",
      path.join(FIXTURES, "old-spaces.env"),
      "--to",
      "digitalocean",
      "--start",
      "2026-12-01",
    ]);
    expect(code).toBe(0);
    expect(stepOrder(stdout)).toEqual(["1 2026-12-01", "2 2026-12-01", "3 2026-12-08", "4 2026-12-08", "5 2026-12-08"]);
    expect(stdout).toContain(
      "old URLs https://media.example.net/social/KEY  ->  new URLs https://files.example.com/KEY",
    );
    expect(stdout).toContain("rclone copy src:old-social-media/social/ dst:example-social-media/");
    expect(stdout).toContain("RCLONE_CONFIG_SRC_ENDPOINT=https://nyc3.digitaloceanspaces.com");
    expect(stdout).toContain("EXTRA_MEDIA_HOSTS=https://files.example.com,https://old-cdn.example.net");
    expect(stdout).toContain(
      "keep the old host in the CSP for the cached pages that still link it: EXTRA_MEDIA_HOSTS=https://media.example.net",
    );
    expect(stdout).toContain(
      'wildcard_replace(http.request.full_uri, "https://media.example.net/social/*", "https://files.example.com/${1}")',
    );
    expect(stdout).toContain(
      'if ($request_uri ~ "^/social/([^?]+)") { return 301 https://files.example.com/$1$is_args$args; }',
    );
    // Neither the old writer's key nor a mock key reaches the output.
    expect(stdout).not.toContain("oldFixtureSecretValue");
    expect(stdout).not.toContain("DO00OLDFIXTUREKEYID0");
    for (const mock of MOCK_VALUES) expect(stdout).not.toContain(mock);
  });

  it("suggests the old base with its key prefix for a Cloudflare stack's redirect, never the bare host (a doubled prefix)", async () => {
    const { code, stdout } = await migrateCli([
      "--from-env",
      path.join(FIXTURES, "old-spaces.env"),
      "--to",
      "cloudflare",
      "--start",
      "2026-12-01",
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('mastodon-media:previousMediaDomains: ["media.example.net/social"]');
    expect(stdout).not.toContain('previousMediaDomains: ["media.example.net"]');
  });

  it("rolls back into an old no-ACL bucket with migrate itself (the front), not with bare rclone's ACL header", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "migrate-plan-"));
    const oldEnv = path.join(dir, "old-r2.env");
    writeFileSync(
      oldEnv,
      readFileSync(path.join(FIXTURES, "old-spaces.env"), "utf8")
        .replace("S3_PERMISSION=public-read", "S3_PERMISSION=")
        .replace(
          "S3_ENDPOINT=https://nyc3.digitaloceanspaces.com",
          "S3_ENDPOINT=https://fedcba9876543210fedcba9876543210.r2.cloudflarestorage.com",
        )
        .replace("S3_REGION=nyc3", "S3_REGION=auto")
        .replace(
          "S3_HOSTNAME=nyc3.digitaloceanspaces.com",
          "S3_HOSTNAME=fedcba9876543210fedcba9876543210.r2.cloudflarestorage.com",
        ),
      { mode: 0o600 },
    );
    try {
      const { code, stdout, stderr } = await migrateCli([
        "--from-env",
        oldEnv,
        "--to",
        "digitalocean",
        "--start",
        "2026-12-01",
      ]);
      expect(code, stderr).toBe(0);
      expect(stdout).toContain(
        `npm run migrate -- --from-env new-storage.env --to-env ${oldEnv} --run   (copies the keys missing from the old bucket or of another size)`,
      );
      expect(stdout).not.toContain("--max-age 14d");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a move whose new storage answers on the old media host: its redirect would point every media URL at itself", async () => {
    // The plan to a stack, and a copy (--run) to an env: the copy's key check would read the old storage.
    for (const to of [
      ["--to", "digitalocean"],
      ["--to-env", path.join(FIXTURES, "same-host-new.env"), "--run"],
    ]) {
      const { code, stdout, stderr } = await migrateCli([
        "--from-env",
        path.join(FIXTURES, "same-host.env"),
        ...to,
        "--start",
        "2026-12-01",
      ]);
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toContain("the old and the new media URLs are the same (https://files.example.com/KEY)");
      expect(stderr).toContain("Give the new storage a host of its own");
      expect(stderr).not.toMatch(/sameHost(New)?FixtureSecret/);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("refuses --run against a stack that is only planned, and says how to get its env", async () => {
    const system = mkdtempSync(path.join(tmpdir(), "migrate-plan-system-"));
    mkdirSync(path.join(system, "media_attachments"));
    const { code, stdout, stderr } = await migrateCli(["--from", `local:${system}`, "--to", "aws", "--run"]);
    rmSync(system, { recursive: true, force: true });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("pulumi stack output envProduction --show-secrets -s aws > new-storage.env");
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("sends an instance without S3 to --from local:PATH", async () => {
    const { code, stderr } = await migrateCli(["--from-env", path.join(FIXTURES, "no-s3.env"), "--to", "aws"]);
    expect(code).toBe(2);
    expect(stderr).toContain("S3_ENABLED is not true");
    expect(stderr).toContain("--from local:PATH");
  });

  it("names every bad argument at once, with the usage, exit 2 and no stack trace", async () => {
    const { code, stderr } = await migrateCli(["--from", "/srv/system", "--to", "a b", "--start", "2026-02-30"]);
    expect(code).toBe(2);
    expect(stderr).toContain("migrate: --from must be local:PATH");
    expect(stderr).toContain('migrate: --to must be a stack name such as aws (got "a b")');
    expect(stderr).toContain('migrate: --start must be a date such as 2026-12-01 (got "2026-02-30")');
    expect(stderr).toContain("usage: npm run migrate");
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
