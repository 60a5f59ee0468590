import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentsFromPlans, forBucket, type Documents } from "./documents";
import {
  bucketNames,
  createBucket,
  createWriter,
  keysIn,
  localEnv,
  putBucketPolicy,
  putWriterPolicy,
  withRgwBatchDelete,
  serversFromEnv,
  uniqueBucket,
  withEnv,
  type Servers,
  type Writer,
} from "./server";
import { verifyJson } from "./verify-cli";

let servers: Servers;
let documents: Documents;

beforeAll(async () => {
  servers = serversFromEnv();
  documents = await documentsFromPlans();
});

afterAll(() => servers?.close());

/** A bucket with the planned CORS rules and writer policy; the bucket policy only when asked (a lagging CDN has none yet). */
async function setup(name: string, withPolicy = true): Promise<{ bucket: string; writer: Writer; env: string }> {
  const bucket = uniqueBucket(name);
  const policy = forBucket(documents.bucketPolicy, bucket);
  await createBucket(
    servers.primary,
    bucket,
    withPolicy ? policy : { Version: "2012-10-17", Statement: [] },
    documents.corsRules.value,
  );
  const writer = createWriter([servers.primary], name);
  await putWriterPolicy(servers.primary, writer, withRgwBatchDelete(forBucket(documents.writerPolicy, bucket), bucket));
  return { bucket, writer, env: localEnv(servers.primary, bucket, writer) };
}

/** Nothing was created: no key in the bucket, no new bucket on the server. */
async function expectNothingCreated(bucket: string, bucketsBefore: string[]): Promise<void> {
  expect(await keysIn(servers.primary, bucket)).toEqual([]);
  expect(await bucketNames(servers.primary)).toEqual(bucketsBefore);
}

describe("verify with unusable input", () => {
  it("names each missing key once, exits 2 and creates nothing", async () => {
    const { bucket, env } = await setup("missing");
    const before = await bucketNames(servers.primary);
    const broken = withEnv(withEnv(env, "S3_ENABLED", undefined), "AWS_SECRET_ACCESS_KEY", undefined);
    const run = await verifyJson(broken);
    expect(run.code).toBe(2);
    expect(run.report.problems).toEqual([
      "S3_ENABLED is missing: Mastodon ignores every S3_ variable unless S3_ENABLED=true",
      "AWS_SECRET_ACCESS_KEY is missing: the secret key Mastodon signs with (a stack of this project renders it in envProduction)",
    ]);
    await expectNothingCreated(bucket, before);
  });

  it("names malformed lines by number without echoing their text, exits 2 and creates nothing", async () => {
    const { bucket, writer, env } = await setup("malformed");
    const before = await bucketNames(servers.primary);
    const lines = withEnv(env, "AWS_SECRET_ACCESS_KEY", undefined).trimEnd().split("\n");
    lines.splice(2, 1, "S3_REGION us-east-1");
    lines.push(`AWS_SECRET_ACCESS_KEY="${writer.secretAccessKey}`);
    const run = await verifyJson(`${lines.join("\n")}\n`);
    expect(run.code).toBe(2);
    expect(run.report.problems).toEqual([
      "line 3: S3_REGION has no '=': expected S3_REGION=value",
      `line ${lines.length}: AWS_SECRET_ACCESS_KEY has no closing double quote`,
    ]);
    expect(run.stdout + run.stderr).not.toContain(writer.secretAccessKey);
    await expectNothingCreated(bucket, before);
  });

  it("names an unreachable endpoint, exits 2 and creates nothing", async () => {
    const { bucket, env } = await setup("unreachable");
    const before = await bucketNames(servers.primary);
    // Port 1 (tcpmux) is privileged and unused here: connections to it are refused at once.
    const run = await verifyJson(withEnv(env, "S3_ENDPOINT", "http://127.0.0.1:1"));
    expect(run.code).toBe(2);
    expect(run.report.problems).toEqual([
      "S3_ENDPOINT (127.0.0.1:1) is unreachable: connection refused (nothing listens on port 1): correct S3_ENDPOINT or start the server",
    ]);
    await expectNothingCreated(bucket, before);
  });
});

describe("verify while the media host lags", () => {
  it("retries with progress until the media host serves the probe, then passes", async () => {
    const { bucket, env } = await setup("lagging", false);
    let applied = false;
    const run = await verifyJson(env, ["--retry-for", "60"], (stderr) => {
      // The first retry is the moment a CDN would finish deploying: apply the planned bucket policy now.
      if (!applied && stderr.includes("public-read: GET")) {
        applied = true;
        void putBucketPolicy(servers.primary, bucket, forBucket(documents.bucketPolicy, bucket));
      }
    });
    expect(run.stderr).toMatch(/public-read: GET \S+: 403 AccessDenied, .*; retry 1 in 1 s \(\d+ s left\)/);
    expect(run.code).toBe(0);
    expect(run.report.checks.find((c) => c.id === "public-read")?.attempts).toBeGreaterThan(1);
    expect(await keysIn(servers.primary, bucket)).toEqual([]);
  });

  it("removes its probes and exits 130 when interrupted with Ctrl-C during a retry", async () => {
    const { bucket, env } = await setup("interrupted", false);
    let interrupted = false;
    const run = await verifyJson(env, ["--retry-for", "60"], (stderr, child) => {
      if (!interrupted && stderr.includes("public-read: GET")) {
        interrupted = true;
        child.kill("SIGINT");
      }
    });
    expect(run.code).toBe(130);
    expect(run.report.interrupted).toBe(true);
    expect(run.report.checks.map((c) => c.id)).toEqual([
      "region-endpoint",
      "tls",
      "writer-upload",
      "writer-read",
      "writer-list",
      "writer-multipart",
    ]);
    // The probe and the multipart probe (at S3_MULTIPART_THRESHOLD).
    expect(run.report.probes).toEqual({ created: 2, removed: 2, leftover: [] });
    expect(await keysIn(servers.primary, bucket)).toEqual([]);
  });
});
