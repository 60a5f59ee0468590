import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publicReadPolicy, writerPolicy } from "../../components/policy-documents";
import { corsRule } from "../../components/cors";
import { migrateCli } from "../helpers/migrate-cli";
import {
  createBucket,
  createWriter,
  localEnv,
  putWriterPolicy,
  serversFromEnv,
  uniqueBucket,
  type Servers,
  type Writer,
} from "./server";

/**
 * A local source whose `cache/` (remote media) lives on another disk behind a symbolic link
 * (`public/system/cache -> /mnt/big/cache`), against a real Ceph RGW with the rclone on PATH (e2e.sh runs this
 * file with Debian 12's 1.60 and the current line). Was: the walk left the link out without a word and rclone
 * did not follow it, so the pass found 3 of 5 objects, exit 0, and cache/ was never copied.
 *   - `--run` lists, copies and checks every key, those behind the linked folder and a linked file included;
 *   - a link that points nowhere (the disk not mounted) is named, fails the pass (exit 1), and the destination's
 *     copies of what it hid get no delete line.
 */

const PREFIX = "social";
/** Under public/system itself. */
const IN_TREE = [
  "accounts/avatars/000/000/001/original/a1b2c3d4.png",
  "media_attachments/files/110/000/002/original/0a1b2c3d.jpg",
];
/** Under /mnt/big/cache, reached through public/system/cache. */
const IN_CACHE = [
  "accounts/avatars/109/000/007/original/5e6f7a8b.png",
  "media_attachments/files/110/000/001/small/e5f6a7b8.jpg",
];
/** A file linked by name: public/system/site_uploads/.../favicon.png -> /mnt/big/favicon.png. */
const LINKED_FILE = "site_uploads/files/000/000/001/favicon/9f8e7d6c.png";
const ALL_KEYS = [...IN_TREE, ...IN_CACHE.map((key) => `cache/${key}`), LINKED_FILE].sort();

let servers: Servers;
let writer: Writer;
let bucket: string;
let dir: string;
let tree: string;
let big: string;
let envFile: string;

function write(root: string, key: string, body: string): void {
  const file = path.join(root, ...key.split("/"));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, body);
}

async function bucketObjects(): Promise<Map<string, string>> {
  const page = await servers.primary.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${PREFIX}/` }));
  const objects = new Map<string, string>();
  for (const { Key } of page.Contents ?? []) {
    const object = await servers.primary.s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
    objects.set(Key!.slice(PREFIX.length + 1), await object.Body!.transformToString());
  }
  return objects;
}

beforeAll(async () => {
  servers = serversFromEnv();
  bucket = uniqueBucket("miglink");
  await createBucket(servers.primary, bucket, publicReadPolicy(bucket, { kind: "anonymous" }, PREFIX), [
    corsRule(["*"]),
  ]);
  writer = createWriter([servers.primary], "miglink");
  await putWriterPolicy(servers.primary, writer, writerPolicy(bucket, PREFIX));
  dir = mkdtempSync(path.join(tmpdir(), "migrate-links-"));
  tree = path.join(dir, "live", "public", "system");
  big = path.join(dir, "mnt", "big");
  for (const key of IN_TREE) write(tree, key, `bytes of ${key}`);
  for (const key of IN_CACHE) write(path.join(big, "cache"), key, `bytes of cache/${key}`);
  write(big, "favicon.png", `bytes of ${LINKED_FILE}`);
  symlinkSync(path.join(big, "cache"), path.join(tree, "cache"));
  mkdirSync(path.dirname(path.join(tree, LINKED_FILE)), { recursive: true });
  symlinkSync(path.join(big, "favicon.png"), path.join(tree, LINKED_FILE));
  envFile = path.join(dir, "new-storage.env");
  writeFileSync(envFile, localEnv(servers.primary, bucket, writer, PREFIX), { mode: 0o600 });
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const run = () =>
  migrateCli(["--from", `local:${tree}`, "--to-env", envFile, "--run"], { ...process.env, INIT_CWD: dir });

describe("symbolic links under a local source, in a real Ceph RGW", () => {
  it("copies and checks what a linked cache/ folder and a linked file hold, under the link's name", async () => {
    const first = await run();
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain("listed 5 source objects");
    expect(first.stdout).toContain(`symbolic links: 2 followed under ${tree}`);
    expect(first.stdout).toContain("0 missing, 0 different");
    const objects = await bucketObjects();
    expect([...objects.keys()].sort()).toEqual(ALL_KEYS);
    for (const [key, body] of objects) expect(body).toBe(`bytes of ${key}`);

    const again = await run();
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain("to copy: 0 keys");
    expect(again.stdout).not.toContain("not in the source");
  }, 600_000);

  it("names a link that points nowhere (the disk not mounted), fails the pass, and prints no delete line", async () => {
    renameSync(big, `${big}-unmounted`);
    try {
      const pass = await run();
      expect(pass.code, pass.stdout + pass.stderr).toBe(1);
      expect(pass.stdout).toContain(`symbolic links: 2 under ${tree} point nowhere (or to themselves)`);
      expect(pass.stdout).toContain("\n  cache\n");
      expect(pass.stdout).toContain(`\n  ${LINKED_FILE}\n`);
      // The copies of what the link hid are not called deleted media to remove.
      expect(pass.stdout).toContain("3 Mastodon keys in the destination are not in the source, left alone:");
      expect(pass.stdout).not.toContain("rclone delete");
      expect(readdirSync(dir).filter((name) => name.startsWith("destination-only-keys-"))).toEqual([]);
      expect([...(await bucketObjects()).keys()].sort()).toEqual(ALL_KEYS);
    } finally {
      renameSync(`${big}-unmounted`, big);
    }
  }, 600_000);
});
