import { describe, expect, it } from "vitest";
import { buildReport, renderProblems, renderResult, renderSummary } from "../../live-checks/report";
import { EXIT, reportExitCode, reportJson } from "../../cli/shared/exit-codes";
import type { CheckResult } from "../../live-checks/runner";
import { AWS_ENV, targetOf } from "../helpers/target";

const target = targetOf(AWS_ENV);

const passed: CheckResult = { id: "writer-upload", title: "the writer can upload", status: "pass", observed: ["PUT k: 200"], attempts: 1, ms: 12 };
const failedCors: CheckResult = {
  id: "cors",
  title: "CORS",
  status: "fail",
  observed: ["GET with Origin: https://x.example: 200, Access-Control-Allow-Origin: (none)"],
  cause: "no CORS rule",
  fix: "re-run pulumi up",
  attempts: 3,
  ms: 7_400,
};
const skipped: CheckResult = { id: "tls", title: "TLS", status: "skip", observed: ["plain http on loopback"], attempts: 0, ms: 0 };

const report = (checks: CheckResult[], leftover: string[] = [], interrupted = false) =>
  buildReport({ target, origin: "https://social.example.com", checks, created: 4, leftover, interrupted, durationMs: 2_345 });

describe("buildReport", () => {
  it("exits 0 when nothing failed and every probe was removed, skips included", () => {
    expect(report([passed, skipped])).toMatchObject({ ok: true, mediaBase: "https://files.example.com", uploadAcl: null });
    expect(reportExitCode(report([passed, skipped]))).toBe(EXIT.ok);
    // The JSON report: ok and exitCode first, as docs/verify.md lists them.
    expect(Object.keys(reportJson(report([passed, skipped]))).slice(0, 3)).toEqual(["ok", "exitCode", "bucket"]);
  });

  it("exits 1 on a failed check or a probe left behind, and 130 when interrupted", () => {
    expect(reportExitCode(report([passed, failedCors]))).toBe(EXIT.failed);
    expect(reportExitCode(report([passed], ["s3://b/k: 403 AccessDenied"]))).toBe(EXIT.failed);
    expect(reportExitCode(report([passed], [], true))).toBe(EXIT.interrupted);
    expect(report([passed], [], true).ok).toBe(false);
  });

  it("never carries the credential", () => {
    const json = JSON.stringify(report([passed, failedCors]));
    expect(json).not.toContain(target.facts.secretAccessKey);
    expect(json).not.toContain(target.facts.accessKeyId);
  });
});

describe("renderResult", () => {
  it("prints what was observed, and for a failure the likely cause, the fix and how long it was retried", () => {
    expect(renderResult(passed)).toBe("PASS  writer-upload: the writer can upload\n      PUT k: 200\n");
    expect(renderResult(failedCors)).toBe(
      [
        "FAIL  cors: CORS",
        "      GET with Origin: https://x.example: 200, Access-Control-Allow-Origin: (none)",
        "      likely cause: no CORS rule",
        "      fix: re-run pulumi up",
        "      (still failing after 3 attempts over 7 s)",
        "",
      ].join("\n"),
    );
  });
});

describe("renderSummary", () => {
  it("counts the checks and lists the probes that could not be removed", () => {
    expect(renderSummary(report([passed, failedCors, skipped], ["s3://b/k: 403 AccessDenied"]))).toBe(
      [
        "",
        "Probes: 4 created, 3 removed.",
        "Could not remove (delete them by hand):",
        "  s3://b/k: 403 AccessDenied",
        "Checks passed: 1 of 3; failed: 1; skipped: 1; 2.3 s. Verdict: NOT ready: fix the failures above.",
        "",
      ].join("\n"),
    );
  });

  it("does not tell to fix failures when nothing failed and a check was inconclusive (still not ok: exit 1)", () => {
    const unsure: CheckResult = { ...passed, id: "cache-bust", title: "cache bust", status: "inconclusive", observed: ["no cache status header"] };
    const result = report([passed, unsure]);
    expect(reportExitCode(result)).toBe(EXIT.failed);
    const summary = renderSummary(result);
    expect(summary).not.toContain("fix the failures");
    expect(summary).toContain("Verdict: NOT confirmed: nothing failed, but 1 check(s) could not tell");
  });
});

describe("renderProblems", () => {
  it("prints one line per problem and says nothing was created", () => {
    expect(renderProblems(["S3_BUCKET is missing"], "The env file .env")).toBe(
      "The env file .env has 1 problem; nothing was created on the server:\n  - S3_BUCKET is missing\n",
    );
  });
});
