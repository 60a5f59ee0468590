import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMigrateCommand } from "../../helpers/command";

/**
 * A source that is not Mastodon's media root. Was: `--from local:TREE/media_attachments` copied every key under
 * a wrong name (`files/000/...`), and an empty folder (or a bucket under a wrong S3_KEY_PREFIX) passed with exit
 * 0, listing every key of the new bucket as "not in the source" with an `rclone delete` line for them
 * (cli/migrate/deleted-media.ts). Now a local folder whose top level holds none of Mastodon's folders
 * (components/prefixes.ts) is refused in the plan and with --run, naming the folder to give; and a pass whose
 * source lists no Mastodon key stops before copying, printing no delete advice (cli/migrate/run.ts). The
 * buckets are a loopback server answering ListObjectsV2 (S3 API reference), rclone a stand-in that fails the
 * test if a copy starts.
 */

const SECRET = "abcdefabcdefabcdefabcdefabcdefabcdefabcd";
const MEDIA = [
  "accounts/avatars/000/000/001/original/a.png",
  "media_attachments/files/000/000/002/original/b.png",
  "media_attachments/files/000/000/003/original/c.png",
];
/** What a bucket holds for each name: the new one Mastodon's keys, the old one under `social/` (S3_KEY_PREFIX missing). */
const BUCKETS: Record<string, string[]> = {
  "new-media": MEDIA,
  "old-media": MEDIA.map((key) => `social/${key}`),
  "empty-media": [],
};

let dir: string;
let server: http.Server;
let endpoint: string;
const path0 = process.env.PATH;
const initCwd = process.env.INIT_CWD;

function envFile(name: string, bucket: string): string {
  const file = path.join(dir, name);
  const host = new URL(endpoint).host;
  writeFileSync(
    file,
    [
      "S3_ENABLED=true",
      `S3_BUCKET=${bucket}`,
      `S3_ENDPOINT=${endpoint}`,
      `S3_HOSTNAME=${host}`,
      "S3_PROTOCOL=http",
      "S3_REGION=us-east-1",
      "S3_PERMISSION=",
      "AWS_ACCESS_KEY_ID=AKIAEXAMPLEEXAMPLE12",
      `AWS_SECRET_ACCESS_KEY=${SECRET}`,
      "LOCAL_DOMAIN=example.com",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  return file;
}

function tree(root: string, keys: string[]): string {
  for (const key of keys) {
    mkdirSync(path.dirname(path.join(root, key)), { recursive: true });
    writeFileSync(path.join(root, key), "x");
  }
  mkdirSync(root, { recursive: true });
  return root;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "migrate-wrong-source-"));
  server = http.createServer((request, response) => {
    request.resume();
    const bucket = new URL(request.url ?? "/", "http://x").pathname.split("/")[1] ?? "";
    const keys = BUCKETS[bucket] ?? [];
    response
      .writeHead(200, { "content-type": "application/xml" })
      .end(
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix></Prefix>` +
          `<KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>` +
          keys.map((key) => `<Contents><Key>${key}</Key><Size>1</Size></Contents>`).join("") +
          "</ListBucketResult>",
      );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A stand-in rclone: answers `rclone version` as Debian 12's, and fails the test if a copy is ever started.
  const bin = path.join(dir, "bin");
  mkdirSync(bin);
  writeFileSync(
    path.join(bin, "rclone"),
    `#!/bin/sh\nif [ "$1" = version ]; then echo "rclone v1.60.1-DEV"; exit 0; fi\necho "copy started" >&2; exit 99\n`,
  );
  chmodSync(path.join(bin, "rclone"), 0o755);
  process.env.PATH = `${bin}:${path0}`;
  process.env.INIT_CWD = dir;
});

afterAll(async () => {
  process.env.PATH = path0;
  if (initCwd === undefined) delete process.env.INIT_CWD;
  else process.env.INIT_CWD = initCwd;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe("migrate refuses a source that is not Mastodon's media root", { timeout: 60_000 }, () => {
  const system = () => path.join(dir, "live", "public", "system");

  it("a local folder one level too deep, one too high, or empty: exit 2 in the plan and with --run, naming the right one", async () => {
    tree(system(), MEDIA);
    const to = envFile("new.env", "new-media");
    const cases: Array<[string, string | undefined]> = [
      [path.join(system(), "media_attachments"), `--from local:${system()}`],
      [path.join(dir, "live", "public"), `--from local:${system()}`],
      [tree(path.join(dir, "empty"), []), undefined],
      [tree(path.join(dir, "other"), ["files/000/000/002/original/b.png"]), undefined],
    ];
    for (const [from, suggestion] of cases) {
      for (const run of [[], ["--run"]]) {
        const { code, stdout, stderr } = await runMigrateCommand([
          "--from",
          `local:${from}`,
          "--to-env",
          to,
          "--start",
          "2026-12-01",
          ...run,
        ]);
        expect(code, stderr).toBe(2);
        expect(stdout).toBe("");
        expect(stderr).toContain(`--from local:${from}: holds none of Mastodon's media folders`);
        if (suggestion) expect(stderr.trim().endsWith(`: ${suggestion}`), stderr).toBe(true);
        expect(stderr.trim().split("\n")).toHaveLength(1);
        expect(stderr).not.toMatch(/\n\s+at /);
        expect(stderr).not.toContain("copy started");
      }
    }
    const right = await runMigrateCommand(["--from", `local:${system()}`, "--to-env", to, "--start", "2026-12-01"]);
    expect(right.code, right.stderr).toBe(0);
  });

  it("a bucket with no Mastodon key (S3_KEY_PREFIX missing, or empty): stops before copying, lists nothing for deletion", async () => {
    const to = envFile("new.env", "new-media");
    for (const bucket of ["old-media", "empty-media"]) {
      const from = envFile(`${bucket}.env`, bucket);
      const { code, stdout, stderr } = await runMigrateCommand(["--from-env", from, "--to-env", to, "--run"]);
      expect(code, stdout + stderr).toBe(2);
      expect(stderr).toContain(`--from-env ${from}: the bucket ${bucket} under S3_KEY_PREFIX= holds no Mastodon media`);
      expect(stderr).toContain(`The ${MEDIA.length} keys of the new bucket not in it are not media Mastodon deleted`);
      expect(stdout + stderr).not.toContain("rclone delete");
      expect(stdout + stderr).not.toContain("Mastodon keys in the destination are not in the source");
      expect(stderr).not.toContain("copy started");
      expect(stderr).not.toContain(SECRET);
      expect(readdirSync(dir).filter((name) => name.startsWith("destination-only-keys-"))).toEqual([]);
    }
  });
});
