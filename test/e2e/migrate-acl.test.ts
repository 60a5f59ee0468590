import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  CreateBucketCommand,
  GetObjectAclCommand,
  PutBucketAclCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_USERS } from "../../cli/migrate/source-acl";
import { writerPolicy } from "../../components/policy-documents";
import { migrateCli } from "../helpers/migrate-cli";
import {
  createWriter,
  localEnv,
  putWriterPolicy,
  serversFromEnv,
  uniqueBucket,
  withRgwBatchDelete,
  type Servers,
  type Writer,
} from "./server";

/**
 * migrate in object-ACL mode (S3_PERMISSION=public-read, as on Spaces, which is built on RGW), on a real Ceph
 * RGW: what the source keeps private stays private in the copy. Mastodon makes a suspended account's media
 * private (the `private` ACL in a bucket, `chmod 0600` on disk: app/services/suspend_account_service.rb); rclone
 * cannot copy ACLs and would give every media key public-read. The pass reads each copied key's ACL (or file
 * mode), copies the private ones with the private ACL, and the check proves them refused without a key.
 */

let servers: Servers;
let dir: string;

interface AclBucket {
  bucket: string;
  writer: Writer;
  env: string;
  file: string;
  client: S3Client;
}

async function aclBucket(name: string): Promise<AclBucket> {
  const server = servers.primary;
  const bucket = uniqueBucket(name);
  await server.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await server.s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "private" }));
  const writer = createWriter([server], name);
  await putWriterPolicy(server, writer, withRgwBatchDelete(writerPolicy(bucket), bucket));
  const env = localEnv(server, bucket, writer, undefined, "object-acl");
  const file = path.join(dir, `${name}.env`);
  writeFileSync(file, env, { mode: 0o600 });
  const client = new S3Client({
    endpoint: server.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: writer.accessKeyId, secretAccessKey: writer.secretAccessKey },
  });
  return { bucket, writer, env, file, client };
}

const anonymous = (server: Servers["primary"], bucket: string, key: string) =>
  fetch(`${server.endpoint}/${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`).then(
    (response) => response.status,
  );

const publicGrant = async (client: S3Client, bucket: string, key: string) =>
  ((await client.send(new GetObjectAclCommand({ Bucket: bucket, Key: key }))).Grants ?? []).some(
    (grant) => grant.Grantee?.URI === ALL_USERS,
  );

beforeAll(() => {
  servers = serversFromEnv();
  dir = mkdtempSync(path.join(tmpdir(), "migrate-acl-"));
});

afterAll(() => {
  servers?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("migrate in object-ACL mode keeps private what the source keeps private", () => {
  const publicKey = "media_attachments/files/000/000/001/original/public.jpg";
  const suspendedKey = "media_attachments/files/000/000/002/original/suspended.jpg";
  const archive = "backups/dump/000/000/003/original/archive.zip";

  it("from a bucket: a media key with a private ACL is copied private, and the check proves it refused without a key", async () => {
    const source = await aclBucket("acl-src");
    const destination = await aclBucket("acl-dst");
    for (const [key, acl] of [
      [publicKey, "public-read"],
      [suspendedKey, "private"],
      [archive, "private"],
    ] as const) {
      await source.client.send(
        new PutObjectCommand({
          Bucket: source.bucket,
          Key: key,
          Body: `bytes of ${key}`,
          ContentType: key.endsWith(".zip") ? "application/zip" : "image/jpeg",
          ACL: acl,
        }),
      );
    }
    const run = await migrateCli(["--from-env", source.file, "--to-env", destination.file, "--run"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain("1 media keys private in the source keep the private ACL");
    expect(run.stdout).toContain("0 missing, 0 different");
    expect(await anonymous(servers.primary, destination.bucket, publicKey)).toBe(200);
    expect(await anonymous(servers.primary, destination.bucket, suspendedKey)).toBe(403);
    expect(await anonymous(servers.primary, destination.bucket, archive)).toBe(403);
    expect(await publicGrant(destination.client, destination.bucket, suspendedKey)).toBe(false);
    expect(await publicGrant(destination.client, destination.bucket, publicKey)).toBe(true);

    // A private copy made public by mistake: the next pass copies nothing, and its check (the sample holds the
    // whole small tree, each key's source ACL read) names it.
    await destination.client.send(
      new PutObjectAclCommand({ Bucket: destination.bucket, Key: suspendedKey, ACL: "public-read" }),
    );
    const again = await migrateCli(["--from-env", source.file, "--to-env", destination.file, "--run"]);
    expect(again.stdout).toContain("copy: 0 files");
    expect(again.stdout).toContain(`different: ${suspendedKey}: private in the source, but answers 200 without a key`);
    expect(again.code).toBe(1);
    source.client.destroy();
    destination.client.destroy();
  }, 300_000);

  it("from local storage: a file without the world-read bit (chmod 0600) is copied private", async () => {
    const destination = await aclBucket("acl-local");
    const root = path.join(dir, "system");
    for (const key of [publicKey, suspendedKey]) {
      const file = path.join(root, ...key.split("/"));
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `bytes of ${key}`);
      chmodSync(file, key === suspendedKey ? 0o600 : 0o644);
    }
    const run = await migrateCli(["--from", `local:${root}`, "--to-env", destination.file, "--run"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain("1 media keys private in the source keep the private ACL");
    expect(await anonymous(servers.primary, destination.bucket, publicKey)).toBe(200);
    expect(await anonymous(servers.primary, destination.bucket, suspendedKey)).toBe(403);
    destination.client.destroy();
  }, 300_000);
});
