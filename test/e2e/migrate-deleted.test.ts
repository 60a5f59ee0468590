import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCopies } from "../../cli/migrate/check";
import { migrateCommand } from "../../cli/migrate/command";
import type { VerifyTarget } from "../../mastodon-env/target";
import { migrateCli } from "../helpers/migrate-cli";
import { targetOfText } from "../helpers/target";
import { prefixedMediaBucket } from "./media-bucket";
import { localEnv, serversFromEnv, type Servers, type Writer } from "./server";

/**
 * Media Mastodon deletes while the move runs, against a real Ceph RGW with the rclone on PATH (e2e.sh runs this
 * file with Debian 12's 1.60 and the current line):
 *   - keys deleted in the source after an earlier pass copied them (deleted posts, media cleanup, takedowns) are
 *     listed by the next pass in a file where the admin ran it (INIT_CWD), explained, and the rclone delete line it
 *     prints, run as printed with the writer's key in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, removes exactly
 *     those keys: not the tree's, not a key under the prefix that is not Mastodon's, not another instance's;
 *   - a key deleted in the source between the listing and the copy (rclone skips it, exit 0) or the check is not
 *     reported missing, and the pass passes.
 */

const PREFIX = "social";
const KEYS = [
  "accounts/avatars/000/000/001/original/a1b2c3d4.png",
  "cache/media_attachments/files/110/000/001/small/e5f6a7b8.jpg",
  "media_attachments/files/110/000/002/original/0a1b2c3d.jpg",
  "media_attachments/files/110/000/003/original/4e5f6a7b.jpg",
  "media_attachments/files/110/000/004/original/8c9d0e1f.png",
  "site_uploads/files/000/000/001/favicon/9f8e7d6c.png",
];
/** Deleted by Mastodon after the first pass: a takedown and a vacuumed remote copy. */
const TAKEN_DOWN = [KEYS[1]!, KEYS[3]!];
/** Under the prefix, not Mastodon's: counted, never listed for deletion. */
const NOT_MASTODON = `${PREFIX}/notes/readme.txt`;
const OTHER_INSTANCE = "other-instance/media_attachments/files/1/original/keep.jpg";
const execFileAsync = promisify(execFile);

let servers: Servers;
let writer: Writer;
let bucket: string;
let dir: string;
let tree: string;
let envFile: string;
let target: VerifyTarget;

async function bucketKeys(): Promise<string[]> {
  const page = await servers.primary.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (page.Contents ?? []).map((object) => object.Key!).sort();
}

beforeAll(async () => {
  servers = serversFromEnv();
  ({ bucket, writer } = await prefixedMediaBucket(servers.primary, "migdel", PREFIX));
  for (const [key, body] of [
    [OTHER_INSTANCE, "other instance"],
    [NOT_MASTODON, "an admin's notes"],
  ] as const)
    await servers.primary.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  dir = mkdtempSync(path.join(tmpdir(), "migrate-deleted-"));
  tree = path.join(dir, "public", "system");
  for (const key of KEYS) {
    const file = path.join(tree, ...key.split("/"));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `bytes of ${key}`);
  }
  envFile = path.join(dir, "new-storage.env");
  writeFileSync(envFile, localEnv(servers.primary, bucket, writer, PREFIX), { mode: 0o600 });
  target = targetOfText(readFileSync(envFile, "utf8"));
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const run = (shell: NodeJS.ProcessEnv = {}) =>
  migrateCli(["--from", `local:${tree}`, "--to-env", envFile, "--run"], { ...process.env, ...shell, INIT_CWD: dir });
/**
 * An admin's shell that --run's own rclone never sees (cli/migrate/copy.ts rcloneEnvironment): AWS_CA_BUNDLE, which
 * rclone 1.60's AWS SDK refuses ("LoadCustomCABundleError ... unsupported transport"), and a stray RCLONE_* setting
 * of the DST remote. The printed line must run there as --run runs rclone.
 */
const ADMIN_SHELL = {
  AWS_CA_BUNDLE: "/etc/ssl/certs/ca-certificates.crt",
  RCLONE_CONFIG_DST_SESSION_TOKEN: "a-stray-session-token",
};
const keptLists = () => readdirSync(dir).filter((name) => name.startsWith("destination-only-keys-"));

describe("media Mastodon deleted during the move, in a real Ceph RGW", () => {
  it("lists what was deleted after a pass copied it, and its printed rclone delete removes exactly that", async () => {
    const first = await run();
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain("1 destination keys outside Mastodon's prefixes");
    expect(first.stdout).not.toContain("Mastodon keys in the destination are not in the source");
    expect(keptLists()).toEqual([]);

    for (const key of TAKEN_DOWN) rmSync(path.join(tree, ...key.split("/")));
    const second = await run(ADMIN_SHELL);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toContain("(3 destination keys not in the source, left alone)");
    expect(second.stdout).toContain("2 Mastodon keys in the destination are not in the source, left alone:");
    for (const key of TAKEN_DOWN) expect(second.stdout).toContain(`\n  ${key}\n`);
    expect(second.stdout).toContain("suspensions and takedowns");
    expect(second.stdout).not.toContain(writer.secretAccessKey);
    const [kept, ...more] = keptLists();
    expect(more).toEqual([]);
    const list = path.join(dir, kept!);
    expect(second.stdout).toContain(`The list: ${list}`);
    expect(readFileSync(list, "utf8")).toBe(`${TAKEN_DOWN.sort().join("\n")}\n`);
    expect(statSync(list).mode & 0o777).toBe(0o600);

    // The removal as printed, in the admin's shell (ADMIN_SHELL), with the writer's key in the two variables it names.
    const line = second.stdout.split("\n").find((text) => text.startsWith("  RCLONE_CONFIG_DST_ACCESS_KEY_ID="));
    expect(line).toContain(`rclone delete dst:${bucket}/${PREFIX}/ --files-from-raw ${list}`);
    const before = await bucketKeys();
    await execFileAsync("bash", ["-c", line!.trim()], {
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        ...ADMIN_SHELL,
        AWS_ACCESS_KEY_ID: writer.accessKeyId,
        AWS_SECRET_ACCESS_KEY: writer.secretAccessKey,
      },
    });
    const after = await bucketKeys();
    expect(before.filter((key) => !after.includes(key)).sort()).toEqual(
      TAKEN_DOWN.map((key) => `${PREFIX}/${key}`).sort(),
    );
    expect(after).toContain(NOT_MASTODON);
    expect(after).toContain(OTHER_INSTANCE);

    const third = await run();
    expect(third.code, third.stdout + third.stderr).toBe(0);
    expect(third.stdout).not.toContain("Mastodon keys in the destination are not in the source");
    expect(keptLists()).toEqual([kept]);
  }, 600_000);

  it("a key deleted in the source between the listing and the check is counted apart, not missing", async () => {
    const deleted = "media_attachments/files/110/000/009/original/deadbeef.png";
    const report = await checkCopies(
      { kind: "local", root: tree },
      [
        { key: KEYS[0]!, size: statSync(path.join(tree, ...KEYS[0]!.split("/"))).size },
        { key: deleted, size: 12 },
      ],
      target,
      { byteBound: 1e6 },
    );
    expect(report).toMatchObject({ checked: 2, missing: [], different: [], deletedInSource: [deleted] });
  });

  it("a key deleted in the source between the listing and the copy: rclone skips it, the pass says so and passes", async () => {
    const added = [
      "media_attachments/files/110/000/010/original/1a2b3c4d.png",
      "media_attachments/files/110/000/011/original/5e6f7a8b.png",
    ];
    for (const key of added) {
      mkdirSync(path.dirname(path.join(tree, ...key.split("/"))), { recursive: true });
      writeFileSync(path.join(tree, ...key.split("/")), `bytes of ${key}`);
    }
    let out = "";
    const initCwd = process.env.INIT_CWD;
    process.env.INIT_CWD = dir;
    try {
      // In-process, so that Mastodon's delete lands right after the pass wrote down what to copy, before rclone runs.
      const code = await migrateCommand(["--from", `local:${tree}`, "--to-env", envFile, "--run"], {
        out: (text) => {
          out += text;
          if (text.startsWith("to copy:")) rmSync(path.join(tree, ...added[1]!.split("/")));
        },
        err: (text) => (out += text),
      });
      expect(code, out).toBe(0);
    } finally {
      if (initCwd === undefined) delete process.env.INIT_CWD;
      else process.env.INIT_CWD = initCwd;
    }
    expect(out).toContain("to copy: 2 keys");
    expect(out).toMatch(/^copy: 1 files/m);
    expect(out).toContain("0 missing, 0 different");
    expect(out).toContain("check: 1 keys deleted in the source during the pass: not copied, nothing to do");
    expect(await bucketKeys()).toContain(`${PREFIX}/${added[0]}`);
    expect(await bucketKeys()).not.toContain(`${PREFIX}/${added[1]}`);
  });
});
