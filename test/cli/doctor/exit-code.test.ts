import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { diagnoseEnv } from "../../../cli/doctor/diagnose";
import { doctorExitCode } from "../../../cli/doctor/exit-code";
import { EXIT, outcomeExitCode } from "../../../cli/shared/exit-codes";
import type { CheckResult } from "../../../live-checks/runner";
import { failedCors, passed, pendingBust, reportOf } from "../../helpers/check-results";
import { runDoctorCommand } from "../../helpers/command";
import { AWS_ENV, envValues } from "../../helpers/target";

/**
 * doctor's exit code with --live: the live checks' code as verify gives it (cli/shared/exit-codes.ts
 * outcomeExitCode), under the findings (cli/doctor/exit-code.ts).
 */
const clean = diagnoseEnv(envValues(AWS_ENV));
// S3_PROTOCOL=http with an https media host: an error finding (protocol-http).
const faulty = diagnoseEnv(envValues({ ...AWS_ENV, S3_PROTOCOL: "http" }));

/** doctor's LiveResult code for a report of these checks, as runLive derives it. */
const live = (checks: CheckResult[], interrupted = false) => ({
  exitCode: outcomeExitCode({ kind: "report", report: reportOf(checks, [], interrupted) }),
});

describe("doctorExitCode", () => {
  it("the diagnosis bases: the clean env has no error or warning, the one with S3_PROTOCOL=http has one", () => {
    expect(clean.findings.filter((f) => f.severity !== "info")).toEqual([]);
    expect(faulty.findings.some((f) => f.severity !== "info")).toBe(true);
  });

  it("exits 4 (pending) as verify does when nothing failed and every check that did not pass is PENDING", () => {
    expect(doctorExitCode(clean, live([passed, pendingBust]))).toBe(EXIT.pending);
  });

  it("exits 1 when a finding (error or warning) comes with a pending live report: the finding is a fault", () => {
    expect(doctorExitCode(faulty, live([passed, pendingBust]))).toBe(EXIT.failed);
  });

  it("exits 0, 1 and 130 for a passed, a failed and an interrupted live report, findings or not", () => {
    expect(doctorExitCode(clean)).toBe(EXIT.ok);
    expect(doctorExitCode(faulty)).toBe(EXIT.failed);
    expect(doctorExitCode(clean, live([passed]))).toBe(EXIT.ok);
    expect(doctorExitCode(clean, live([passed, pendingBust, failedCors]))).toBe(EXIT.failed);
    expect(doctorExitCode(clean, live([passed], true))).toBe(EXIT.interrupted);
    expect(doctorExitCode(faulty, live([passed], true))).toBe(EXIT.interrupted);
    expect(doctorExitCode(clean, { exitCode: outcomeExitCode({ kind: "interrupted" }) })).toBe(EXIT.interrupted);
  });

  it("exits 2 as verify does when the live checks could not start, unless a finding names the fault (1)", () => {
    const unreachable = {
      exitCode: outcomeExitCode({ kind: "unreachable", problems: ["S3_ENDPOINT is unreachable"] }),
    };
    expect(doctorExitCode(clean, unreachable)).toBe(EXIT.input);
    expect(doctorExitCode(faulty, unreachable)).toBe(EXIT.failed);
  });
});

describe("doctor --live", () => {
  it("exits 2 like verify on an unreachable endpoint when the env has no error or warning (a closed loopback port)", async () => {
    // A port that was just free: nothing listens on it when doctor connects.
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const dir = mkdtempSync(path.join(tmpdir(), "doctor-exit-"));
    const env = path.join(dir, "env");
    writeFileSync(
      env,
      Object.entries({
        S3_ENABLED: "true",
        S3_BUCKET: "media",
        S3_REGION: "us-east-1",
        S3_ENDPOINT: `http://127.0.0.1:${port}`,
        S3_HOSTNAME: `127.0.0.1:${port}`,
        S3_PROTOCOL: "http",
        S3_PERMISSION: "",
        AWS_ACCESS_KEY_ID: AWS_ENV.AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: AWS_ENV.AWS_SECRET_ACCESS_KEY,
        AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
        AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
      })
        .map(([name, value]) => `${name}=${value}\n`)
        .join(""),
    );
    const json = path.join(dir, "report.json");
    const run = await runDoctorCommand(["--env", env, "--live", "--json", json]);
    expect(run.stdout).toContain("0 error(s), 0 warning(s)");
    expect(run.stdout).toContain(`Starting the live checks has 1 problem; nothing was created on the server:`);
    expect(run.stdout).toContain(`S3_ENDPOINT (127.0.0.1:${port}) is unreachable`);
    expect(run.code, run.stdout).toBe(EXIT.input);
    expect(JSON.parse(readFileSync(json, "utf8"))).toMatchObject({ ok: false, exitCode: EXIT.input });
  });
});
