import { pendingSteps, type VerifyReport } from "../../live-checks/report";
import type { VerifyOutcome } from "../../live-checks/run";

/**
 * The exit codes of every command (plan, verify, doctor, migrate, purge), in one table; scripts and CI rely on them
 * (README "Commands", docs/verify.md). components/self-check.ts repeats `pending` in its shell script, since
 * components/ may not import cli/; test/cli/shared/exit-codes.test.ts holds the two equal.
 */
export const EXIT = {
  /** Nothing wrong: a clean plan, every check passed and every probe removed, a healthy env, a complete copy. */
  ok: 0,
  /** Something is wrong: a mandatory policy, a failed or inconclusive check (unless only pending: 4), a probe left behind, a finding, a missing copy, a refused purge. */
  failed: 1,
  /** A mistake in the user's input (arguments, files, config, an unreachable host); nothing was created. */
  input: 2,
  /** A bug in this project: its stack trace is printed. */
  bug: 3,
  /**
   * verify, and `doctor --live` without a finding (cli/doctor/exit-code.ts): a step the admin takes after
   * `pulumi up` is all that is missing. Either the DNS record named by --expect-cname does not exist yet (nothing
   * was checked or created), or nothing failed and every check that did not pass is pending such a step
   * (CheckOutcome.pending, e.g. cache-bust before the MinIO nginx's secret file is written); the report names the
   * step. Not a pass. The self-check of `pulumi up` accepts it.
   */
  pending: 4,
  /** Interrupted by Ctrl-C (SIGINT) or SIGTERM, after removing the probes. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A live-check report's exit code: interrupted, ok, pending when only steps after `pulumi up` are missing (live-checks/report.ts pendingSteps), else failed. */
export function reportExitCode(report: Pick<VerifyReport, "ok" | "interrupted" | "checks" | "probes">): ExitCode {
  if (report.interrupted) return EXIT.interrupted;
  if (report.ok) return EXIT.ok;
  return pendingSteps(report).length > 0 ? EXIT.pending : EXIT.failed;
}

/**
 * The exit code of one run of the live checks (live-checks/run.ts runVerify), for verify and `doctor --live` alike:
 * interrupted before a report (130), an unreachable host (input: nothing was created), the DNS record of
 * --expect-cname missing (pending), else the report's own code (reportExitCode).
 */
export function outcomeExitCode(outcome: VerifyOutcome): ExitCode {
  switch (outcome.kind) {
    case "interrupted":
      return EXIT.interrupted;
    case "unreachable":
      return EXIT.input;
    case "pending":
      return EXIT.pending;
    case "report":
      return reportExitCode(outcome.report);
  }
}

/** The report as `--json` prints it: `ok` and `exitCode` first, then the report (docs/verify.md). */
export function reportJson(report: VerifyReport): { ok: boolean; exitCode: ExitCode } & VerifyReport {
  const { ok, ...rest } = report;
  return { ok, exitCode: reportExitCode(report), ...rest };
}
