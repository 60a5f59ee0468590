import { PutBucketAclCommand, CreateBucketCommand, PutBucketCorsCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planStack } from "../../offline-plan/run";
import type { Plan } from "../../components/plan-model";
import type { CorsRule } from "../../components/cors";
import type { PolicyDocument } from "../../components/policy-documents";
import { DIGITALOCEAN } from "../../policy/resource-types";
import { documentsFromPlans, forBucket, type Documents } from "./documents";
import {
  createWriter,
  keysIn,
  localEnv,
  putBucketPolicy,
  putWriterPolicy,
  serversFromEnv,
  uniqueBucket,
  withEnv,
  withRgwBatchDelete,
  type Servers,
  type Writer,
} from "./server";
import { selfCheckCommand } from "../../components/self-check";
import { startFront } from "./front/front";
import { ALL_PASS as NO_ACL_ALL_PASS, failed, runWithEnv, statuses, verifyJson } from "./verify-cli";

/**
 * The DigitalOcean stack's object-ACL mode on a real Ceph RGW (Spaces is built on RGW): the bucket as the
 * planned SpacesBucket makes it (bucket ACL from the plan, `private`; no bucket policy, which the plan must not
 * have), the planned CORS rules, and a writer that is not the bucket's owner, holding what a `readwrite` Spaces
 * key holds (read, write, list, delete in the bucket: the planned writer policy). verify then uploads with the
 * canned ACLs Mastodon sends: `public-read` for media, `private` for archives.
 */

const ORIGIN = "https://social.example.com";

/** ACL mode (S3_PERMISSION=public-read): the object-ACL proof runs and must pass. */
const ALL_PASS = { ...NO_ACL_ALL_PASS, "object-acls": "pass", "suspension-acl": "pass" };

let servers: Servers;
let documents: Documents;
let spaces: { bucketAcl: string; corsRules: CorsRule[]; s3Permission: string };

beforeAll(async () => {
  servers = serversFromEnv();
  documents = await documentsFromPlans();
  const plan: Plan = await planStack("digitalocean");
  const bucket = plan.resources.find((resource) => resource.type === DIGITALOCEAN.spacesBucket);
  const cors = plan.resources.find((resource) => resource.type === DIGITALOCEAN.spacesBucketCors);
  if (!bucket || !cors) throw new Error("the digitalocean plan has no SpacesBucket or CORS configuration");
  expect(plan.resources.filter((resource) => resource.type === DIGITALOCEAN.spacesBucketPolicy)).toEqual([]);
  const permission = /^S3_PERMISSION=(.*)$/m.exec(String(plan.outputs.envProduction?.value))?.[1];
  spaces = {
    bucketAcl: String(bucket.inputs.acl),
    corsRules: cors.inputs.corsRules as CorsRule[],
    s3Permission: String(permission),
  };
  expect(spaces).toMatchObject({ bucketAcl: "private", s3Permission: "public-read" });
});

afterAll(() => servers?.close());

interface Scenario {
  bucket: string;
  writer: Writer;
  env: string;
}

/** A bucket and a writer as the DigitalOcean stack plans them, on the local server, and the env it renders. */
async function scenario(name: string): Promise<Scenario> {
  const server = servers.primary;
  const bucket = uniqueBucket(name);
  await server.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await server.s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: spaces.bucketAcl as "private" }));
  await server.s3.send(
    new PutBucketCorsCommand({
      Bucket: bucket,
      CORSConfiguration: {
        CORSRules: spaces.corsRules.map((rule) => ({
          AllowedMethods: rule.allowedMethods,
          AllowedOrigins: rule.allowedOrigins,
          AllowedHeaders: rule.allowedHeaders,
          ExposeHeaders: rule.exposeHeaders,
          MaxAgeSeconds: rule.maxAgeSeconds,
        })),
      },
    }),
  );
  const writer = createWriter([server], name);
  // RGW authorizes DeleteObjects against the bucket ARN (see withRgwBatchDelete).
  await putWriterPolicy(server, writer, withRgwBatchDelete(forBucket(documents.writerPolicy, bucket), bucket));
  const env = localEnv(server, bucket, writer, undefined, "object-acl");
  expect(env).toContain(`\nS3_PERMISSION=${spaces.s3Permission}\n`);
  return { bucket, writer, env };
}

async function expectCleanRun(run: { stdout: string; stderr: string }, setup: Scenario): Promise<void> {
  expect(await keysIn(servers.primary, setup.bucket)).toEqual([]);
  expect(run.stdout + run.stderr).not.toContain(setup.writer.secretAccessKey);
}

describe("verify in object-ACL mode (the DigitalOcean stack) against a local Ceph RGW", () => {
  it("passes every check: public-read media served, private media and archives not, the root lists nothing", async () => {
    const setup = await scenario("acl");
    const run = await verifyJson(setup.env, ["--origin", ORIGIN]);
    expect(statuses(run.report)).toEqual(ALL_PASS);
    expect(run.code).toBe(0);
    const check = (id: string) => run.report.checks.find((c) => c.id === id);
    expect(check("writer-upload")?.observed[0]).toMatch(/, x-amz-acl: public-read: 200$/);
    expect(check("object-acls")?.observed).toEqual([
      expect.stringMatching(/acl-public-read\.txt with x-amz-acl: public-read: 200$/),
      expect.stringMatching(/acl-public-read\.txt anonymously: 200$/),
      expect.stringMatching(/acl-private\.txt with x-amz-acl: private: 200$/),
      expect.stringMatching(/acl-private\.txt anonymously: 403 AccessDenied$/),
    ]);
    expect(check("private-prefixes")?.observed).toEqual(
      expect.arrayContaining([expect.stringMatching(/^GET .+\/backups\/.+: 403 AccessDenied$/)]),
    );
    expect(check("no-listing")?.observed).toEqual([
      `GET ${servers.primary.endpoint}/${setup.bucket}/: 403 AccessDenied`,
    ]);
    expect(check("suspension-acl")?.observed).toEqual([
      expect.stringMatching(/acl-suspension\.txt with x-amz-acl: public-read: 200$/),
      expect.stringMatching(/^PutObjectAcl .*acl-suspension\.txt private: 200$/),
      expect.stringMatching(/acl-suspension\.txt anonymously: 403 AccessDenied$/),
      expect.stringMatching(/^PutObjectAcl .*acl-suspension\.txt public-read: 200$/),
      expect.stringMatching(/acl-suspension\.txt anonymously: 200$/),
    ]);
    // The upload, the multipart upload, the cacheable CORS probe, the two private-prefix probes, the two
    // object-ACL probes and the suspension probe; the refused anonymous PUT created nothing.
    expect(run.report.probes).toEqual({ created: 8, removed: 8, leftover: [] });
    await expectCleanRun(run, setup);

    // The same proof as `pulumi up`'s self-check runs it: the env block on standard input.
    const [program, ...args] = ["sh", "-c", selfCheckCommand(ORIGIN)];
    const selfCheck = await runWithEnv(program as string, args, setup.env);
    expect(selfCheck.code).toBe(0);
    expect(selfCheck.stdout).toContain("PASS  object-acls:");
    await expectCleanRun(selfCheck, setup);
  });

  it("fails only no-listing when the bucket ACL is public-read (bucket-wide anonymous listing)", async () => {
    const setup = await scenario("aclbucket");
    await servers.primary.s3.send(new PutBucketAclCommand({ Bucket: setup.bucket, ACL: "public-read" }));
    const run = await verifyJson(setup.env);
    expect(run.code).toBe(1);
    expect(failed(run.report)).toEqual(["no-listing"]);
    await expectCleanRun(run, setup);
  });

  it("fails only object-acls and suspension-acl when a bucket policy reads the public prefixes beside the ACLs: suspensions would hide nothing", async () => {
    const setup = await scenario("aclpolicy");
    // The no-ACL design's anonymous-read policy (the MinIO stack's), which Spaces would refuse beside the key.
    await putBucketPolicy(
      servers.primary,
      setup.bucket,
      forBucket(documents.bucketPolicy, setup.bucket) as PolicyDocument,
    );
    const run = await verifyJson(setup.env);
    expect(run.code).toBe(1);
    expect(failed(run.report)).toEqual(["object-acls", "suspension-acl"]);
    expect(run.report.checks.find((c) => c.id === "suspension-acl")?.cause).toMatch(
      /^after PutObjectAcl private the object is still readable by anyone at /,
    );
    expect(run.report.checks.find((c) => c.id === "object-acls")?.cause).toMatch(
      /^an object uploaded with x-amz-acl: private under media_attachments\/ is readable by anyone at /,
    );
    await expectCleanRun(run, setup);
  });

  it("fails only writer-upload, naming a key that may not set object ACLs, when the writer may not send x-amz-acl", async () => {
    const setup = await scenario("aclkey");
    const policy = withRgwBatchDelete(forBucket(documents.writerPolicy, setup.bucket), setup.bucket);
    await putWriterPolicy(servers.primary, setup.writer, {
      ...policy,
      Statement: [
        ...policy.Statement,
        {
          Sid: "NoAclHeaders",
          Effect: "Deny",
          Action: ["s3:PutObject"],
          Resource: [`arn:aws:s3:::${setup.bucket}/*`],
          Condition: { StringLike: { "s3:x-amz-acl": ["?*"] } },
        },
      ],
    });
    const run = await verifyJson(setup.env);
    expect(run.code).toBe(1);
    expect(failed(run.report)).toEqual(["writer-upload"]);
    const upload = run.report.checks.find((c) => c.id === "writer-upload");
    expect(upload?.observed).toEqual([
      expect.stringMatching(/x-amz-acl: public-read: 403 AccessDenied$/),
      "the same upload without x-amz-acl: 200",
    ]);
    expect(upload?.cause).toMatch(
      /^the writer's key may not set object ACLs: the server answers 403 to the x-amz-acl: public-read header/,
    );
    expect(upload?.fix).toContain("let the writer set ACLs on its objects");
    expect(statuses(run.report)).toMatchObject({ "public-read": "skip", cors: "skip", "object-acls": "skip" });
    await expectCleanRun(run, setup);
  });

  it("fails only suspension-acl, naming the key, when the writer may not change an object's ACL (s3:PutObjectAcl denied)", async () => {
    const setup = await scenario("aclchange");
    const policy = withRgwBatchDelete(forBucket(documents.writerPolicy, setup.bucket), setup.bucket);
    await putWriterPolicy(servers.primary, setup.writer, {
      ...policy,
      Statement: [
        ...policy.Statement,
        {
          Sid: "NoAclChanges",
          Effect: "Deny",
          Action: ["s3:PutObjectAcl"],
          Resource: [`arn:aws:s3:::${setup.bucket}/*`],
        },
      ],
    });
    const run = await verifyJson(setup.env);
    expect(run.code).toBe(1);
    expect(failed(run.report)).toEqual(["suspension-acl"]);
    const change = run.report.checks.find((c) => c.id === "suspension-acl");
    expect(change?.observed.at(-1)).toMatch(/^PutObjectAcl .*acl-suspension\.txt private: 403 AccessDenied/);
    expect(change?.cause).toMatch(
      /^the writer's key may not change the ACL of an object it stored \(s3:PutObjectAcl\): when Mastodon suspends an account the job fails/,
    );
    await expectCleanRun(run, setup);
  });

  it("fails only suspension-acl when a front does not implement PutObjectAcl (501), saying Mastodon only logs it", async () => {
    const setup = await scenario("aclfront");
    const front = await startFront(servers.primary.endpoint, { refusals: ["no-put-object-acl"] });
    try {
      const run = await verifyJson(withEnv(withEnv(setup.env, "S3_ENDPOINT", front.url), "S3_HOSTNAME", front.host));
      expect(run.code).toBe(1);
      expect(failed(run.report)).toEqual(["suspension-acl"]);
      expect(front.refused).toEqual([expect.stringMatching(/^501 NotImplemented PUT \/.*acl-suspension\.txt$/)]);
      expect(run.report.checks.find((c) => c.id === "suspension-acl")?.cause).toMatch(
        /^the server does not implement PutObjectAcl: when Mastodon suspends an account it only logs the error/,
      );
      await expectCleanRun(run, setup);
    } finally {
      await front.close();
    }
  });

  it("fails only public-read when the env sends no ACL (S3_PERMISSION empty) to a bucket that has no bucket policy", async () => {
    const setup = await scenario("aclnone");
    const run = await verifyJson(withEnv(setup.env, "S3_PERMISSION", ""));
    expect(run.code).toBe(1);
    expect(failed(run.report)).toEqual(["public-read"]);
    expect(statuses(run.report)).toMatchObject({ cors: "skip", "object-acls": "skip" });
    await expectCleanRun(run, setup);
  });
});
