import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VerifyReport } from "../../live-checks/report";
import { documentsFromPlans, forBucket } from "./documents";
import { startFakeMastodon, type FakeMastodon, type FakeMastodonOptions } from "./fake-mastodon";
import { createBucket, createWriter, keysIn, localEnv, putWriterPolicy, serversFromEnv, uniqueBucket, withEnv, withRgwBatchDelete, type Servers } from "./server";
import { ROOT } from "./verify-cli";
import { commandNodeArgs } from "../helpers/npm-script";

const ORIGIN = "https://social.example.com";

const MASTODON_CHECKS = ["mastodon-upload", "mastodon-processed", "mastodon-media-url", "mastodon-object-stored", "mastodon-media-served", "mastodon-delete"];

let servers: Servers;
let bucket: string;
let env: string;
const TOKEN = `tok-${randomBytes(16).toString("hex")}`;

beforeAll(async () => {
  servers = serversFromEnv();
  const documents = await documentsFromPlans();
  bucket = uniqueBucket("mastodon");
  await createBucket(servers.primary, bucket, forBucket(documents.bucketPolicy, bucket), documents.corsRules.value);
  const writer = createWriter([servers.primary, servers.other], "mastodon");
  // RGW authorizes DeleteObjects against the bucket ARN (see withRgwBatchDelete).
  await putWriterPolicy(servers.primary, writer, withRgwBatchDelete(forBucket(documents.writerPolicy, bucket), bucket));
  env = localEnv(servers.primary, bucket, writer);
});

afterAll(() => servers?.close());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  report: VerifyReport;
  fake: FakeMastodon;
}

/** verify --env - --json --mastodon FAKE, with the token in the environment only. */
async function roundTrip(fakeOptions: Partial<FakeMastodonOptions>, token = TOKEN): Promise<Run> {
  const fake = await startFakeMastodon({ env, token: TOKEN, ...fakeOptions });
  try {
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [...commandNodeArgs("verify"), "--env", "-", "--json", "--origin", ORIGIN, "--mastodon", fake.url], {
        cwd: ROOT,
        env: { ...process.env, MASTODON_ACCESS_TOKEN: token },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(env);
    });
    // The token is never printed, whatever happened.
    expect(run.stdout + run.stderr).not.toContain(token);
    let report: VerifyReport;
    try {
      report = JSON.parse(run.stdout) as VerifyReport;
    } catch {
      throw new Error(`no JSON report (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
    }
    return { ...run, report, fake };
  } finally {
    await fake.close();
  }
}

const check = (report: VerifyReport, id: string) => {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${report.checks.map((c) => c.id).join(", ")}`);
  return found;
};
const mastodonStatuses = (report: VerifyReport) => Object.fromEntries(MASTODON_CHECKS.map((id) => [id, check(report, id).status]));

describe("verify --mastodon against a fake Mastodon API and the real RGW", () => {
  it("passes on a good instance: 202, polls while 206, finds both files, fetches them, deletes the attachment", async () => {
    const run = await roundTrip({ processingPolls: 2 });
    expect(mastodonStatuses(run.report)).toEqual(Object.fromEntries(MASTODON_CHECKS.map((id) => [id, "pass"])));
    expect(run.code).toBe(0);
    expect(run.fake.log.map((r) => `${r.method} ${r.path.replace(/\d{10,}/, "ID")} ${r.status}`)).toEqual([
      "POST /api/v2/media 202",
      "GET /api/v1/media/ID 206",
      "GET /api/v1/media/ID 206",
      "GET /api/v1/media/ID 200",
      "DELETE /api/v1/media/ID 200",
      "GET /api/v1/media/ID 404",
    ]);
    const urls = check(run.report, "mastodon-media-url").observed.join("\n");
    expect(urls).toMatch(/url: http:\/\/127\.0\.0\.1:\d+\/e2e-mastodon-[0-9a-f]+\/media_attachments\/files\/(\d{3}\/){6}original\/[0-9a-f]{16}\.png/);
    expect(urls).toMatch(/preview_url: .*\/small\//);
    expect(run.fake.attachments()).toEqual([]);
    expect(await keysIn(servers.primary, bucket)).toEqual([]);
  });

  it("names the token on 401 and stops there", async () => {
    const run = await roundTrip({}, `wrong-${randomBytes(8).toString("hex")}`);
    expect(run.code).toBe(1);
    expect(check(run.report, "mastodon-upload")).toMatchObject({ status: "fail", observed: ['POST /api/v2/media: 401 "The access token is invalid"'] });
    expect(check(run.report, "mastodon-upload").cause).toMatch(/token is missing, mistyped, revoked/);
    expect(mastodonStatuses(run.report)).toMatchObject({ "mastodon-processed": "skip", "mastodon-delete": "skip" });
  });

  it("names the write:media scope on 403", async () => {
    const run = await roundTrip({ scopes: ["read"] });
    expect(check(run.report, "mastodon-upload").cause).toMatch(/lacks the write:media scope/);
    expect(run.code).toBe(1);
  });

  it("blames the file, not the storage, on 422", async () => {
    const run = await roundTrip({ refuseFiles: true });
    expect(check(run.report, "mastodon-upload").observed[0]).toMatch(/^POST \/api\/v2\/media: 422 "Validation failed/);
    expect(check(run.report, "mastodon-upload").cause).toMatch(/refused the file itself/);
  });

  it("waits out a 429 with Retry-After and then passes", async () => {
    const run = await roundTrip({ rateLimit: { answers: 2, retryAfterSeconds: 1 } });
    expect(check(run.report, "mastodon-upload")).toMatchObject({ status: "pass" });
    expect(check(run.report, "mastodon-upload").observed[0]).toMatch(/after 2 rate limit wait\(s\)/);
    expect(run.fake.log.filter((r) => r.status === 429)).toHaveLength(2);
    expect(run.code).toBe(0);
  });

  it("reports a Retry-After longer than it may wait instead of sitting through it", async () => {
    const started = Date.now();
    const run = await roundTrip({ rateLimit: { answers: 10, retryAfterSeconds: 3600 } });
    expect(check(run.report, "mastodon-upload").cause).toMatch(/rate-limits this token or address for 3600 s/);
    expect(run.fake.log.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it("hands a 500 'Media could not be stored' to the storage checks: they pass, so Mastodon runs with another env", async () => {
    const brokenEnv = withEnv(env, "AWS_SECRET_ACCESS_KEY", randomBytes(20).toString("hex"));
    const run = await roundTrip({ env: brokenEnv });
    expect(check(run.report, "writer-upload").status).toBe("pass");
    expect(check(run.report, "mastodon-upload").observed[0]).toBe('POST /api/v2/media: 500 "Media could not be stored"');
    expect(check(run.report, "mastodon-upload").cause).toMatch(/storage accepts uploads with the env verified here, so Mastodon runs with another env/);
    expect(check(run.report, "mastodon-upload").fix).toMatch(/systemctl restart mastodon-web mastodon-sidekiq mastodon-streaming/);
  });

  it("says Mastodon runs with another env when its URLs are on another host, and still deletes the attachment", async () => {
    const run = await roundTrip({ env: withEnv(withEnv(env, "S3_ALIAS_HOST", "files.old.example"), "S3_PROTOCOL", "https") });
    const urls = check(run.report, "mastodon-media-url");
    expect(urls.status).toBe("fail");
    expect(urls.observed[0]).toMatch(/^url: https:\/\/files\.old\.example\/media_attachments\/.* is not under http:\/\/127\.0\.0\.1:\d+\/e2e-mastodon-/);
    expect(urls.cause).toMatch(/differs from the one verified here .* not restarted/);
    expect(check(run.report, "mastodon-delete").status).toBe("pass");
    expect(run.fake.attachments()).toEqual([]);
    expect(run.code).toBe(1);
  });

  it("leaves the upload to Mastodon's cleanup on an instance older than 4.4 (no DELETE route), without failing", async () => {
    const run = await roundTrip({ noDeleteRoute: true, processingPolls: 0 });
    expect(check(run.report, "mastodon-processed").observed).toEqual(["processed at once (200 with a url)"]);
    expect(check(run.report, "mastodon-delete")).toMatchObject({ status: "skip" });
    expect(check(run.report, "mastodon-delete").observed[0]).toMatch(/before 4\.4/);
    expect(run.report.probes.leftover).toEqual([]);
    expect(run.code).toBe(0);
  });
});
