import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VerifyReport } from "../../live-checks/report";
import { documentsFromPlans, forBucket } from "./documents";
import { MASTODON_VERSIONS, startFakeMastodon, type FakeMastodon, type FakeMastodonOptions } from "./fake-mastodon";
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
} from "./server";
import { ROOT } from "./verify-cli";
import { commandNodeArgs } from "../helpers/npm-script";

const ORIGIN = "https://social.example.com";

const MASTODON_CHECKS = [
  "mastodon-ready",
  "mastodon-upload",
  "mastodon-processed",
  "mastodon-media-url",
  "mastodon-object-stored",
  "mastodon-media-served",
  "mastodon-delete",
];

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

/** verify --env - --json --mastodon URL, with the token in the environment only. */
function verifyProcess(
  url: string,
  token: string,
  onStderr?: (text: string) => void,
): { done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...commandNodeArgs("verify"), "--env", "-", "--json", "--origin", ORIGIN, "--mastodon", url],
      {
        cwd: ROOT,
        env: { ...process.env, MASTODON_ACCESS_TOKEN: token },
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      onStderr?.(stderr);
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(env);
  });
  return { done };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** verify against a fake Mastodon started for it. */
async function roundTrip(fakeOptions: Partial<FakeMastodonOptions>, token = TOKEN): Promise<Run> {
  const fake = await startFakeMastodon({ env, token: TOKEN, ...fakeOptions });
  try {
    const run = await verifyProcess(fake.url, token).done;
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
const mastodonStatuses = (report: VerifyReport) =>
  Object.fromEntries(MASTODON_CHECKS.map((id) => [id, check(report, id).status]));

describe("verify --mastodon against a fake Mastodon API and the real RGW", () => {
  it("passes on a good instance: 202, polls while 206, finds both files, fetches them, deletes the attachment", async () => {
    const run = await roundTrip({ processingPolls: 2 });
    expect(mastodonStatuses(run.report)).toEqual(Object.fromEntries(MASTODON_CHECKS.map((id) => [id, "pass"])));
    expect(run.code).toBe(0);
    expect(run.fake.log.map((r) => `${r.method} ${r.path.replace(/\d{10,}/, "ID")} ${r.status}`)).toEqual([
      "GET /health 200",
      "GET /api/v2/instance 200",
      "POST /api/v2/media 202",
      "GET /api/v1/media/ID 206",
      "GET /api/v1/media/ID 206",
      "GET /api/v1/media/ID 200",
      "DELETE /api/v1/media/ID 200",
      "GET /api/v1/media/ID 404",
    ]);
    const urls = check(run.report, "mastodon-media-url").observed.join("\n");
    expect(urls).toMatch(
      /url: http:\/\/127\.0\.0\.1:\d+\/e2e-mastodon-[0-9a-f]+\/media_attachments\/files\/(\d{3}\/){6}original\/[0-9a-f]{16}\.png/,
    );
    expect(urls).toMatch(/preview_url: .*\/small\//);
    expect(run.fake.attachments()).toEqual([]);
    expect(await keysIn(servers.primary, bucket)).toEqual([]);
  });

  it("names the token on 401 and stops there", async () => {
    const run = await roundTrip({}, `wrong-${randomBytes(8).toString("hex")}`);
    expect(run.code).toBe(1);
    expect(check(run.report, "mastodon-upload")).toMatchObject({
      status: "fail",
      observed: ['POST /api/v2/media: 401 "The access token is invalid"'],
    });
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

  it("waits out a 429 until Rack::Attack's X-RateLimit-Reset and then passes", async () => {
    const run = await roundTrip({ rateLimit: { answers: 2, retryAfterSeconds: 1 } });
    expect(check(run.report, "mastodon-upload")).toMatchObject({ status: "pass" });
    expect(check(run.report, "mastodon-upload").observed[0]).toMatch(/after 2 rate limit wait\(s\)/);
    expect(run.fake.log.filter((r) => r.status === 429)).toHaveLength(2);
    expect(run.code).toBe(0);
  });

  it("reports a rate limit reset later than it may wait instead of sitting through it", async () => {
    const started = Date.now();
    const run = await roundTrip({ rateLimit: { answers: 10, retryAfterSeconds: 3600 } });
    expect(check(run.report, "mastodon-upload").cause).toMatch(/rate-limits this token or address for 3600 s/);
    expect(run.fake.log.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it("hands a 500 (Rails' JSON 'Internal Server Error') to the storage checks: they pass, so Mastodon runs with another env", async () => {
    const brokenEnv = withEnv(env, "AWS_SECRET_ACCESS_KEY", randomBytes(20).toString("hex"));
    const run = await roundTrip({ env: brokenEnv });
    expect(check(run.report, "writer-upload").status).toBe("pass");
    expect(check(run.report, "mastodon-upload").observed[0]).toBe('POST /api/v2/media: 500 "Internal Server Error"');
    expect(check(run.report, "mastodon-upload").cause).toMatch(
      /storage accepts uploads with the env verified here, so Mastodon runs with another env/,
    );
    expect(check(run.report, "mastodon-upload").fix).toMatch(
      /systemctl restart mastodon-web mastodon-sidekiq mastodon-streaming/,
    );
  });

  it("says Mastodon runs with another env when its URLs are on another host, and still deletes the attachment", async () => {
    const run = await roundTrip({
      env: withEnv(withEnv(env, "S3_ALIAS_HOST", "files.old.example"), "S3_PROTOCOL", "https"),
    });
    const urls = check(run.report, "mastodon-media-url");
    expect(urls.status).toBe("fail");
    expect(urls.observed[0]).toMatch(
      /^url: https:\/\/files\.old\.example\/media_attachments\/.* is not under http:\/\/127\.0\.0\.1:\d+\/e2e-mastodon-/,
    );
    expect(urls.cause).toMatch(/differs from the one verified here .* not restarted/);
    expect(check(run.report, "mastodon-delete").status).toBe("pass");
    expect(run.fake.attachments()).toEqual([]);
    expect(run.code).toBe(1);
  });

  it("leaves the upload to Mastodon's vacuum when the version is unknown and DELETE hits the catch-all route (4.3)", async () => {
    const run = await roundTrip({ version: "4.3.23", hideVersion: true, processingPolls: 0 });
    expect(check(run.report, "mastodon-ready").observed).toContain(
      "GET /api/v2/instance: 404, version unknown (the delete is judged by its answer)",
    );
    const removal = check(run.report, "mastodon-delete");
    expect(removal.status).toBe("warn");
    expect(removal.observed[0]).toMatch(
      /^DELETE \/api\/v1\/media\/\d+: 404 "Not Found" \(Mastodon's catch-all route: no such call before 4\.4\)$/,
    );
    expect(run.report.probes.leftover).toEqual([]);
    expect(run.report.probes.leftToMastodon).toEqual([
      expect.stringMatching(
        /^Mastodon media attachment \d+ and its files .*original.*small.* \(unattached\): Mastodon's daily vacuum/,
      ),
    ]);
    expect(run.fake.attachments()).toHaveLength(1);
    expect(run.code).toBe(0);
  });

  it("waits for a Mastodon that starts after verify did: refused, then 502 from the proxy, then /health OK", async () => {
    const port = await freePort();
    // Mastodon starts only once verify has found its port closed (after the storage checks, which take a while).
    let refused: () => void = () => undefined;
    const sawRefused = new Promise<void>((resolve) => (refused = resolve));
    const child = verifyProcess(`http://127.0.0.1:${port}`, TOKEN, (stderr) => {
      if (stderr.includes("waiting for Mastodon to start (GET /health: no answer (ECONNREFUSED))")) refused();
    });
    await Promise.race([sawRefused, child.done]);
    const fake = await startFakeMastodon({ env, token: TOKEN, port, startingHealthChecks: 2 });
    try {
      const run = await child.done;
      const report = JSON.parse(run.stdout) as VerifyReport;
      expect(check(report, "mastodon-ready").status).toBe("pass");
      expect(check(report, "mastodon-ready").observed.slice(0, 3)).toEqual([
        expect.stringMatching(/^GET \/health: no answer \(ECONNREFUSED\)( \(x\d+\))?$/),
        "GET /health: 502 (x2)",
        "GET /health: 200",
      ]);
      expect(run.stderr).toMatch(/waiting for Mastodon to start \(GET \/health: 502\); \d+ s left/);
      expect(mastodonStatuses(report)).toEqual(Object.fromEntries(MASTODON_CHECKS.map((id) => [id, "pass"])));
      expect(run.code).toBe(0);
    } finally {
      await fake.close();
    }
  });
});

describe("verify --mastodon against each Mastodon line from 4.3 to 4.7", () => {
  for (const version of MASTODON_VERSIONS) {
    const deletes = version !== "4.3.23";
    it(`${version}: reads the version, ${deletes ? "deletes the upload" : "leaves the upload to Mastodon's vacuum (no DELETE route before 4.4)"}`, async () => {
      const run = await roundTrip({ version, processingPolls: 1 });
      expect(check(run.report, "mastodon-ready").observed).toEqual([
        "GET /health: 200",
        `GET /api/v2/instance: 200, version ${version}`,
      ]);
      const calls = run.fake.log.map((r) => `${r.method} ${r.path.replace(/\d{10,}/, "ID")} ${r.status}`);
      if (deletes) {
        expect(mastodonStatuses(run.report)).toEqual(Object.fromEntries(MASTODON_CHECKS.map((id) => [id, "pass"])));
        expect(calls.slice(-2)).toEqual(["DELETE /api/v1/media/ID 200", "GET /api/v1/media/ID 404"]);
        expect(run.fake.attachments()).toEqual([]);
        expect(run.report.probes.leftToMastodon).toBeUndefined();
      } else {
        expect(check(run.report, "mastodon-delete")).toMatchObject({
          status: "warn",
          observed: ["Mastodon 4.3.23 has no DELETE /api/v1/media/:id (added in 4.4): not called"],
        });
        expect(check(run.report, "mastodon-delete").cause).toMatch(/stays unattached; Mastodon's daily vacuum/);
        expect(calls.filter((call) => call.startsWith("DELETE"))).toEqual([]);
        expect(run.fake.attachments()).toHaveLength(1);
        expect(run.report.probes.leftToMastodon).toHaveLength(1);
        expect(run.stdout + run.stderr).not.toMatch(/Could not remove/);
      }
      expect(run.report.probes.leftover).toEqual([]);
      expect(run.code).toBe(0);
    });
  }
});
