import { execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type _Object,
} from "@aws-sdk/client-s3";
import { checkCopies } from "../../cli/migrate/check";
import type { Listed } from "../../cli/migrate/listing";
import { walkLocal } from "../../cli/migrate/local-walk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selfSignedCertificate } from "../helpers/tls";
import { AclFront } from "../../s3-front/acl-front";
import { rcloneEnvironment, runPass, withFront } from "../../cli/migrate/copy";
import { copyCommands, MASTODON_CACHE_CONTROL, remoteEnv, type RcloneCommand } from "../../cli/migrate/rclone";
import { expectedContentType } from "../../cli/migrate/content-type";
import type { VerifyTarget } from "../../mastodon-env/target";
import { publicReadPolicy } from "../../components/policy-documents";
import { migrateCli } from "../helpers/migrate-cli";
import { targetOfText } from "../helpers/target";
import { commandNodeArgs } from "../helpers/npm-script";
import { PROJECT_ROOT } from "../../offline-plan/run";
import { startFront, type Front } from "./front/front";
import { prefixedMediaBucket } from "./media-bucket";
import { localEnv, putBucketPolicy, serversFromEnv, withEnv, type Servers, type Writer } from "./server";

/**
 * `npm run migrate --run` with Debian's rclone into a real Ceph RGW: a public/system tree with Mastodon's key
 * shapes and odd names, copied under S3_KEY_PREFIX; then the same bytes under every key, an incremental second
 * pass, nothing outside the prefix, and a bench-style report next to bare rclone on the same tree.
 * The env's S3_ENDPOINT is a fault-injection front that answers any x-amz-acl as Cloudflare R2 does (501
 * NotImplemented): in no-ACL mode every request goes through migrate's ACL-dropping front, and the R2 front must
 * see no ACL header at all.
 */

const PREFIX = "social";
const FILES = Number(process.env.MIGRATE_E2E_FILES ?? 2000);
/** Rounds of the bench (bare rclone and the product each copy the whole tree once per round). */
const BENCH_ROUNDS = Number(process.env.MIGRATE_BENCH_ROUNDS ?? 3);
/** Each pass copies or checks the whole tree: minutes on a loaded two-core machine. */
const LONG = 900_000;
let servers: Servers;
let writer: Writer;
let bucket: string;
let dir: string;
let tree: string;
let envFile: string;
let target: VerifyTarget;
/** The R2-like front before RGW (refuses every x-amz-acl), and the env that reaches RGW directly. */
let r2: Front;
let directEnv: string;
const outsideKey = "other-instance/media_attachments/files/1/original/keep.jpg";

/** Mastodon's key shapes (app/models/*: Paperclip `:class/:attachment/:id_partition/:style/:filename`). */
function keyShapes(count: number): string[] {
  const keys: string[] = [];
  const partition = (n: number) => String(n).padStart(9, "0").match(/.{3}/g)!.join("/");
  const partition18 = (n: number) =>
    `${String(110000 + (n % 7)).padStart(6, "0")}/${String(n % 1000).padStart(3, "0")}/${String(n).padStart(3, "0").slice(-3)}`;
  for (let i = 0; keys.length < count; i++) {
    const kind = i % 10;
    const name = randomBytes(8).toString("hex");
    if (kind < 4)
      keys.push(
        `media_attachments/files/${partition18(i)}/${i % 2 ? "original" : "small"}/${name}.${["jpg", "png", "mp4", "webp"][i % 4]}`,
      );
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
    const page = await servers.primary.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
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
function runRclone(
  command: RcloneCommand,
  extraArgs: string[] = [],
): Promise<{ code: number; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn("rclone", [...command.args, ...extraArgs], {
      env: rcloneEnvironment(command),
      stdio: ["ignore", "ignore", "pipe"],
    });
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
  ({ bucket, writer } = await prefixedMediaBucket(servers.primary, "migrate", PREFIX));
  // Another instance's object in the same bucket, outside the prefix: the move must not touch it.
  await servers.primary.s3.send(new PutObjectCommand({ Bucket: bucket, Key: outsideKey, Body: "other instance" }));
  dir = mkdtempSync(path.join(tmpdir(), "migrate-e2e-"));
  tree = path.join(dir, "public", "system");
  keys = keyShapes(FILES);
  treeBytes = writeTree(tree, keys);
  envFile = path.join(dir, "new-storage.env");
  r2 = await startFront(servers.primary.endpoint, { refusals: ["r2-acl"] });
  directEnv = localEnv(servers.primary, bucket, writer, PREFIX);
  writeFileSync(envFile, withEnv(directEnv, "S3_ENDPOINT", r2.url), { mode: 0o600 });
  target = targetOfText(readFileSync(envFile, "utf8"));
}, 300_000);

afterAll(async () => {
  await r2?.close();
  servers?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("npm run migrate --run into a real Ceph RGW", () => {
  it(
    "copies every key under the prefix with the same bytes, Mastodon's headers, and checks them all",
    async () => {
      const run = await migrateCli(["--from", `local:${tree}`, "--to-env", envFile, "--run"]);
      expect(run.stderr + run.stdout).not.toContain(writer.secretAccessKey);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(copiedCount(run.stdout)).toBe(keys.length);
      // The first pass copies everything; the check lists the copies again (more than 2,000) and fetches a sample.
      expect(run.stdout).toContain(`to copy: ${keys.length.toLocaleString("en-US")} keys`);
      expect(run.stdout).toContain(`the ${keys.length.toLocaleString("en-US")} copied keys listed again`);
      expect(run.stdout).toMatch(
        /check: \d+ keys answered, \d+ compared byte for byte \([\d.]+ MB\), 0 missing, 0 different\n/,
      );
      // Every upload went through the R2-like front, and none carried an ACL header.
      expect(r2.requests()).toBeGreaterThan(keys.length);
      expect(r2.aclHeaders).toEqual([]);
      expect(r2.refused).toEqual([]);

      const objects = await listAll();
      const byKey = new Map(objects.map((object) => [object.Key!, object]));
      // Nothing outside the prefix but the other instance's object.
      expect(objects.filter((object) => !object.Key!.startsWith(`${PREFIX}/`)).map((object) => object.Key)).toEqual([
        outsideKey,
      ]);
      expect(byKey.size).toBe(keys.length + 1);
      const wrong = keys.filter(
        (key) => byKey.get(`${PREFIX}/${key}`)?.ETag?.replace(/"/g, "") !== md5(path.join(tree, ...key.split("/"))),
      );
      expect(wrong).toEqual([]);

      for (const key of [
        keys[0]!,
        keys[4]!,
        "custom_emojis/images/000/000/002/original/café_blobcat.png",
        "media_attachments/files/000/000/004/original/日本語 ファイル.jpg",
      ]) {
        const head = await servers.primary.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${PREFIX}/${key}` }));
        expect(head.CacheControl).toBe(MASTODON_CACHE_CONTROL);
        expect(head.ContentType).toBe(expectedContentType(key));
      }
    },
    LONG,
  );

  it(
    "copies only new and changed files on the second pass, and fetches each of them",
    async () => {
      const changed = keys.slice(10, 15);
      for (const key of changed) {
        const file = path.join(tree, ...key.split("/"));
        // Another size: the listing's comparison finds it (Mastodon never rewrites a key; a size is the tell).
        writeFileSync(file, randomBytes(readFileSync(file).length + 7));
      }
      // A preview card image at the top level, as instances older than Mastodon 3.2 stored them: public like cache/.
      const added = [
        "media_attachments/files/999/999/999/original/new one.jpg",
        "accounts/avatars/999/999/999/original/new+avatar.png",
        "preview_cards/images/000/000/999/original/old card.png",
      ];
      treeBytes += writeTree(tree, added);
      const run = await migrateCli(["--from", `local:${tree}`, "--to-env", envFile, "--run"]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(copiedCount(run.stdout)).toBe(changed.length + added.length);
      expect(run.stdout).toContain(`skipped: ${(keys.length - changed.length).toLocaleString("en-US")} keys`);
      expect(run.stdout).toContain(`to copy: ${changed.length + added.length} keys`);
      expect(run.stdout).toContain(`${added.length} not in the destination, ${changed.length} of another size`);
      expect(run.stdout).toContain(`the ${changed.length + added.length} copied keys fetched one by one`);
      expect(run.stdout).toContain("0 missing, 0 different");
      expect(r2.aclHeaders).toEqual([]);
      for (const key of [...changed, ...added]) {
        const head = await servers.primary.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${PREFIX}/${key}` }));
        expect(head.ETag?.replace(/"/g, "")).toBe(md5(path.join(tree, ...key.split("/"))));
      }
      keys.push(...added);
    },
    LONG,
  );

  it(
    "a pass copies back a key missing from the new bucket and one of another size; a fetch finds other bytes of the same size",
    async () => {
      const gone = keys[20]!;
      const shorter = keys[21]!;
      const altered = keys[22]!;
      await servers.primary.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${PREFIX}/${gone}` }));
      const put = (key: string, size: number) =>
        servers.primary.s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: `${PREFIX}/${key}`,
            Body: randomBytes(size),
            ContentType: expectedContentType(key),
            CacheControl: MASTODON_CACHE_CONTROL,
          }),
        );
      await put(shorter, 10);
      const alteredSize = readFileSync(path.join(tree, ...altered.split("/"))).length;
      await put(altered, alteredSize);

      // The fetch of a key compares its bytes: the same size with other bytes is named.
      const report = await checkCopies(
        { kind: "local", root: tree },
        [
          { key: altered, size: alteredSize },
          { key: gone, size: 1 },
        ],
        target,
        { byteBound: 1e9 },
      );
      expect(report.missing).toEqual([gone]);
      expect(report.different).toEqual([`${altered}: different bytes`]);
      expect(report.compared).toBe(1);
      // Beyond the byte bound a key gets a HEAD: length and type, not bytes.
      const headOnly = await checkCopies({ kind: "local", root: tree }, [{ key: altered, size: alteredSize }], target, {
        byteBound: 0,
      });
      expect(headOnly).toMatchObject({ checked: 1, compared: 0, different: [] });

      // The next pass finds the missing key and the shorter one by their listing and copies them back. The same-size
      // key is put back right first: the listing cannot tell it (Mastodon writes a key once), and a sample that
      // happens to hold it would name it, as it should, failing this pass.
      await servers.primary.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${PREFIX}/${altered}` }));
      const run = await migrateCli(["--from", `local:${tree}`, "--to-env", envFile, "--run"]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(copiedCount(run.stdout)).toBe(3);
      expect(run.stdout).toContain("to copy: 3 keys");
      expect(run.stdout).toContain("2 not in the destination, 1 of another size");
      expect(r2.aclHeaders).toEqual([]);
      for (const key of [gone, shorter, altered]) {
        const head = await servers.primary.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${PREFIX}/${key}` }));
        expect(head.ETag?.replace(/"/g, "")).toBe(md5(path.join(tree, ...key.split("/"))));
      }
    },
    LONG,
  );

  it(
    "a pass with nothing new copies nothing, lists both sides once, and fetches only its sample",
    async () => {
      await migrateCli(["--from", `local:${tree}`, "--to-env", envFile, "--run"]);
      const before = r2.requests();
      const run = await migrateCli(["--from", `local:${tree}`, "--to-env", envFile, "--run", "--sample", "20"]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(copiedCount(run.stdout)).toBe(0);
      expect(run.stdout).toContain("to copy: 0 keys");
      expect(run.stdout).toContain("a sample of 20 keys over the whole tree");
      expect(run.stdout).toContain("check: 20 keys answered, 20 compared byte for byte");
      // The whole pass against the destination's API: its listing, 1,000 keys a request (the sample goes to the media host).
      const listed: Listed[] = [];
      for await (const entry of walkLocal(tree)) listed.push(entry);
      expect(r2.requests() - before).toBeLessThanOrEqual(Math.ceil(listed.length / 1000) + 20);
    },
    LONG,
  );

  it("bare rclone 1.60 sends an ACL in no-ACL mode, which R2 refuses; through migrate's front the target sees none", async () => {
    const one = path.join(dir, "one");
    writeTree(one, ["media_attachments/files/000/000/001/original/acl.jpg"]);
    const [noAcl] = copyCommands({ kind: "local", root: one }, target);
    // The dumped request headers, inside rclone's JSON log lines.
    const put = (stderr: string) =>
      [...stderr.matchAll(/x-amz-acl: ([A-Za-z-]+)/gi)].map((match) => match[1]!.toLowerCase());
    const dump = ["--dump", "headers", "--log-level", "DEBUG", "--retries", "1", "--low-level-retries", "1"];

    // Bare rclone straight at the target, `acl` the grantless private: R2's answer, the copy fails.
    const refusedBefore = r2.refused.length;
    const bare = await runRclone({ ...noAcl!, env: remoteEnv("DST", target, undefined) }, dump);
    expect(bare.code).not.toBe(0);
    expect(put(bare.stderr)).toContain("private");
    expect(bare.stderr).toContain("NotImplemented");
    const refusedNow = r2.refused.slice(refusedBefore);
    expect(refusedNow.length).toBeGreaterThan(0);
    for (const line of refusedNow)
      expect(line).toBe(
        `501 NotImplemented PUT /${bucket}/${PREFIX}/media_attachments/files/000/000/001/original/acl.jpg`,
      );

    // The same pass through the front: rclone still sends private, the front drops it, R2 sees no ACL header.
    const aclBefore = r2.aclHeaders.length;
    const front = await AclFront.start(target);
    let endpoint: string;
    try {
      endpoint = front.endpoint;
      const through = await runRclone(withFront(noAcl!, front), dump);
      expect(through.code, through.stderr).toBe(0);
      expect(put(through.stderr)).toEqual(["private"]);
      expect(through.stderr).not.toContain(writer.secretAccessKey);
      expect(through.stderr).not.toContain(writer.accessKeyId);
      expect(front.stats.aclHeadersDropped).toBe(1);
      expect(front.stats.refused).toBe(0);
    } finally {
      await front.close();
    }
    expect(r2.aclHeaders.slice(aclBefore)).toEqual([]);
    const head = await servers.primary.s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: `${PREFIX}/media_attachments/files/000/000/001/original/acl.jpg` }),
    );
    expect(head.ETag?.replace(/"/g, "")).toBe(
      md5(path.join(one, "media_attachments/files/000/000/001/original/acl.jpg")),
    );
    // Closed means closed: nothing listens on the front's port after the pass.
    await expect(fetch(`${endpoint}/${bucket}/`)).rejects.toThrow();

    // ACL mode (Spaces, S3_PERMISSION=public-read): no front, rclone sends Mastodon's canned ACL itself.
    const aclEnv = targetOfText(withEnv(readFileSync(envFile, "utf8"), "S3_PERMISSION", "public-read"));
    writeTree(one, ["media_attachments/files/000/000/001/original/acl2.jpg"]);
    const [withAcl] = copyCommands({ kind: "local", root: one }, aclEnv);
    expect(withAcl!.aclFront).toBeUndefined();
    const acl = await runRclone(withAcl!, dump);
    expect(put(acl.stderr)).toEqual(["public-read"]);
  });

  it(
    "multipart uploads go through the front: CreateMultipartUpload's ACL is dropped, the parts and the completion pass",
    async () => {
      const root = path.join(dir, "big");
      const key = "media_attachments/files/000/000/009/original/big video+1 é.mp4";
      const file = path.join(root, ...key.split("/"));
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, randomBytes(12 * 1024 * 1024 + 123));
      const aclBefore = r2.aclHeaders.length;
      const [command] = copyCommands({ kind: "local", root }, target);
      const result = await runPass({
        ...command!,
        args: [...command!.args, "--s3-upload-cutoff", "5M", "--s3-chunk-size", "5M"],
      });
      expect(result.exitCode, result.errors.join("\n")).toBe(0);
      expect(result.stats.transfers).toBe(1);
      expect(r2.aclHeaders.slice(aclBefore)).toEqual([]);
      const head = await servers.primary.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${PREFIX}/${key}` }));
      // A multipart ETag: MD5 of the parts' MD5s, dash, the number of parts (13 MB in 5 MiB parts: 3).
      expect(head.ETag).toMatch(/-3"$/);
      const body = await servers.primary.s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${PREFIX}/${key}` }));
      expect(
        createHash("md5")
          .update(await body.Body!.transformToByteArray())
          .digest("hex"),
      ).toBe(md5(file));
    },
    LONG,
  );

  it(
    "an https endpoint: the front is rclone's TLS client, and trusts a private CA given in AWS_CA_BUNDLE",
    async () => {
      // A TLS terminator before RGW with a self-signed certificate for localhost, as a self-hosted MinIO may have.
      const certDir = mkdtempSync(path.join(tmpdir(), "migrate-tls-"));
      selfSignedCertificate(certDir, { commonName: "localhost", altNames: ["localhost"] });
      const rgw = new URL(servers.primary.endpoint);
      const terminator = tls.createServer(
        { key: readFileSync(path.join(certDir, "key.pem")), cert: readFileSync(path.join(certDir, "cert.pem")) },
        (socket) => {
          const upstream = net.connect({ host: rgw.hostname, port: Number(rgw.port) });
          socket.pipe(upstream).pipe(socket);
          socket.on("error", () => upstream.destroy());
          upstream.on("error", () => socket.destroy());
        },
      );
      await new Promise<void>((resolve) => terminator.listen(0, "127.0.0.1", resolve));
      const tlsEnv = targetOfText(
        withEnv(
          readFileSync(envFile, "utf8"),
          "S3_ENDPOINT",
          `https://localhost:${(terminator.address() as net.AddressInfo).port}`,
        ),
      );
      const root = path.join(dir, "tls");
      const key = "media_attachments/files/000/000/010/original/over tls.jpg";
      writeTree(root, [key]);
      const [command] = copyCommands({ kind: "local", root }, tlsEnv);
      const saved = process.env.AWS_CA_BUNDLE;
      try {
        // Not trusted: the copy fails, and rclone's error names the cause the front saw.
        delete process.env.AWS_CA_BUNDLE;
        const untrusted = await runPass({
          ...command!,
          args: [...command!.args, "--retries", "1", "--low-level-retries", "1"],
        });
        expect(untrusted.exitCode).not.toBe(0);
        expect(untrusted.errors.join("\n")).toMatch(/could not reach localhost:\d+: self[- ]signed certificate/);
        // Trusted through AWS_CA_BUNDLE: copied, over TLS, and checked.
        process.env.AWS_CA_BUNDLE = path.join(certDir, "cert.pem");
        const trusted = await runPass(command!);
        expect(trusted.exitCode, trusted.errors.join("\n")).toBe(0);
        const head = await servers.primary.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${PREFIX}/${key}` }));
        expect(head.ETag?.replace(/"/g, "")).toBe(md5(path.join(root, ...key.split("/"))));
      } finally {
        if (saved === undefined) delete process.env.AWS_CA_BUNDLE;
        else process.env.AWS_CA_BUNDLE = saved;
        await new Promise((resolve) => terminator.close(resolve));
        rmSync(certDir, { recursive: true, force: true });
      }
    },
    LONG,
  );

  it("the front serves only the run's key and bucket; another client's requests (SDK's SigV4) pass with odd keys", async () => {
    const front = await AclFront.start(target);
    const client = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
      new S3Client({
        endpoint: front.endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        credentials,
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
        maxAttempts: 1,
      });
    const clients: S3Client[] = [];
    const make = (credentials: { accessKeyId: string; secretAccessKey: string }) => {
      const made = client(credentials);
      clients.push(made);
      return made;
    };
    try {
      const someKey = `${PREFIX}/${keys[0]}`;
      const status = (promise: Promise<unknown>) =>
        promise.then(
          () => 200,
          (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode,
        );
      // The writer's real key is not the run's key; the run's key id with another secret fails the signature check.
      expect(
        await status(
          make({ accessKeyId: writer.accessKeyId, secretAccessKey: writer.secretAccessKey }).send(
            new HeadObjectCommand({ Bucket: bucket, Key: someKey }),
          ),
        ),
      ).toBe(403);
      expect(
        await status(
          make({ accessKeyId: front.accessKeyId, secretAccessKey: "not-the-run-secret" }).send(
            new HeadObjectCommand({ Bucket: bucket, Key: someKey }),
          ),
        ),
      ).toBe(403);
      const run = make({ accessKeyId: front.accessKeyId, secretAccessKey: front.secretAccessKey });
      // Another bucket (the admin's own, say) is out of the front's reach.
      expect(await status(run.send(new HeadObjectCommand({ Bucket: `${bucket}-other`, Key: "x" })))).toBe(403);
      expect(front.stats.refused).toBe(3);

      const aclBefore = r2.aclHeaders.length;
      const odd = `${PREFIX}/custom_emojis/images/000/000/002/original/café +blob(1)!*'~ 日本.png`;
      await run.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: odd,
          Body: "emoji",
          ContentType: "image/png",
          ACL: "public-read",
          GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AllUsers"',
        }),
      );
      expect(front.stats.aclHeadersDropped).toBe(2);
      expect(r2.aclHeaders.slice(aclBefore)).toEqual([]);
      expect((await run.send(new HeadObjectCommand({ Bucket: bucket, Key: odd }))).ContentLength).toBe(5);
      expect(await (await run.send(new GetObjectCommand({ Bucket: bucket, Key: odd }))).Body!.transformToString()).toBe(
        "emoji",
      );
      const listed = await run.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: `${PREFIX}/custom_emojis/images/000/000/002/original/café +`,
        }),
      );
      expect(listed.Contents?.map((object) => object.Key)).toEqual([odd]);
      const spaced = await run.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: `${PREFIX}/accounts/avatars/000/000/001/original/my av`,
          Delimiter: "/",
        }),
      );
      expect(spaced.Contents?.map((object) => object.Key)).toEqual([
        `${PREFIX}/accounts/avatars/000/000/001/original/my avatar.png`,
      ]);
      await run.send(new DeleteObjectCommand({ Bucket: bucket, Key: odd }));

      // One connection, first the run's key, then another: the second request is refused on the same connection.
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const shared = (credentials: { accessKeyId: string; secretAccessKey: string }) => {
        const made = new S3Client({
          endpoint: front.endpoint,
          region: "us-east-1",
          forcePathStyle: true,
          credentials,
          requestHandler: { httpAgent: agent },
          maxAttempts: 1,
        });
        clients.push(made);
        return made;
      };
      const refusedBefore = front.stats.refused;
      expect(
        await status(
          shared({ accessKeyId: front.accessKeyId, secretAccessKey: front.secretAccessKey }).send(
            new HeadObjectCommand({ Bucket: bucket, Key: someKey }),
          ),
        ),
      ).toBe(200);
      expect(
        await status(
          shared({ accessKeyId: writer.accessKeyId, secretAccessKey: writer.secretAccessKey }).send(
            new HeadObjectCommand({ Bucket: bucket, Key: someKey }),
          ),
        ),
      ).toBe(403);
      expect(front.stats.refused).toBe(refusedBefore + 1);
      agent.destroy();

      // An endpoint nothing answers on: 502 with the cause, not a reset connection.
      const nowhere = targetOfText(withEnv(readFileSync(envFile, "utf8"), "S3_ENDPOINT", "http://127.0.0.1:1"));
      const deadFront = await AclFront.start(nowhere);
      const dead = new S3Client({
        endpoint: deadFront.endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: deadFront.accessKeyId, secretAccessKey: deadFront.secretAccessKey },
        maxAttempts: 1,
      });
      clients.push(dead);
      const answer = await fetch(`${deadFront.endpoint}/${bucket}/x`).then((response) => response.status);
      expect(answer).toBe(403);
      const failure = await dead.send(new HeadObjectCommand({ Bucket: bucket, Key: someKey })).then(
        () => undefined,
        (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode,
      );
      expect(failure).toBe(502);
      const listFailure = await dead
        .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: PREFIX }))
        .catch((error: Error) => error.message);
      expect(String(listFailure)).toContain("could not reach 127.0.0.1:1");
      await deadFront.close();
    } finally {
      clients.forEach((made) => made.destroy());
      await front.close();
    }
  });

  it(
    "Ctrl-C stops a pass cleanly (exit 130), and the same command resumes: it copies only what is still missing",
    async () => {
      const env = withEnv(directEnv, "S3_KEY_PREFIX", `${PREFIX}/interrupted`);
      const file = path.join(dir, "interrupted.env");
      writeFileSync(file, env, { mode: 0o600 });
      const args = [...commandNodeArgs("migrate"), "--from", `local:${tree}`, "--to-env", file, "--run", "--no-check"];
      const interrupted = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
        const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let sent = false;
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString();
          // Once rclone is copying, as a person pressing Ctrl-C would (the signal to migrate alone, not its group).
          if (!sent && stdout.includes("copying ")) {
            sent = true;
            setTimeout(() => child.kill("SIGINT"), 1_500);
          }
        });
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout }));
      });
      expect(interrupted.stdout).toContain("Interrupted. Run the same command again");
      expect(interrupted.code).toBe(130);
      const partial = (await listAll(`${PREFIX}/interrupted/`)).length;
      expect(partial).toBeLessThan(keys.length);
      // Nothing of rclone's is left running after migrate exits.
      expect(execFileSync("ps", ["-eo", "args"]).toString()).not.toContain(`${bucket}/${PREFIX}/interrupted`);

      const resumed = await migrateCli(["--from", `local:${tree}`, "--to-env", file, "--run", "--no-check"]);
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      expect(resumed.stdout).toContain(`skipped: ${partial.toLocaleString("en-US")} keys`);
      expect(copiedCount(resumed.stdout)).toBe(keys.length - partial);
      const objects = await listAll(`${PREFIX}/interrupted/`);
      const byKey = new Map(
        objects.map((object) => [object.Key!.slice(`${PREFIX}/interrupted/`.length), object.ETag?.replace(/"/g, "")]),
      );
      expect(keys.filter((key) => byKey.get(key) !== md5(path.join(tree, ...key.split("/"))))).toEqual([]);
    },
    LONG,
  );

  it(
    "bench: the product's copy next to bare rclone on the same tree (report, not a timed assertion)",
    async () => {
      const rows: string[] = [];
      const measure = async (label: string, run: () => Promise<number>) => {
        const started = Date.now();
        const copied = await run();
        const seconds = (Date.now() - started) / 1000;
        rows.push(
          `  ${label.padEnd(28)} ${String(copied).padStart(6)} files ${(treeBytes / 1e6).toFixed(1).padStart(7)} MB ${seconds.toFixed(2).padStart(7)} s ${(copied / seconds).toFixed(0).padStart(6)} files/s ${(treeBytes / 1e6 / seconds).toFixed(1).padStart(6)} MB/s`,
        );
        return seconds;
      };
      // Both straight at RGW (not through the R2-like front): bare rclone sends its private ACL, which RGW takes;
      // the product goes through its ACL-dropping front, whose cost is part of the overhead measured. Bare rclone
      // runs with the product's flags, as an admin would copy by hand (rclone's HEAD after each upload included);
      // the product leaves that HEAD out because it then checks every key itself (cli/migrate/rclone.ts noHead),
      // so a third row, bare rclone with --s3-no-head, shows what the front alone costs.
      const prefixed = (name: string) => {
        const env = withEnv(directEnv, "S3_KEY_PREFIX", `${PREFIX}/${name}`);
        const file = path.join(dir, `${name}.env`);
        writeFileSync(file, env, { mode: 0o600 });
        return { file, target: targetOfText(env) };
      };
      const times: Record<"bare" | "bareNoHead" | "product" | "hop", number[]> = {
        bare: [],
        bareNoHead: [],
        product: [],
        hop: [],
      };
      // The product's runs end with the check of every key through the media host: their prefixes must be public
      // like the instance's own (the same public prefixes, one level down).
      const readable = [
        PREFIX,
        ...Array.from({ length: BENCH_ROUNDS }, (_, index) => `${PREFIX}/bench-product-${index + 1}`),
      ];
      await putBucketPolicy(servers.primary, bucket, {
        Version: "2012-10-17",
        Statement: readable.flatMap((prefix, index) =>
          publicReadPolicy(bucket, { kind: "anonymous" }, prefix).Statement.map((statement) => ({
            ...statement,
            Sid: `${statement.Sid ?? "Read"}${index}`,
          })),
        ),
      });
      /** The product's own timing of its rclone passes, without node's start-up. */
      const copyPhase: number[] = [];
      const original = keys.filter(
        (key) =>
          !key.startsWith("media_attachments/files/999/") &&
          !key.startsWith("accounts/avatars/999/") &&
          !key.startsWith("preview_cards/"),
      );
      const runBare = async (round: number) => {
        const bare = prefixed(`bench-bare-${round}`);
        times.bare.push(
          await measure(`bare rclone (round ${round})`, async () => {
            const command = copyCommands({ kind: "local", root: tree }, bare.target)[0]!;
            const result = await runRclone({ ...command, env: remoteEnv("DST", bare.target, undefined) });
            expect(result.code, result.stderr).toBe(0);
            return keys.length;
          }),
        );
      };
      const runBareNoHead = async (round: number) => {
        const bare = prefixed(`bench-bare-nohead-${round}`);
        times.bareNoHead.push(
          await measure(`bare rclone --s3-no-head ${round}`, async () => {
            const command = copyCommands({ kind: "local", root: tree }, bare.target, { noHead: true })[0]!;
            const result = await runRclone({ ...command, env: remoteEnv("DST", bare.target, undefined) });
            expect(result.code, result.stderr).toBe(0);
            return keys.length;
          }),
        );
      };
      const runProduct = async (round: number) => {
        const product = prefixed(`bench-product-${round}`);
        times.product.push(
          await measure(`migrate, front + check ${round}`, async () => {
            const run = await migrateCli(["--from", `local:${tree}`, "--to-env", product.file, "--run"]);
            expect(run.code, run.stdout + run.stderr).toBe(0);
            expect(run.stdout).toContain("0 missing, 0 different");
            copyPhase.push(Number(/^copy: .* in ([\d.]+) s/m.exec(run.stdout)?.[1]));
            return copiedCount(run.stdout);
          }),
        );
      };
      // What a plain Node HTTP proxy hop costs here: bare rclone through the pass-through fault front (http.Server
      // and http.request, no refusal, no signing). The ACL front passes bodies and answers as bytes instead.
      const runHop = async (round: number) => {
        const hopTarget = prefixed(`bench-hop-${round}`);
        const hop = await startFront(servers.primary.endpoint);
        try {
          const command = copyCommands({ kind: "local", root: tree }, hopTarget.target)[0]!;
          times.hop.push(
            await measure(`bare rclone + Node HTTP hop ${round}`, async () => {
              const result = await runRclone({
                ...command,
                env: { ...remoteEnv("DST", hopTarget.target, undefined), RCLONE_CONFIG_DST_ENDPOINT: hop.url },
              });
              expect(result.code, result.stderr).toBe(0);
              return keys.length;
            }),
          );
        } finally {
          await hop.close();
        }
      };
      // Alternating which goes first, so that neither always meets a warmer (or busier) server.
      for (let round = 1; round <= BENCH_ROUNDS; round++) {
        if (round % 2) await runBare(round).then(() => runProduct(round));
        else await runProduct(round).then(() => runBare(round));
        await runBareNoHead(round);
        await runHop(round);
      }
      const best = (values: number[]) => Math.min(...values);
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
      const overhead = (best(times.product) / best(times.bare) - 1) * 100;
      console.log(
        [
          `migrate bench: ${keys.length} files (${original.length} of the first tree), ${(treeBytes / 1e6).toFixed(1)} MB, Ceph RGW on loopback, 16 transfers`,
          ...rows,
          `  whole migrate run (node start-up, the copy, then the check of every key) against bare rclone: best ${overhead.toFixed(1)}%, median ${((median(times.product) / median(times.bare) - 1) * 100).toFixed(1)}%`,
          `  a Node HTTP proxy hop alone (bare rclone through test/e2e/front, for comparison): best ${((best(times.hop) / best(times.bare) - 1) * 100).toFixed(1)}%, median ${((median(times.hop) / median(times.bare) - 1) * 100).toFixed(1)}%`,
          `  product overhead of the copy phase (${copyPhase.map((seconds) => `${seconds.toFixed(2)} s`).join(", ")}) against bare rclone: best ${((best(copyPhase) / best(times.bare) - 1) * 100).toFixed(1)}%, median ${((median(copyPhase) / median(times.bare) - 1) * 100).toFixed(1)}%`,
          `  the front alone (the copy phase against bare rclone --s3-no-head): best ${((best(copyPhase) / best(times.bareNoHead) - 1) * 100).toFixed(1)}%, median ${((median(copyPhase) / median(times.bareNoHead) - 1) * 100).toFixed(1)}%`,
        ].join("\n"),
      );
      expect(times.product.length).toBe(BENCH_ROUNDS);
    },
    LONG,
  );
});
