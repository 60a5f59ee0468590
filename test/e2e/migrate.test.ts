import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { DeleteObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type _Object } from "@aws-sdk/client-s3";
import { checkCopies, listLocal } from "../../cli/migrate/check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rcloneEnvironment } from "../../cli/migrate/copy";
import { copyCommands, MASTODON_CACHE_CONTROL, type RcloneCommand } from "../../cli/migrate/rclone";
import { expectedContentType } from "../../cli/migrate/content-type";
import { readTarget, type VerifyTarget } from "../../cli/verify/target";
import { parseEnvFile } from "../../components/mastodon-env/env-file";
import { publicReadPolicy, writerPolicy } from "../../components/policy-documents";
import { corsRule } from "../../components/cors";
import { migrateCli } from "../helpers/migrate-cli";
import { createBucket, createWriter, localEnv, putWriterPolicy, serversFromEnv, uniqueBucket, withEnv, type Servers, type Writer } from "./server";

/**
 * `npm run migrate --run` with Debian's rclone into a real Ceph RGW: a public/system tree with Mastodon's key
 * shapes and odd names, copied under S3_KEY_PREFIX; then the same bytes under every key, an incremental second
 * pass, nothing outside the prefix, and a bench-style report next to bare rclone on the same tree.
 */

const PREFIX = "social";
const FILES = Number(process.env.MIGRATE_E2E_FILES ?? 2000);
/** Each pass copies or checks the whole tree: minutes on a loaded two-core machine. */
const LONG = 900_000;
let servers: Servers;
let writer: Writer;
let bucket: string;
let dir: string;
let tree: string;
let envFile: string;
let target: VerifyTarget;
const outsideKey = "other-instance/media_attachments/files/1/original/keep.jpg";

/** Mastodon's key shapes (app/models/*: Paperclip `:class/:attachment/:id_partition/:style/:filename`). */
function keyShapes(count: number): string[] {
  const keys: string[] = [];
  const partition = (n: number) => String(n).padStart(9, "0").match(/.{3}/g)!.join("/");
  const partition18 = (n: number) => `${String(110000 + (n % 7)).padStart(6, "0")}/${String(n % 1000).padStart(3, "0")}/${String(n).padStart(3, "0").slice(-3)}`;
  for (let i = 0; keys.length < count; i++) {
    const kind = i % 10;
    const name = randomBytes(8).toString("hex");
    if (kind < 4) keys.push(`media_attachments/files/${partition18(i)}/${i % 2 ? "original" : "small"}/${name}.${["jpg", "png", "mp4", "webp"][i % 4]}`);
    else if (kind === 4) keys.push(`accounts/avatars/${partition(i)}/original/${name}.png`);
    else if (kind === 5) keys.push(`accounts/headers/${partition(i)}/original/${name}.jpg`);
    else if (kind === 6) keys.push(`custom_emojis/images/${partition(i)}/${i % 2 ? "original" : "static"}/${name}.png`);
    else if (kind === 7) keys.push(`cache/media_attachments/files/${partition18(i)}/small/${name}.jpg`);
    else if (kind === 8) keys.push(`cache/preview_cards/images/${partition(i)}/original/${name}.gif`);
    else keys.push(`site_uploads/files/${partition(i)}/${i % 2 ? "thumbnail" : "favicon"}/${name}.png`);
  }
  // Odd names other servers may hold: spaces, unicode, `+`, and a private archive.
  keys.push(
    "accounts/avatars/000/000/001/original/my avatar.png",
    "custom_emojis/images/000/000/002/original/café_blobcat.png",
    "cache/preview_cards/images/000/000/003/original/a+b=c.jpg",
    "media_attachments/files/000/000/004/original/日本語 ファイル.jpg",
    "backups/dump/000/000/005/original/archive-20260101.zip",
  );
  return keys;
}

function writeTree(root: string, keys: readonly string[]): number {
  let bytes = 0;
  keys.forEach((key, index) => {
    const file = path.join(root, ...key.split("/"));
    mkdirSync(path.dirname(file), { recursive: true });
    // Mostly small images, some large ones, as a real media directory.
    const size = index % 50 === 0 ? 400_000 + (index % 7) * 50_000 : 2_000 + ((index * 7919) % 30_000);
    writeFileSync(file, randomBytes(size));
    bytes += size;
  });
  return bytes;
}

const md5 = (file: string) => createHash("md5").update(readFileSync(file)).digest("hex");

async function listAll(prefix?: string): Promise<_Object[]> {
  const objects: _Object[] = [];
  let token: string | undefined;
  do {
    const page = await servers.primary.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    objects.push(...(page.Contents ?? []));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

function copiedCount(stdout: string): number {
  const match = /^copy: (\d+) files/m.exec(stdout);
  if (!match) throw new Error(`no copy summary in:\n${stdout}`);
  return Number(match[1]);
}

/** rclone as a person would run it, with the same flags and environment as the product's pass. */
function runRclone(command: RcloneCommand, extraArgs: string[] = []): Promise<{ code: number; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn("rclone", [...command.args, ...extraArgs], { env: rcloneEnvironment(command), stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stderr, ms: Date.now() - started }));
  });
}

let treeBytes = 0;
let keys: string[] = [];

beforeAll(async () => {
  servers = serversFromEnv();
  bucket = uniqueBucket("migrate");
  await createBucket(servers.primary, bucket, publicReadPolicy(bucket, { kind: "anonymous" }, PREFIX), [corsRule(["*"])]);
  writer = createWriter([servers.primary], "migrate");
  await putWriterPolicy(servers.primary, writer, writerPolicy(bucket, PREFIX));
  // Another instance's object in the same bucket, outside the prefix: the move must not touch it.
  await servers.primary.s3.send(new PutObjectCommand({ Bucket: bucket, Key: outsideKey, Body: "other instance" }));
  dir = mkdtempSync(path.join(tmpdir(), "migrate-e2e-"));
  tree = path.join(dir, "public", "system");
  keys = keyShapes(FILES);
  treeBytes = writeTree(tree, keys);
  envFile = path.join(dir, "new-storage.env");
  writeFileSync(envFile, localEnv(servers.primary, bucket, writer, PREFIX), { mode: 0o600 });
  const parsed = readTarget(parseEnvFile(readFileSync(envFile, "utf8")).values);
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  target = parsed.target;
}, 300_000);

afterAll(() => {
  servers?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("npm run migrate --run into a real Ceph RGW", () => {
  it("copies every key under the prefix with the same bytes, Mastodon's headers, and checks them all", async () => {
    const run = await migrateCli(["--from", `local:${tree}`, "--to-env", envFile, "--run"]);
    expect(run.stderr + run.stdout).not.toContain(writer.secretAccessKey);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(copiedCount(run.stdout)).toBe(keys.length);
    expect(run.stdout).toContain(`check: ${keys.length} keys answered, ${keys.length} compared byte for byte, 0 missing, 0 different`);

    const objects = await listAll();
    const byKey = new Map(objects.map((object) => [object.Key!, object]));
    // Nothing outside the prefix but the other instance's object.
    expect(objects.filter((object) => !object.Key!.startsWith(`${PREFIX}/`)).map((object) => object.Key)).toEqual([outsideKey]);
    expect(byKey.size).toBe(keys.length + 1);
    const wrong = keys.filter((key) => byKey.get(`${PREFIX}/${key}`)?.ETag?.replace(/"/g, "") !== md5(path.join(tree, ...key.split("/"))));
    expect(wrong).toEqual([]);

    for (const key of [keys[0]!, keys[4]!, "custom_emojis/images/000/000/002/original/café_blobcat.png", "media_attachments/files/000/000/004/original/日本語 ファイル.jpg"]) {
      const head = await servers.primary.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${PREFIX}/${key}` }));
      expect(head.CacheControl).toBe(MASTODON_CACHE_CONTROL);
      expect(head.ContentType).toBe(expectedContentType(key));
    }
  }, LONG);

  it("copies only new and changed files on the second pass", async () => {
    const changed = keys.slice(10, 15);
    const now = Date.now() / 1000;
    for (const key of changed) {
      const file = path.join(tree, ...key.split("/"));
      writeFileSync(file, randomBytes(3_000));
      // The edit happens after the first pass's uploads: a later modification time than the stored copy.
      utimesSync(file, now + 5, now + 5);
    }
    const added = ["media_attachments/files/999/999/999/original/new one.jpg", "accounts/avatars/999/999/999/original/new+avatar.png"];
    treeBytes += writeTree(tree, added);
    const run = await migrateCli(["--from", `local:${tree}`, "--to-env", envFile, "--run"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(copiedCount(run.stdout)).toBe(changed.length + added.length);
    expect(run.stdout).toContain("0 missing, 0 different");
    for (const key of [...changed, ...added]) {
      const head = await servers.primary.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${PREFIX}/${key}` }));
      expect(head.ETag?.replace(/"/g, "")).toBe(md5(path.join(tree, ...key.split("/"))));
    }
    keys.push(...added);
  }, LONG);

  it("the check reports a key missing from the new bucket and one with other bytes", async () => {
    const gone = keys[20]!;
    const altered = keys[21]!;
    await servers.primary.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${PREFIX}/${gone}` }));
    const size = readFileSync(path.join(tree, ...altered.split("/"))).length;
    await servers.primary.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: `${PREFIX}/${altered}`, Body: randomBytes(size), ContentType: expectedContentType(altered), CacheControl: MASTODON_CACHE_CONTROL }),
    );
    const objects = await listLocal(tree);
    const report = await checkCopies({ kind: "local", root: tree }, objects, target, 1e12);
    expect(report.missing).toEqual([gone]);
    expect(report.different).toEqual([`${altered}: different bytes`]);
    expect(report.checked).toBe(objects.length);
    // Beyond the byte bound only a sample is compared, but every key is still asked for.
    const sampled = await checkCopies({ kind: "local", root: tree }, objects, target, 1_000_000);
    expect(sampled.checked).toBe(objects.length);
    expect(sampled.compared).toBeLessThan(objects.length / 10);
    expect(sampled.missing).toEqual([gone]);
    // The next pass copies the missing key back. The altered copy is newer than the source, so --update leaves it
    // (rclone compares times, not bytes): the check still names it, and the run fails.
    const run = await migrateCli(["--from", `local:${tree}`, "--to-env", envFile, "--run"]);
    expect(copiedCount(run.stdout)).toBe(1);
    expect(run.stdout).toContain("0 missing, 1 different");
    expect(run.stdout).toContain(`  different: ${altered}: different bytes`);
    expect(run.code).toBe(1);
    // Put the right bytes back for the tests below.
    await servers.primary.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${PREFIX}/${altered}` }));
  }, LONG);

  it("sends the grantless ACL in no-ACL mode and the canned ACL in ACL mode (rclone 1.60 always sends one)", async () => {
    const one = path.join(dir, "one");
    writeTree(one, ["media_attachments/files/000/000/001/original/acl.jpg"]);
    const [noAcl] = copyCommands({ kind: "local", root: one }, target);
    const plain = await runRclone(noAcl!, ["--dump", "headers", "--log-level", "DEBUG"]);
    expect(plain.code, plain.stderr).toBe(0);
    // The dumped request headers, inside rclone's JSON log lines.
    const put = (stderr: string) => [...stderr.matchAll(/x-amz-acl: ([A-Za-z-]+)/gi)].map((match) => match[1]!.toLowerCase());
    expect(put(plain.stderr)).toEqual(["private"]);

    const aclEnv = readTarget(parseEnvFile(withEnv(readFileSync(envFile, "utf8"), "S3_PERMISSION", "public-read")).values);
    if (!aclEnv.ok) throw new Error(aclEnv.problems.join("; "));
    writeTree(one, ["media_attachments/files/000/000/001/original/acl2.jpg"]);
    const [withAcl] = copyCommands({ kind: "local", root: one }, aclEnv.target);
    const acl = await runRclone(withAcl!, ["--dump", "headers", "--log-level", "DEBUG", "--retries", "1", "--low-level-retries", "1"]);
    expect(put(acl.stderr)).toEqual(["public-read"]);
  });

  it("bench: the product's copy next to bare rclone on the same tree (report, not a timed assertion)", async () => {
    const rows: string[] = [];
    const measure = async (label: string, run: () => Promise<number>) => {
      const started = Date.now();
      const copied = await run();
      const seconds = (Date.now() - started) / 1000;
      rows.push(`  ${label.padEnd(28)} ${String(copied).padStart(6)} files ${(treeBytes / 1e6).toFixed(1).padStart(7)} MB ${seconds.toFixed(2).padStart(7)} s ${(copied / seconds).toFixed(0).padStart(6)} files/s ${(treeBytes / 1e6 / seconds).toFixed(1).padStart(6)} MB/s`);
      return seconds;
    };
    const prefixed = (name: string) => {
      const env = withEnv(readFileSync(envFile, "utf8"), "S3_KEY_PREFIX", `${PREFIX}/${name}`);
      const file = path.join(dir, `${name}.env`);
      writeFileSync(file, env, { mode: 0o600 });
      const parsed = readTarget(parseEnvFile(env).values);
      if (!parsed.ok) throw new Error(parsed.problems.join("; "));
      return { file, target: parsed.target };
    };
    const times: Record<"bare" | "product", number[]> = { bare: [], product: [] };
    /** The product's own timing of its rclone passes, without node's start-up. */
    const copyPhase: number[] = [];
    const original = keys.filter((key) => !key.startsWith("media_attachments/files/999/") && !key.startsWith("accounts/avatars/999/"));
    for (const round of [1, 2]) {
      const bare = prefixed(`bench-bare-${round}`);
      times.bare.push(
        await measure(`bare rclone (round ${round})`, async () => {
          const result = await runRclone(copyCommands({ kind: "local", root: tree }, bare.target)[0]!);
          expect(result.code, result.stderr).toBe(0);
          return keys.length;
        }),
      );
      const product = prefixed(`bench-product-${round}`);
      times.product.push(
        await measure(`npm run migrate (round ${round})`, async () => {
          const run = await migrateCli(["--from", `local:${tree}`, "--to-env", product.file, "--run", "--no-check"]);
          expect(run.code, run.stdout + run.stderr).toBe(0);
          copyPhase.push(Number(/^copy: .* in ([\d.]+) s/m.exec(run.stdout)?.[1]));
          return copiedCount(run.stdout);
        }),
      );
    }
    const best = (values: number[]) => Math.min(...values);
    const overhead = (best(times.product) / best(times.bare) - 1) * 100;
    console.log(
      [
        `migrate bench: ${keys.length} files (${original.length} of the first tree), ${(treeBytes / 1e6).toFixed(1)} MB, Ceph RGW on loopback, 16 transfers`,
        ...rows,
        `  product overhead (best of 2 against best of 2, node start-up included): ${overhead.toFixed(1)}%`,
        `  product overhead of the copy phase alone (${copyPhase.map((seconds) => `${seconds.toFixed(2)} s`).join(", ")}): ${((best(copyPhase) / best(times.bare) - 1) * 100).toFixed(1)}%`,
      ].join("\n"),
    );
    expect(times.product.length).toBe(2);
  }, LONG);
});
