import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { commandNodeArgs } from "../helpers/npm-script";
import { describeDnsStatus, dnsStatus, type DnsResolver } from "../../components/dns-status";
import { renderDnsNotice } from "../../components/dns-notice";
import { selfCheckCommand } from "../../components/self-check";
import { parseVerifyArgs } from "../../cli/verify/args";
import { parseExpectCname, waitForDnsRecord } from "../../live-checks/pending-dns";
import type { Clock } from "../../live-checks/retry";

const ROOT = path.resolve(__dirname, "../..");
const fail = (code: string) => () => Promise.reject(Object.assign(new Error(code), { code }));
const resolver = (cname: DnsResolver["resolveCname"], lookup: DnsResolver["lookup"]): DnsResolver => ({
  resolveCname: cname,
  lookup,
});
const TARGET = "d111111abcdef8.cloudfront.net";

describe("dnsStatus", () => {
  it("tells a missing record from a CNAME, plain addresses and a resolver that could not answer", async () => {
    expect(await dnsStatus("files.example.com", resolver(fail("ENOTFOUND"), fail("ENOTFOUND")))).toEqual({
      kind: "missing",
      code: "ENOTFOUND",
    });
    expect(
      await dnsStatus(
        "files.example.com",
        resolver(async () => [`${TARGET.toUpperCase()}.`], fail("ENOTFOUND")),
      ),
    ).toEqual({ kind: "cname", target: TARGET });
    expect(
      await dnsStatus(
        "files.example.com",
        resolver(fail("ENODATA"), async () => [{ address: "192.0.2.1" }]),
      ),
    ).toEqual({ kind: "addresses" });
    // c-ares may not see a name the system resolver knows (/etc/hosts): the system resolver decides.
    expect(
      await dnsStatus(
        "files.example.com",
        resolver(fail("ENOTFOUND"), async () => [{ address: "192.0.2.1" }]),
      ),
    ).toEqual({ kind: "addresses" });
    expect(await dnsStatus("files.example.com", resolver(fail("ETIMEOUT"), fail("ETIMEOUT")))).toEqual({
      kind: "unknown",
      code: "ETIMEOUT",
    });
  });

  it("describes the record against the one the user was asked to create", () => {
    expect(describeDnsStatus("files.example.com", TARGET, { kind: "missing", code: "ENOTFOUND" })).toBe(
      `files.example.com CNAME ${TARGET}: missing (ENOTFOUND)`,
    );
    expect(describeDnsStatus("files.example.com", TARGET, { kind: "cname", target: TARGET })).toBe(
      `files.example.com CNAME ${TARGET}: in place`,
    );
    expect(describeDnsStatus("files.example.com", TARGET, { kind: "cname", target: "old.example.net" })).toBe(
      `files.example.com CNAME ${TARGET}: points at old.example.net instead`,
    );
  });
});

describe("renderDnsNotice", () => {
  it("names every record to create, with its purpose, one per line", () => {
    expect(
      renderDnsNotice([
        {
          name: "_a.files.example.com",
          type: "CNAME",
          value: "_b.acm-validations.aws",
          purpose: "ACM certificate validation",
        },
        { name: "files.example.com", type: "CNAME", value: TARGET, purpose: "media domain -> CloudFront" },
      ]),
    ).toBe(
      "Create the DNS record _a.files.example.com CNAME _b.acm-validations.aws (ACM certificate validation).\n" +
        `Create the DNS record files.example.com CNAME ${TARGET} (media domain -> CloudFront).\n`,
    );
  });
});

describe("verify --expect-cname", () => {
  it("takes HOST=TARGET and names the flag when it is not that", () => {
    expect(parseExpectCname(`Files.Example.com=${TARGET}.`)).toEqual({ host: "files.example.com", target: TARGET });
    expect(parseExpectCname("files.example.com")).toHaveProperty("problem");
    expect(parseVerifyArgs(["--env", "-", "--expect-cname", "x=y=z"])).toEqual({
      help: false,
      problems: [
        '--expect-cname must be HOST=TARGET, two host names such as files.example.com=d111111abcdef8.cloudfront.net (got "x=y=z")',
      ],
    });
  });

  it("waits while the record is missing and stops as soon as it resolves", async () => {
    let now = 0;
    const clock: Clock = { now: () => now, sleep: async (ms) => void (now += ms) };
    let calls = 0;
    const appearing = resolver(
      async () => (++calls < 3 ? Promise.reject(Object.assign(new Error(), { code: "ENOTFOUND" })) : [TARGET]),
      fail("ENOTFOUND"),
    );
    const waits: string[] = [];
    const found = await waitForDnsRecord(
      { host: "files.example.com", target: TARGET },
      300_000,
      (line) => waits.push(line),
      { resolver: appearing, clock },
    );
    expect(found).toMatchObject({ pending: false, line: `files.example.com CNAME ${TARGET}: in place` });
    expect(waits).toEqual([
      `files.example.com CNAME ${TARGET}: missing (ENOTFOUND)`,
      `files.example.com CNAME ${TARGET}: missing (ENOTFOUND)`,
    ]);

    now = 0;
    const never = await waitForDnsRecord({ host: "files.example.com", target: TARGET }, 60_000, () => undefined, {
      resolver: resolver(fail("ENOTFOUND"), fail("ENOTFOUND")),
      clock,
    });
    expect(never.pending).toBe(true);
    expect(now).toBeLessThanOrEqual(60_000);
  });

  it("reports a missing record as pending (exit 4), having checked and created nothing", () => {
    // .invalid never resolves (RFC 6761), with or without a network.
    const env = [
      "S3_ENABLED=true",
      "S3_BUCKET=example-social-media",
      "S3_REGION=eu-central-1",
      "S3_HOSTNAME=s3.eu-central-1.amazonaws.com",
      "S3_ALIAS_HOST=files.invalid",
      "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
      "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "S3_PERMISSION=",
      "",
    ].join("\n");
    const run = spawnSync(
      process.execPath,
      [...commandNodeArgs("verify"), "--env", "-", "--expect-cname", `files.invalid=${TARGET}`],
      {
        cwd: ROOT,
        input: env,
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(run.status).toBe(4);
    expect(run.stdout).toContain(`PENDING  waiting for DNS: create files.invalid CNAME ${TARGET}\n`);
    expect(run.stdout).not.toMatch(/PASS|FAIL/);
    expect(run.stdout + run.stderr).not.toContain("wJalrXUtnFEMI");
  });
});

/** Runs the self-check's shell command with a fake npm that exits with the given code. */
function runSelfCheck(verifyExit: number, expectCname?: { host: string; target: string }) {
  const bin = mkdtempSync(path.join(tmpdir(), "fake-npm-"));
  writeFileSync(path.join(bin, "npm"), `#!/bin/sh\necho "verify $*"\nexit ${verifyExit}\n`);
  chmodSync(path.join(bin, "npm"), 0o755);
  const command = selfCheckCommand("https://social.example.com", expectCname);
  return spawnSync("/bin/sh", ["-c", command], {
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    encoding: "utf8",
  });
}

describe("selfCheckCommand without an expected CNAME", () => {
  it("accepts verify's pending exit (a step after pulumi up, e.g. the MinIO nginx's secret file) and names where the step is", () => {
    const pending = runSelfCheck(4);
    expect(pending.stdout).not.toContain("--expect-cname");
    expect(pending.status).toBe(0);
    expect(pending.stderr).toContain(
      "self-check pending (not a pass, nothing failed): waiting for the step after pulumi up named PENDING above",
    );
    expect(pending.stderr).toContain("pulumi stack output envProduction --show-secrets | npm run verify -- --env -");
    expect(runSelfCheck(0).status).toBe(0);
    expect(runSelfCheck(0).stderr).toBe("");
    expect(runSelfCheck(1).status).toBe(1);
    expect(runSelfCheck(2).status).toBe(2);
    expect(runSelfCheck(130).status).toBe(130);
  });
});

describe("selfCheckCommand with an expected CNAME", () => {
  const run = (verifyExit: number) => runSelfCheck(verifyExit, { host: "files.example.com", target: TARGET });

  it("passes the record to verify, turns pending into a warning and keeps failures failing", () => {
    const pending = run(4);
    expect(pending.stdout).toContain(`--expect-cname files.example.com=${TARGET}`);
    expect(pending.status).toBe(0);
    expect(pending.stderr).toContain(
      "self-check pending (not a pass, nothing failed): waiting for the DNS record files.example.com CNAME",
    );
    expect(pending.stderr).toContain("the live checks run on the next pulumi up once files.example.com resolves");
    expect(run(0).status).toBe(0);
    expect(run(1).status).toBe(1);
    expect(run(2).status).toBe(2);
  });
});
