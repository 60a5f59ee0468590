import { describe, expect, it } from "vitest";
import { pendingSteps, renderProblems, renderResult, renderSummary } from "../../live-checks/report";
import { EXIT, reportExitCode, reportJson } from "../../cli/shared/exit-codes";
import type { CheckResult } from "../../live-checks/runner";
import { failedCors, passed, pendingBust, plainInconclusive, reportOf, skipped } from "../helpers/check-results";
import { AWS_ENV, targetOf } from "../helpers/target";

const target = targetOf(AWS_ENV);

describe("buildReport", () => {
  it("exits 0 when nothing failed and every probe was removed, skips included", () => {
    expect(reportOf([passed, skipped])).toMatchObject({
      ok: true,
      mediaBase: "https://files.example.com",
      uploadAcl: null,
    });
    expect(reportExitCode(reportOf([passed, skipped]))).toBe(EXIT.ok);
    // The JSON report: ok and exitCode first, as docs/verify.md lists them.
    expect(Object.keys(reportJson(reportOf([passed, skipped]))).slice(0, 3)).toEqual(["ok", "exitCode", "bucket"]);
  });

  it("exits 1 on a failed check or a probe left behind, and 130 when interrupted", () => {
    expect(reportExitCode(reportOf([passed, failedCors]))).toBe(EXIT.failed);
    expect(reportExitCode(reportOf([passed], ["s3://b/k: 403 AccessDenied"]))).toBe(EXIT.failed);
    expect(reportExitCode(reportOf([passed], [], true))).toBe(EXIT.interrupted);
    expect(reportOf([passed], [], true).ok).toBe(false);
  });

  it("exits 4 (pending) when nothing failed and every check that did not pass waits for a step after pulumi up", () => {
    const pendingOnly = reportOf([passed, pendingBust, skipped]);
    expect(pendingOnly.ok).toBe(false);
    expect(reportExitCode(pendingOnly)).toBe(EXIT.pending);
    expect(reportJson(pendingOnly)).toMatchObject({ ok: false, exitCode: EXIT.pending });
    expect(pendingSteps(pendingOnly)).toEqual(["cache-bust: write the nginx cache buster's secret file"]);
  });

  it("exits 1 when a pending check comes with a failure, a plain inconclusive check or a probe left behind", () => {
    expect(reportExitCode(reportOf([passed, pendingBust, failedCors]))).toBe(EXIT.failed);
    expect(reportExitCode(reportOf([passed, pendingBust, plainInconclusive]))).toBe(EXIT.failed);
    expect(reportExitCode(reportOf([passed, plainInconclusive]))).toBe(EXIT.failed);
    expect(reportExitCode(reportOf([passed, pendingBust], ["s3://b/k: 403 AccessDenied"]))).toBe(EXIT.failed);
    expect(reportExitCode(reportOf([passed, pendingBust], [], true))).toBe(EXIT.interrupted);
    expect(pendingSteps(reportOf([passed, pendingBust, failedCors]))).toEqual([]);
  });

  it("never carries the credential", () => {
    const json = JSON.stringify(reportOf([passed, failedCors]));
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

describe("renderResult of a pending check", () => {
  it("labels it PENDING, not a pass, and names the step and its exact commands", () => {
    expect(renderResult(pendingBust)).toBe(
      [
        "PENDING  cache-bust: a bust request makes the edge drop a deleted file",
        "      X-Cache-Buster: not-installed",
        "      why it is not known: the media host's nginx has no cache buster secret yet",
        "      not checked until this step: write the nginx cache buster's secret file",
        `      fix: ${pendingBust.fix}`,
        "",
      ].join("\n"),
    );
    expect(renderResult(plainInconclusive)).toMatch(/^INCONCLUSIVE  cache-bust:/);
  });
});

describe("renderSummary", () => {
  it("gives a pending verdict naming the step when only pending checks did not pass", () => {
    expect(renderSummary(reportOf([passed, pendingBust]))).toContain(
      "Checks passed: 1 of 2; failed: 0; inconclusive (not a pass): 1; skipped: 0; 2.3 s. Verdict: PENDING: not all checked until the step after pulumi up (fix above): cache-bust: write the nginx cache buster's secret file.",
    );
    expect(renderSummary(reportOf([passed, pendingBust, failedCors]))).toContain("Verdict: NOT ready");
    expect(renderSummary(reportOf([passed, pendingBust, plainInconclusive]))).toContain(
      "Verdict: NOT confirmed: nothing failed, but 2 check(s) could not tell",
    );
  });

  it("counts the checks and lists the probes that could not be removed", () => {
    expect(renderSummary(reportOf([passed, failedCors, skipped], ["s3://b/k: 403 AccessDenied"]))).toBe(
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
    const unsure: CheckResult = {
      ...passed,
      id: "cache-bust",
      title: "cache bust",
      status: "inconclusive",
      observed: ["no cache status header"],
    };
    const result = reportOf([passed, unsure]);
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
