import { REQUIREMENT_SOURCES } from "./registry";
import { skip, type Check, type CheckContext, type CheckOutcome } from "./check";
import { retryUntil, systemClock, type Clock } from "./retry";

export interface CheckResult extends CheckOutcome {
  id: string;
  title: string;
  attempts: number;
  ms: number;
}

export interface RunOptions {
  /** Epoch milliseconds: --retry-for from the start of the run. */
  deadline: number;
  clock?: Clock;
  /** A retry is about to wait: one line for the person watching. */
  onProgress?(line: string): void;
  /** A check has finished. */
  onResult?(result: CheckResult): void;
}

/** Thrown when the run was interrupted (Ctrl-C, SIGTERM): the caller still removes the probes. */
export class Interrupted extends Error {
  constructor() {
    super("interrupted");
    this.name = "Interrupted";
  }
}

/** Runs the checks in order; a check whose requirement is missing is skipped, transient failures are retried. */
export async function runChecks(
  checks: readonly Check[],
  context: CheckContext,
  options: RunOptions,
): Promise<CheckResult[]> {
  const clock = options.clock ?? systemClock;
  const results: CheckResult[] = [];
  for (const check of checks) {
    if (context.signal.aborted) throw new Interrupted();
    const started = clock.now();
    const missing = (check.needs ?? []).filter((requirement) => !context.state[requirement]);
    let outcome: CheckOutcome;
    let attempts = 0;
    if (missing.length > 0) {
      outcome = skip(
        `skipped: needs ${missing.map((requirement) => REQUIREMENT_SOURCES[requirement]).join(" and ")} to pass first`,
      );
    } else {
      const limit =
        check.retry === "deadline"
          ? options.deadline
          : check.retry === undefined
            ? started
            : Math.min(options.deadline, started + check.retry * 1000);
      ({ result: outcome, attempts } = await retryUntil(() => runOnce(check, context), {
        deadline: limit,
        shouldRetry: (result) => result.status === "fail" && result.transient === true,
        onRetry: ({ retry, waitMs, leftMs, last }) =>
          options.onProgress?.(
            `  ${check.id}: ${last.observed.at(-1) ?? "failed"}; retry ${retry} in ${Math.round(waitMs / 1000)} s (${Math.round(leftMs / 1000)} s left)`,
          ),
        clock,
        signal: context.signal,
      }).catch((error: unknown) => {
        if (context.signal.aborted) throw new Interrupted();
        throw error;
      }));
    }
    const result: CheckResult = { id: check.id, title: check.title, ...outcome, attempts, ms: clock.now() - started };
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}

async function runOnce(check: Check, context: CheckContext): Promise<CheckOutcome> {
  try {
    return await check.run(context);
  } catch (error) {
    if (context.signal.aborted) throw new Interrupted();
    // A bug in verify, not a finding about the storage: report it as a failure so that the probes are still removed.
    const message = context.redact(error instanceof Error ? error.message : String(error));
    return {
      status: "fail",
      observed: [`verify failed unexpectedly: ${message}`],
      cause: "a bug in verify itself",
      fix: "run verify again; if it persists, report it with this output",
    };
  }
}
