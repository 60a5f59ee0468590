import { DeleteBucketCorsCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selfCheckCommand } from "../../components/self-check";
import type { PolicyDocument } from "../../components/policy-documents";
import { readStackFile } from "../../offline-plan/stack-file";
import { planConfig } from "../helpers/plan";
import { documentsFromPlans, forBucket, plannedDocument, type Documents } from "./documents";
import {
  bucketNames,
  createBucket,
  createWriter,
  keysIn,
  localEnv,
  putBucketPolicy,
  putWriterPolicy,
  serversFromEnv,
  uniqueBucket,
  withEnv,
  withRgwBatchDelete,
  withStatement,
  type Servers,
  type Writer,
} from "./server";
import { ALL_PASS, failed, ROOT, runWithEnv, statuses, verifyJson } from "./verify-cli";

const ORIGIN = "https://social.example.com";

let servers: Servers;
let documents: Documents;

beforeAll(async () => {
  servers = serversFromEnv();
  documents = await documentsFromPlans();
  console.log(
    [
      "documents applied to the local server:",
      `  bucket policy: ${documents.bucketPolicy.source}`,
      `  writer policy: ${documents.writerPolicy.source}`,
      `  CORS rules:    ${documents.corsRules.source}`,
    ].join("\n"),
  );
});

afterAll(() => servers?.close());

interface Scenario {
  bucket: string;
  writer: Writer;
  env: string;
  bucketPolicy: PolicyDocument;
}

/** A fresh bucket with the planned bucket policy and CORS rules, and a fresh writer with the planned policy. */
async function scenario(name: string, options: { rgwBatchDelete?: boolean } = {}): Promise<Scenario> {
  const bucket = uniqueBucket(name);
  const bucketPolicy = forBucket(documents.bucketPolicy, bucket);
  await createBucket(servers.primary, bucket, bucketPolicy, documents.corsRules.value);
  const writer = createWriter([servers.primary, servers.other], name);
  const planned = forBucket(documents.writerPolicy, bucket);
  await putWriterPolicy(
    servers.primary,
    writer,
    options.rgwBatchDelete === false ? planned : withRgwBatchDelete(planned, bucket),
  );
  return { bucket, writer, env: localEnv(servers.primary, bucket, writer), bucketPolicy };
}

/** What every run must leave behind: no probe in the bucket, no secret in the output. */
async function expectCleanRun(run: { stdout: string; stderr: string }, bucket: string, writer: Writer): Promise<void> {
  expect(await keysIn(servers.primary, bucket)).toEqual([]);
  const output = run.stdout + run.stderr;
  expect(output).not.toContain(writer.secretAccessKey);
  expect(output).not.toContain(writer.accessKeyId);
}

describe("verify against a local Ceph RGW", () => {
  it("passes every check on storage built from the components' documents, run as pulumi up's self-check runs it", async () => {
    const setup = await scenario("baseline");
    const bucketsBefore = await bucketNames(servers.primary);

    const [program, ...args] = ["sh", "-c", selfCheckCommand(ORIGIN)];
    const text = await runWithEnv(program as string, args, setup.env);
    expect(text.code).toBe(0);
    for (const id of Object.entries(ALL_PASS)
      .filter(([, status]) => status === "pass")
      .map(([id]) => id))
      expect(text.stdout).toContain(`PASS  ${id}:`);
    // The upload, the multipart upload, the two private-prefix probes and the cacheable CORS probe; the refused
    // anonymous PUT created nothing.
    expect(text.stdout).toContain("Probes: 5 created, 5 removed.");

    const { code, report } = await verifyJson(setup.env, ["--origin", ORIGIN]);
    expect(code).toBe(0);
    expect(statuses(report)).toEqual(ALL_PASS);
    expect(report.probes).toEqual({ created: 5, removed: 5, leftover: [] });
    expect(await bucketNames(servers.primary)).toEqual(bucketsBefore);
    await expectCleanRun(text, setup.bucket, setup.writer);
  });

  it("fails only no-listing when the bucket policy lets anyone list the bucket", async () => {
    const setup = await scenario("listing");
    await putBucketPolicy(
      servers.primary,
      setup.bucket,
      withStatement(setup.bucketPolicy, {
        Sid: "PublicListing",
        Effect: "Allow",
        Principal: { AWS: ["*"] },
        Action: ["s3:ListBucket"],
        Resource: [`arn:aws:s3:::${setup.bucket}`],
      }),
    );
    const run = await verifyJson(setup.env);
    expect(run.code).toBe(1);
    expect(failed(run.report)).toEqual(["no-listing"]);
    const check = run.report.checks.find((c) => c.id === "no-listing");
    expect(check?.observed).toEqual([`GET ${servers.primary.endpoint}/${setup.bucket}/: 200, an S3 listing of keys`]);
    expect(check?.cause).toContain("anyone can list every key");
    await expectCleanRun(run, setup.bucket, setup.writer);
  });

  it("fails only writer-cannot-change-policy when the writer holds s3:* on its bucket", async () => {
    const setup = await scenario("s3star");
    await putWriterPolicy(servers.primary, setup.writer, {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "s3:*",
          Resource: [`arn:aws:s3:::${setup.bucket}`, `arn:aws:s3:::${setup.bucket}/*`],
        },
      ],
    });
    const run = await verifyJson(setup.env);
    expect(run.code).toBe(1);
    expect(failed(run.report)).toEqual(["writer-cannot-change-policy"]);
    const check = run.report.checks.find((c) => c.id === "writer-cannot-change-policy");
    expect(check?.observed).toEqual([
      `PutBucketPolicy on ${setup.bucket} (an invalid document, so that nothing changes; Content-MD5, no checksum headers): 400 InvalidArgument`,
    ]);
    expect(check?.cause).toContain("passed the authorization check");
    await expectCleanRun(run, setup.bucket, setup.writer);
  });

  it("fails only cors when the bucket's CORS rules are removed", async () => {
    const setup = await scenario("nocors");
    await servers.primary.s3.send(new DeleteBucketCorsCommand({ Bucket: setup.bucket }));
    const run = await verifyJson(setup.env, ["--origin", ORIGIN]);
    expect(run.code).toBe(1);
    expect(failed(run.report)).toEqual(["cors", "cors-after-cache"]);
    expect(run.report.checks.find((c) => c.id === "cors")?.observed).toEqual([
      `GET with Origin: ${ORIGIN}: 200, Access-Control-Allow-Origin: (none)`,
      `OPTIONS preflight (GET) from ${ORIGIN}: 403 AccessDenied, Access-Control-Allow-Origin: (none)`,
    ]);
    await expectCleanRun(run, setup.bucket, setup.writer);
  });

  it("fails only private-prefixes when backups/ is publicly readable", async () => {
    const setup = await scenario("backups");
    await putBucketPolicy(
      servers.primary,
      setup.bucket,
      withStatement(setup.bucketPolicy, {
        Sid: "PublicBackups",
        Effect: "Allow",
        Principal: { AWS: ["*"] },
        Action: ["s3:GetObject"],
        Resource: [`arn:aws:s3:::${setup.bucket}/backups/*`],
      }),
    );
    const run = await verifyJson(setup.env);
    expect(run.code).toBe(1);
    expect(failed(run.report)).toEqual(["private-prefixes"]);
    expect(run.report.checks.find((c) => c.id === "private-prefixes")?.cause).toMatch(
      /^objects under backups\/ are readable by anyone/,
    );
    await expectCleanRun(run, setup.bucket, setup.writer);
  });

  it("fails only writer-upload, naming the endpoint, when S3_ENDPOINT is another region's server", async () => {
    const setup = await scenario("endpoint");
    const run = await verifyJson(withEnv(setup.env, "S3_ENDPOINT", servers.other.endpoint));
    expect(run.code).toBe(1);
    expect(failed(run.report)).toEqual(["writer-upload"]);
    const upload = run.report.checks.find((c) => c.id === "writer-upload");
    expect(upload?.observed[0]).toMatch(/: 404 NoSuchBucket$/);
    expect(upload?.cause).toBe(
      `bucket ${setup.bucket} does not exist at ${servers.other.endpoint}: the endpoint belongs to another region or account (on Spaces the region is part of the endpoint), or S3_BUCKET is misspelled`,
    );
    await expectCleanRun(run, setup.bucket, setup.writer);
  });

  it("accepts another S3_REGION against a server that ignores the signing region, as Ceph RGW does", async () => {
    const setup = await scenario("region");
    const run = await verifyJson(withEnv(setup.env, "S3_REGION", "eu-west-1"));
    expect(statuses(run.report)).toEqual(ALL_PASS);
    await expectCleanRun(run, setup.bucket, setup.writer);
  });

  it("fails only writer-upload, naming the ACL, when S3_PERMISSION=public-read meets a bucket that refuses ACL headers", async () => {
    const setup = await scenario("acl");
    // What AWS's BucketOwnerEnforced does, written as RGW can enforce it: uploads that carry any canned ACL are denied.
    await putBucketPolicy(
      servers.primary,
      setup.bucket,
      withStatement(setup.bucketPolicy, {
        Sid: "NoAclHeaders",
        Effect: "Deny",
        Principal: { AWS: ["*"] },
        Action: ["s3:PutObject"],
        Resource: [`arn:aws:s3:::${setup.bucket}/*`],
        Condition: { StringLike: { "s3:x-amz-acl": ["?*"] } },
      }),
    );
    const run = await verifyJson(withEnv(setup.env, "S3_PERMISSION", "public-read"));
    expect(run.code).toBe(1);
    expect(failed(run.report)).toEqual(["writer-upload"]);
    const upload = run.report.checks.find((c) => c.id === "writer-upload");
    expect(upload?.observed[1]).toBe("the same upload without x-amz-acl: 200");
    // 403 on the ACL header with S3_PERMISSION written out: the fix names both modes (live-checks/acl-mode.ts).
    expect(upload?.fix).toContain("set S3_PERMISSION= (empty) so that Mastodon sends no ACL");
    await expectCleanRun(run, setup.bucket, setup.writer);
  });

  it("fails only writer-delete, naming the bucket ARN, when the planned writer policy meets RGW's batch-delete authorization", async () => {
    const setup = await scenario("batchdelete", { rgwBatchDelete: false });
    const run = await verifyJson(setup.env);
    expect(run.code).toBe(1);
    expect(failed(run.report)).toEqual(["writer-delete"]);
    const check = run.report.checks.find((c) => c.id === "writer-delete");
    expect(check?.cause).toMatch(/^batch deletes are refused while single deletes work/);
    expect(check?.fix).toContain(`add arn:aws:s3:::${setup.bucket} to the Resource of its s3:DeleteObject statement`);
    expect(run.report.probes.leftover).toEqual([]);
    await expectCleanRun(run, setup.bucket, setup.writer);
  });

  it("passes with S3_KEY_PREFIX on documents planned for a key prefix", async () => {
    // The committed dev (MinIO) stack with a key prefix added: its policies then cover social/ only.
    const plan = await planConfig({ ...readStackFile("dev", ROOT).config, "mastodon-media:keyPrefix": "social" });
    const bucket = uniqueBucket("prefix");
    await createBucket(
      servers.primary,
      bucket,
      forBucket(plannedDocument<PolicyDocument>(plan, "minio:index/s3BucketPolicy:S3BucketPolicy", "policy"), bucket),
      documents.corsRules.value,
    );
    const writer = createWriter([servers.primary], "prefix");
    await putWriterPolicy(
      servers.primary,
      writer,
      withRgwBatchDelete(
        forBucket(plannedDocument<PolicyDocument>(plan, "minio:index/iamPolicy:IamPolicy", "policy"), bucket),
        bucket,
      ),
    );
    const run = await verifyJson(localEnv(servers.primary, bucket, writer, "social"));
    // Everything works, but orphan cleanup cannot: tootctl media remove-orphans lists without the prefix.
    expect(statuses(run.report)).toEqual({ ...ALL_PASS, "writer-list": "warn" });
    expect(run.report.checks.find((c) => c.id === "writer-list")?.cause).toMatch(
      /`tootctl media remove-orphans` cannot work/,
    );
    expect(run.report.checks.find((c) => c.id === "writer-upload")?.observed[0]).toMatch(
      /^PUT social\/media_attachments\//,
    );
    await expectCleanRun(run, bucket, writer);
  });
});
