import type { CheckResult } from "./runner";
import type { VerifyTarget } from "../mastodon-env/target";

/** What a run of the live checks saw; cli/shared/exit-codes.ts turns it into the exit code and the JSON. */
export interface VerifyReport {
  /** Every check passed (or was skipped as not applicable) and every probe was removed, without an interruption. */
  ok: boolean;
  bucket: string;
  apiEndpoint: string;
  mediaBase: string;
  origin: string;
  /** The ACL header sent with uploads, or null for none. */
  uploadAcl: string | null;
  checks: CheckResult[];
  /**
   * Probes that existed (created), those removed again, and what could not be removed or checked (leftover: a
   * failure). leftToMastodon: what verify may not remove on this Mastodon version and Mastodon's own cleanup
   * removes (live-checks/mastodon/version.ts): reported, not a failure.
   */
  probes: { created: number; removed: number; leftover: string[]; leftToMastodon?: string[] };
  interrupted: boolean;
  durationMs: number;
}

export function buildReport(args: {
  target: VerifyTarget;
  origin: string;
  checks: CheckResult[];
  created: number;
  /** Probes removed (default: created minus leftovers, for callers that count no removals). */
  removed?: number;
  leftover: string[];
  leftToMastodon?: string[];
  interrupted: boolean;
  durationMs: number;
}): VerifyReport {
  // An inconclusive check is never a pass: the storage is not shown to work.
  const failed =
    args.checks.some((check) => check.status === "fail" || check.status === "inconclusive") || args.leftover.length > 0;
  return {
    ok: !args.interrupted && !failed,
    bucket: args.target.facts.bucket,
    apiEndpoint: args.target.apiEndpoint.origin,
    mediaBase: args.target.mediaBase.href.replace(/\/$/, ""),
    origin: args.origin,
    uploadAcl: args.target.uploadAcl ?? null,
    checks: args.checks,
    probes: {
      created: args.created,
      removed: args.removed ?? Math.max(0, args.created - args.leftover.length),
      leftover: args.leftover,
      ...(args.leftToMastodon?.length ? { leftToMastodon: args.leftToMastodon } : {}),
    },
    interrupted: args.interrupted,
    durationMs: args.durationMs,
  };
}

/**
 * The steps the admin must still take after `pulumi up` (CheckOutcome.pending), when they are all that keeps the
 * report from ok: not interrupted, every probe removed, no check failed, and every inconclusive check pending.
 * Empty otherwise (ok, or anything else wrong). cli/shared/exit-codes.ts turns a non-empty list into EXIT.pending.
 */
export function pendingSteps(report: Pick<VerifyReport, "ok" | "interrupted" | "checks" | "probes">): string[] {
  if (report.ok || report.interrupted || report.probes.leftover.length > 0) return [];
  const notPassed = report.checks.filter((check) => check.status === "fail" || check.status === "inconclusive");
  if (notPassed.length === 0 || notPassed.some((check) => check.status !== "inconclusive" || !check.pending)) return [];
  return notPassed.map((check) => `${check.id}: ${check.pending}`);
}

export function renderHeader(target: VerifyTarget, origin: string): string {
  const acl = target.uploadAcl ? `x-amz-acl: ${target.uploadAcl}` : "no ACL header";
  return [
    `Verifying Mastodon media storage: bucket ${target.facts.bucket}${target.facts.keyPrefix ? ` (key prefix ${target.facts.keyPrefix}/)` : ""}`,
    `  API ${target.apiEndpoint.origin}, media ${target.mediaBase.href.replace(/\/$/, "")}, uploads with ${acl}, CORS origin ${origin}`,
    "",
  ].join("\n");
}

const LABEL = { pass: "PASS", fail: "FAIL", skip: "SKIP", inconclusive: "INCONCLUSIVE", warn: "WARN" } as const;

/** One result; an inconclusive one waiting for a step after `pulumi up` is labelled PENDING (not checked, not a pass). */
export function renderResult(result: CheckResult): string {
  const pending = result.status === "inconclusive" && result.pending;
  const lines = [`${pending ? "PENDING" : LABEL[result.status]}  ${result.id}: ${result.title}`];
  for (const line of result.observed) lines.push(`      ${line}`);
  if (result.status === "fail" || result.status === "inconclusive" || result.status === "warn") {
    if (result.cause)
      lines.push(
        `      ${result.status === "fail" ? "likely cause" : result.status === "warn" ? "note" : "why it is not known"}: ${result.cause}`,
      );
    if (pending) lines.push(`      not checked until this step: ${result.pending}`);
    if (result.fix) lines.push(`      fix: ${result.fix}`);
    if (result.attempts > 1)
      lines.push(`      (still failing after ${result.attempts} attempts over ${Math.round(result.ms / 1000)} s)`);
  }
  return `${lines.join("\n")}\n`;
}

export function renderSummary(report: VerifyReport): string {
  const count = (status: CheckResult["status"]) => report.checks.filter((check) => check.status === status).length;
  const lines = [""];
  lines.push(`Probes: ${report.probes.created} created, ${report.probes.removed} removed.`);
  if (report.probes.leftover.length > 0) {
    lines.push("Could not remove (delete them by hand):");
    for (const leftover of report.probes.leftover) lines.push(`  ${leftover}`);
  }
  if (report.probes.leftToMastodon?.length) {
    lines.push("Left for Mastodon's own cleanup (a limit of this Mastodon version, not a failure):");
    for (const left of report.probes.leftToMastodon) lines.push(`  ${left}`);
  }
  if (report.interrupted) lines.push("Interrupted: the remaining checks did not run.");
  const failed = count("fail");
  const inconclusive = count("inconclusive");
  const pending = pendingSteps(report);
  // Not ready either way (exit 1, or 4 when only steps after pulumi up are missing: docs/verify.md), but an
  // inconclusive check is not a failure: say which it is.
  const verdict = report.ok
    ? "the media storage works as Mastodon needs it"
    : pending.length > 0
      ? `PENDING: not all checked until the step${pending.length > 1 ? "s" : ""} after pulumi up (fix above): ${pending.join("; ")}`
      : failed > 0
        ? "NOT ready: fix the failures above"
        : inconclusive > 0
          ? `NOT confirmed: nothing failed, but ${inconclusive} check(s) could not tell (inconclusive above); their notes say what to change or when to run again`
          : report.interrupted
            ? "NOT ready: interrupted before every check ran"
            : report.probes.leftover.length > 0
              ? "NOT clean: the checks passed, but probes are left (listed above)"
              : "NOT ready: see above";
  lines.push(
    `Checks passed: ${count("pass")} of ${report.checks.length}; failed: ${count("fail")}; ${count("inconclusive") ? `inconclusive (not a pass): ${count("inconclusive")}; ` : ""}${count("warn") ? `passed with a warning: ${count("warn")}; ` : ""}skipped: ${count("skip")}; ${(report.durationMs / 1000).toFixed(1)} s. Verdict: ${verdict}.`,
  );
  return `${lines.join("\n")}\n`;
}

/**
 * Problems with the input (flags, env, reachability): one line each, after what they stopped (`outcome`: for
 * verify, nothing was created on the server; doctor, which never writes, says its own).
 */
export function renderProblems(
  problems: readonly string[],
  what: string,
  outcome = "nothing was created on the server",
): string {
  const noun = problems.length === 1 ? "problem" : "problems";
  return `${what} has ${problems.length} ${noun}; ${outcome}:\n${problems.map((p) => `  - ${p}`).join("\n")}\n`;
}
