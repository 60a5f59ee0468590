import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { documentsFromPlans, forBucket, type Documents } from "./documents";
import { startFront, type Front, type MediaMode } from "./front/front";
import type { Refusal } from "./front/refusals";
import {
  createBucket,
  createWriter,
  keysIn,
  localEnv,
  putWriterPolicy,
  serversFromEnv,
  uniqueBucket,
  withEnv,
  withRgwBatchDelete,
  type Servers,
  type Writer,
} from "./server";
import { failed, ROOT, statuses, verifyJson } from "./verify-cli";
import type { PolicyDocument } from "../../components/policy-documents";
import { commandNodeArgs } from "../helpers/npm-script";

/**
 * verify and doctor through a fault-injection front (./front) that answers as real providers answer in public
 * reports, before the real Ceph RGW. Each test asserts the cause verify names, with no false alarm and no false PASS.
 * The envs are the cases of test/fixtures/cases with the endpoint pointed at the front and LAB_WRITER_* replaced.
 */
let servers: Servers;
let documents: Documents;
const fronts: Front[] = [];

beforeAll(async () => {
  servers = serversFromEnv();
  documents = await documentsFromPlans();
});
afterAll(async () => {
  await Promise.all(fronts.map((f) => f.close()));
  servers?.close();
});

interface Setup {
  bucket: string;
  writer: Writer;
  env: string;
  front: Front;
}

async function setup(
  name: string,
  refusals: Refusal[],
  options: { writerPolicy?: (p: PolicyDocument, bucket: string) => PolicyDocument } = {},
): Promise<Setup> {
  const bucket = uniqueBucket(name);
  await createBucket(servers.primary, bucket, forBucket(documents.bucketPolicy, bucket), documents.corsRules.value);
  const writer = createWriter([servers.primary], name);
  const planned = withRgwBatchDelete(forBucket(documents.writerPolicy, bucket), bucket);
  await putWriterPolicy(
    servers.primary,
    writer,
    options.writerPolicy ? options.writerPolicy(planned, bucket) : planned,
  );
  const front = await startFront(servers.primary.endpoint, { refusals });
  fronts.push(front);
  let env = localEnv(servers.primary, bucket, writer);
  env = withEnv(withEnv(env, "S3_ENDPOINT", front.url), "S3_HOSTNAME", front.host);
  return { bucket, writer, env, front };
}

/** The variables of a case file that describe the situation (ACL, checksums, threshold), onto a local env. */
function withCase(env: string, file: string, names: string[]): string {
  const text = readFileSync(path.join(ROOT, "test/fixtures/cases/envs", file), "utf8");
  let result = env;
  for (const name of names) {
    const line = text.split("\n").find((l) => l.startsWith(`${name}=`));
    result = withEnv(result, name, line === undefined ? undefined : line.slice(name.length + 1));
  }
  return result;
}

async function expectClean(
  run: { stdout: string; stderr: string; report: { probes: { leftover: string[] } } },
  s: Setup,
) {
  expect(run.report.probes.leftover).toEqual([]);
  expect(await keysIn(servers.primary, s.bucket)).toEqual([]);
  expect(run.stdout + run.stderr).not.toContain(s.writer.secretAccessKey);
}

function check(report: { checks: { id: string; cause?: string; fix?: string; status: string }[] }, id: string) {
  return report.checks.find((c) => c.id === id);
}

/** `npm run doctor` (its own command, without npm) with --json to a file; returns the parsed report. */
async function doctor(
  env: string,
  flags: string[],
): Promise<{
  code: number | null;
  report: { findings: { id: string }[]; live?: { attributions: Record<string, string[]> } };
}> {
  const dir = mkdtempSync(path.join(tmpdir(), "doctor-e2e-"));
  writeFileSync(path.join(dir, "env"), env);
  const out = path.join(dir, "report.json");
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(
      process.execPath,
      [...commandNodeArgs("doctor"), "--env", path.join(dir, "env"), "--json", out, ...flags],
      { cwd: ROOT, stdio: "ignore" },
    );
    child.on("close", resolve);
  });
  return { code, report: JSON.parse(readFileSync(out, "utf8")) };
}

describe("verify and doctor through the providers' refusals, before a real RGW", () => {
  it("R2 refusing public-read only (what is proven), case01: private passes the upload; doctor warns and advises the empty value", async () => {
    const s = await setup("r2pub", ["r2-acl-public-read"]);
    const env = withCase(s.env, "case01-r2-acl-private.env", ["S3_PERMISSION"]);
    const run = await verifyJson(env);
    expect(check(run.report, "writer-upload")?.status).toBe("pass");
    expect(s.front.refused).toEqual([]);
    await expectClean(run, s);
    const live = await doctor(env, ["--live", "--provider", "r2"]);
    const permission = live.report.findings.find(
      (f: { id: string; severity?: string }) => f.id === "permission-unsupported",
    ) as { severity?: string } | undefined;
    expect(permission?.severity).toBe("warning");
    expect(live.report.live?.attributions["writer-upload"]).toBeUndefined();
    // case01b: S3_PERMISSION absent sends public-read, the refused value: the error, put down to S3_PERMISSION.
    const absent = withCase(s.env, "case01b-r2-acl-default.env", ["S3_PERMISSION"]);
    const refused = await verifyJson(absent);
    expect(failed(refused.report)).toEqual(["writer-upload"]);
    await expectClean(refused, s);
    const doctorAbsent = await doctor(absent, ["--live", "--provider", "r2"]);
    expect(doctorAbsent.report.live?.attributions["writer-upload"]).toEqual(["permission-refused"]);
  });

  it("R2 refusing every x-amz-acl (501), case01: writer-upload names the ACL header and the empty S3_PERMISSION; doctor --live puts it down to S3_PERMISSION", async () => {
    const s = await setup("r2acl", ["r2-acl"]);
    const env = withCase(s.env, "case01-r2-acl-private.env", ["S3_PERMISSION"]);
    const run = await verifyJson(env);
    expect(failed(run.report)).toEqual(["writer-upload"]);
    expect(check(run.report, "writer-upload")?.cause).toMatch(
      /rejects the x-amz-acl header Mastodon sends because S3_PERMISSION is "private"/,
    );
    expect(check(run.report, "writer-upload")?.fix).toMatch(/^set S3_PERMISSION= \(empty\)/);
    expect(s.front.refused[0]).toMatch(/^501 NotImplemented PUT /);
    await expectClean(run, s);
    const live = await doctor(env, ["--live", "--provider", "r2"]);
    expect(live.code).toBe(1);
    expect(live.report.live?.attributions["writer-upload"]).toEqual(["permission-unsupported"]);
  });

  it("a provider refusing path style (Alibaba OSS SecondLevelDomainForbidden): writer-upload names S3_OVERRIDE_PATH_STYLE, not S3_ENDPOINT; doctor --live puts it down to the addressing style", async () => {
    const s = await setup("ossps", ["path-style-forbidden"]);
    const run = await verifyJson(s.env);
    expect(failed(run.report)).toContain("writer-upload");
    expect(check(run.report, "writer-upload")?.cause).toContain(
      "refuses path-style calls (SecondLevelDomainForbidden)",
    );
    expect(check(run.report, "writer-upload")?.fix).toMatch(/^add S3_OVERRIDE_PATH_STYLE=true/);
    expect(s.front.refused[0]).toMatch(/^403 SecondLevelDomainForbidden PUT /);
    await expectClean(run, s);
    const live = await doctor(s.env, ["--live", "--provider", "aliyun"]);
    expect(live.report.live?.attributions["writer-upload"]).toEqual(["path-style-refused"]);
  });

  it("AWS with ACLs disabled (400 AccessControlListNotSupported), case02: names the ACL header, S3_PERMISSION absent", async () => {
    const s = await setup("awsacl", ["aws-acls-disabled"]);
    const run = await verifyJson(withCase(s.env, "case02-aws-acls-disabled.env", ["S3_PERMISSION"]));
    expect(failed(run.report)).toEqual(["writer-upload"]);
    expect(check(run.report, "writer-upload")?.cause).toContain(
      "S3_PERMISSION is unset (Mastodon's default is public-read)",
    );
    await expectClean(run, s);
  });

  it("B2 (400 InvalidArgument on checksum headers), case03a: names the checksum header, not the ACL nor 'retry later'; with the variables, no false policy alarm", async () => {
    const s = await setup("b2crc", ["b2-checksum"]);
    const before = await verifyJson(
      withCase(s.env, "case03a-b2-checksum.env", [
        "AWS_REQUEST_CHECKSUM_CALCULATION",
        "AWS_RESPONSE_CHECKSUM_VALIDATION",
        "S3_PERMISSION",
      ]),
    );
    const upload = check(before.report, "writer-upload");
    expect(upload?.cause).toMatch(/^the server refuses the checksum headers/);
    expect(upload?.cause).not.toMatch(/retry later|x-amz-acl/);
    expect(upload?.fix).toMatch(/^add AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED/);
    await expectClean(before, s);
    // With the two variables (the env as given): uploads work; batch deletes still carry CRC32 (always, per the SDK).
    const after = await verifyJson(s.env);
    expect(check(after.report, "writer-cannot-change-policy")?.status).toBe("pass");
    expect(check(after.report, "writer-upload")?.status).toBe("pass");
    expect(failed(after.report)).toEqual(["writer-delete"]);
    expect(check(after.report, "writer-delete")?.cause).toContain(
      "which current AWS SDKs always send on DeleteObjects",
    );
    await expectClean(after, s);
  });

  it("R2 in 2025 (501 on checksum headers), case03b: names the checksum header", async () => {
    const s = await setup("r2crc", ["r2-checksum"]);
    const run = await verifyJson(
      withCase(s.env, "case03b-r2-checksum.env", [
        "AWS_REQUEST_CHECKSUM_CALCULATION",
        "AWS_RESPONSE_CHECKSUM_VALIDATION",
      ]),
    );
    expect(check(run.report, "writer-upload")?.cause).toMatch(/^the server refuses the checksum headers/);
    await expectClean(run, s);
  });

  it("no multipart support, case08: the 50-byte threshold sends the probe multipart and verify fails, naming the bytes", async () => {
    const s = await setup("nomp", ["no-multipart"]);
    const small = await verifyJson(
      withCase(s.env, "case08-multipart-threshold-mb.env", ["S3_MULTIPART_THRESHOLD", "S3_FORCE_SINGLE_REQUEST"]),
    );
    expect(small.code).toBe(1);
    expect(check(small.report, "writer-upload")?.cause).toMatch(
      /^the server refuses multipart uploads \(CreateMultipartUpload: 501 NotImplemented/,
    );
    expect(check(small.report, "writer-upload")?.fix).toMatch(/^write S3_MULTIPART_THRESHOLD=52428800/);
    await expectClean(small, s);
    // With Mastodon's default threshold, small uploads work and the multipart check still fails.
    const normal = await verifyJson(s.env);
    expect(failed(normal.report)).toEqual(["writer-multipart"]);
    await expectClean(normal, s);
  });

  it("a writer without s3:ListBucket, case07b: only writer-list fails, deletes pass, no phantom leftover", async () => {
    const s = await setup("nolist", [], {
      writerPolicy: (policy) => ({
        ...policy,
        Statement: policy.Statement.filter((st) => ![st.Action].flat().includes("s3:ListBucket")),
      }),
    });
    const run = await verifyJson(s.env);
    expect(failed(run.report)).toEqual(["writer-list"]);
    expect(check(run.report, "writer-list")?.cause).toMatch(/no s3:ListBucket/);
    expect(check(run.report, "writer-delete")?.status).toBe("pass");
    await expectClean(run, s);
  });

  it("a missing bucket: the anonymous checks are inconclusive, never PASS", async () => {
    const s = await setup("missing", []);
    const run = await verifyJson(withEnv(s.env, "S3_BUCKET", uniqueBucket("absent")));
    const status = statuses(run.report);
    expect(status["no-listing"]).toBe("inconclusive");
    expect(status["no-anonymous-write"]).toBe("inconclusive");
    expect(run.report.probes).toEqual({ created: 0, removed: 0, leftover: [] });
  });
});

describe("the media host", () => {
  async function media(name: string, mode: (bucket: string) => MediaMode) {
    const s = await setup(name, []);
    const host = await startFront(servers.primary.endpoint, { media: mode(s.bucket) });
    fronts.push(host);
    return { ...s, host };
  }

  it("passes a redirect whose target EXTRA_MEDIA_HOSTS allows, and names EXTRA_MEDIA_HOSTS when it does not", async () => {
    const s = await media("redirect", (bucket) => ({
      kind: "redirect",
      target: `${servers.primary.endpoint}/${bucket}`,
    }));
    const env = withEnv(s.env, "S3_ALIAS_HOST", s.host.host);
    const blocked = await verifyJson(env);
    expect(check(blocked.report, "public-read")?.fix).toContain(
      `EXTRA_MEDIA_HOSTS=https://${new URL(servers.primary.endpoint).host}`,
    );
    await expectClean(blocked, s);
    const allowed = await verifyJson(withEnv(env, "EXTRA_MEDIA_HOSTS", servers.primary.endpoint));
    expect(check(allowed.report, "public-read")?.status).toBe("pass");
    await expectClean(allowed, s);
  });

  it("names the bucket path in S3_ALIAS_HOST when the host serves the bucket at its root", async () => {
    const s = await media("aliaspath", (bucket) => ({ kind: "bucket-at-root", bucket }));
    const run = await verifyJson(withEnv(s.env, "S3_ALIAS_HOST", `${s.host.host}/${s.bucket}`));
    expect(check(run.report, "public-read")?.fix).toBe(`write S3_ALIAS_HOST=${s.host.host}`);
    await expectClean(run, s);
  });

  it("names the missing bucket path when the alias is a bare path-style S3 host", async () => {
    const s = await media("barehost", () => ({ kind: "redirect", target: "unused" }));
    const run = await verifyJson(withEnv(s.env, "S3_ALIAS_HOST", new URL(servers.primary.endpoint).host));
    expect(check(run.report, "public-read")?.fix).toMatch(/^write S3_ALIAS_HOST=127\.0\.0\.1:\d+\/e2e-barehost-/);
    await expectClean(run, s);
  });
});
