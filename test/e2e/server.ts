import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import {
  CreateBucketCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketCorsCommand,
  PutBucketPolicyCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import type { CorsRule } from "../../components/cors";
import { renderEnv, type AclMode } from "../../components/env";
import type { PolicyDocument, PolicyStatement } from "../../components/policy-documents";

const ROOT = path.resolve(__dirname, "../..");

/** One local Ceph RGW started by scripts/e2e.sh. */
export interface LocalServer {
  endpoint: string;
  /** Its state dir: scripts/ceph-s3.sh needs it to create users. */
  dir: string;
  s3: S3Client;
  iam: IAMClient;
}

export interface Servers {
  /** Where the test buckets live. */
  primary: LocalServer;
  /** A second server with the same users and no buckets: "another region's endpoint". */
  other: LocalServer;
  close(): void;
}

/** The servers scripts/e2e.sh started, from the variables it exports. */
export function serversFromEnv(): Servers {
  const need = [
    "E2E_RGW_ENDPOINT",
    "E2E_RGW_DIR",
    "E2E_OTHER_ENDPOINT",
    "E2E_OTHER_DIR",
    "E2E_ADMIN_AK",
    "E2E_ADMIN_SK",
  ];
  const missing = need.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(", ")} not set: run the e2e tests with \`npm run test:e2e\`, which starts the local Ceph RGW servers`,
    );
  }
  const env = (name: string) => process.env[name] as string;
  // The SDK's Node 20 notice is not a test finding.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const credentials = { accessKeyId: env("E2E_ADMIN_AK"), secretAccessKey: env("E2E_ADMIN_SK") };
  const server = (endpoint: string, dir: string): LocalServer => ({
    endpoint,
    dir,
    s3: new S3Client({
      endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    }),
    iam: new IAMClient({ endpoint, region: "us-east-1", credentials }),
  });
  const primary = server(env("E2E_RGW_ENDPOINT"), env("E2E_RGW_DIR"));
  const other = server(env("E2E_OTHER_ENDPOINT"), env("E2E_OTHER_DIR"));
  return {
    primary,
    other,
    // Without destroy() Node keeps the keep-alive sockets open for about a minute.
    close: () => [primary, other].forEach((s) => (s.s3.destroy(), s.iam.destroy())),
  };
}

export interface Writer {
  uid: string;
  accessKeyId: string;
  secretAccessKey: string;
}

const upper = (n: number) => randomBytes(n).toString("hex").toUpperCase().slice(0, n);

/** A fresh RGW user on each given server, with the same keys (Spaces keys work in every region). */
export function createWriter(servers: readonly LocalServer[], name: string): Writer {
  const writer = {
    uid: `writer-${name}-${randomBytes(3).toString("hex")}`,
    accessKeyId: upper(20),
    secretAccessKey: randomBytes(20).toString("hex"),
  };
  for (const server of servers) {
    // The secret goes through the environment: an argv is readable by every local user (/proc/PID/cmdline).
    execFileSync("bash", [path.join(ROOT, "scripts/ceph-s3.sh"), "user", writer.uid, writer.accessKeyId], {
      env: { ...process.env, S3LAB_DIR: server.dir, S3_SECRET_KEY: writer.secretAccessKey },
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  return writer;
}

export function uniqueBucket(name: string): string {
  return `e2e-${name}-${randomBytes(4).toString("hex")}`;
}

/** A bucket owned by the admin (so the writer is not its owner) with the planned policy and CORS rules. */
export async function createBucket(
  server: LocalServer,
  bucket: string,
  policy: PolicyDocument,
  cors: readonly CorsRule[],
): Promise<void> {
  await server.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await putBucketPolicy(server, bucket, policy);
  await server.s3.send(
    new PutBucketCorsCommand({
      Bucket: bucket,
      CORSConfiguration: {
        CORSRules: cors.map((rule) => ({
          AllowedMethods: rule.allowedMethods,
          AllowedOrigins: rule.allowedOrigins,
          AllowedHeaders: rule.allowedHeaders,
          ExposeHeaders: rule.exposeHeaders,
          MaxAgeSeconds: rule.maxAgeSeconds,
        })),
      },
    }),
  );
}

export async function putBucketPolicy(server: LocalServer, bucket: string, policy: PolicyDocument): Promise<void> {
  await server.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
}

/** The writer's one inline policy (replaced on each call: RGW adds up a user's policies). */
export async function putWriterPolicy(server: LocalServer, writer: Writer, policy: PolicyDocument): Promise<void> {
  await server.iam.send(
    new PutUserPolicyCommand({
      UserName: writer.uid,
      PolicyName: "mastodon-media-writer",
      PolicyDocument: JSON.stringify(policy),
    }),
  );
}

/** Every key in a bucket, read by the admin. */
export async function keysIn(server: LocalServer, bucket: string): Promise<string[]> {
  const answer = await server.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (answer.Contents ?? []).map((object) => object.Key as string);
}

export async function bucketNames(server: LocalServer): Promise<string[]> {
  const answer = await server.s3.send(new ListBucketsCommand({}));
  return (answer.Buckets ?? []).map((bucket) => bucket.Name as string);
}

/**
 * The env block renderEnv produces for a bucket on a local server: path style, http on loopback, no alias;
 * `no-acl` like AWS, R2 and MinIO unless `aclMode` says `object-acl` like Spaces.
 */
export function localEnv(
  server: LocalServer,
  bucket: string,
  writer: Writer,
  keyPrefix?: string,
  aclMode: AclMode = "no-acl",
): string {
  const host = new URL(server.endpoint).host;
  return renderEnv({
    bucket,
    region: "us-east-1",
    endpoint: server.endpoint,
    hostname: host,
    protocol: "http",
    keyPrefix,
    extraMediaHosts: [],
    accessKeyId: writer.accessKeyId,
    secretAccessKey: writer.secretAccessKey,
    checksumsOnlyWhenRequired: true,
    aclMode,
  });
}

/** Replaces (or adds) one variable of an env block. */
export function withEnv(env: string, name: string, value: string | undefined): string {
  const lines = env
    .trimEnd()
    .split("\n")
    .filter((line) => !line.startsWith(`${name}=`));
  if (value !== undefined) lines.push(`${name}=${value}`);
  return `${lines.join("\n")}\n`;
}

/**
 * The planned writer policy as a Ceph RGW deployment needs it. RGW authorizes DeleteObjects (Mastodon's only way of
 * deleting media, app/lib/attachment_batch.rb) against the BUCKET's ARN (src/rgw/rgw_op.cc,
 * RGWDeleteMultiObj::verify_permission evaluates s3:DeleteObject on ARN(bucket)), where AWS and MinIO evaluate each
 * key. The planned policy (components/policy-documents.ts) is applied by IAM on AWS and by MinIO, which authorize
 * per key, so it does not grant it; an RGW admin adds this statement, and verify names it when it is missing
 * (the test "fails only writer-delete ... bucket ARN" below).
 */
export function withRgwBatchDelete(policy: PolicyDocument, bucket: string): PolicyDocument {
  return withStatement(policy, {
    Sid: "RgwBatchDelete",
    Effect: "Allow",
    Action: ["s3:DeleteObject"],
    Resource: [`arn:aws:s3:::${bucket}`],
  });
}

export function withStatement(policy: PolicyDocument, statement: PolicyStatement): PolicyDocument {
  return { ...policy, Statement: [...policy.Statement, statement] };
}
