import { CHECKS } from "./registry";
import { SECRET_MASK } from "../components/masks";
import type { Check, CheckContext, CheckHints } from "./check";
import { httpRequest } from "./io/http";
import { ProbeRegistry } from "./probes";
import { endpointsOf, unreachableEndpoints } from "./reachability";
import { buildReport, renderHeader, renderResult, renderSummary, type VerifyReport } from "./report";
import { Interrupted, runChecks, type CheckResult } from "./runner";
import { MastodonRoundTrip } from "./mastodon/round-trip";
import type { MastodonTarget } from "./mastodon/options";
import { DNS_PENDING_WAIT_SECONDS, renderPending, waitForDnsRecord, type ExpectedCname } from "./pending-dns";
import { writerClient } from "./io/s3";
import type { VerifyTarget } from "../mastodon-env/target";
import { tlsHandshake } from "./io/tls";

/** How long removing the probes may take after the checks, or after Ctrl-C. */
const CLEANUP_TIMEOUT_MS = 30_000;

export interface RunVerifyOptions {
  retryForSeconds: number;
  /** The report text (header, each result, summary). */
  out(text: string): void;
  /** Progress lines (retries, waiting for hosts). */
  say(text: string): void;
  /** What doctor already knows about the env, so that the checks read their answers in that light. */
  hints?: CheckHints;
  checks?: readonly Check[];
  /** `--expect-cname`: the media host's record is the user's to create; while it is missing the run is pending. */
  expectCname?: ExpectedCname;
  /** `--mastodon`: the round trip through the instance's API (live-checks/mastodon/round-trip.ts), after the storage checks. */
  mastodon?: MastodonTarget;
  /** `--previous-media-base`: an old media base whose URLs must redirect (checks/previous-media-redirect.ts). */
  previousMediaBase?: string;
}

export type VerifyOutcome =
  | { kind: "report"; report: VerifyReport }
  | { kind: "unreachable"; problems: string[] }
  | { kind: "pending"; pending: string[] }
  | { kind: "interrupted" };

/**
 * The live checks against a storage: reachability first (nothing is created when a host is unreachable), then
 * every check, then the removal of every probe, whatever happened. Used by `npm run verify` and `doctor --live`.
 */
export async function runVerify(
  target: VerifyTarget,
  origin: string,
  options: RunVerifyOptions,
): Promise<VerifyOutcome> {
  const started = Date.now();
  const deadline = started + options.retryForSeconds * 1000;
  options.out(renderHeader(target, origin));

  const s3 = writerClient(target);
  // The same writer without the optional checksum headers: tells a refused checksum header apart (writer-upload).
  const s3WhenRequired =
    target.requestChecksumCalculation === "WHEN_SUPPORTED" ? writerClient(target, "when-required") : undefined;
  const probes = new ProbeRegistry(target.facts.bucket, target.facts.keyPrefix);
  const controller = new AbortController();
  const stop = onSignals(controller, () => probes.pending());
  // The one teardown, on every way out: the clients' sockets and the signal handlers.
  try {
    const notReady = await waitUntilReady(target, options, deadline, started, controller);
    if (notReady) return notReady;
    const secrets = [target.facts.secretAccessKey, target.facts.accessKeyId, options.mastodon?.token ?? ""].filter(
      (s) => s.length >= 4,
    );
    const context: CheckContext = {
      target,
      origin,
      io: { s3, ...(s3WhenRequired ? { s3WhenRequired } : {}), http: httpRequest, tls: tlsHandshake },
      probes,
      state: {},
      hints: options.hints ?? {},
      signal: controller.signal,
      redact: (text) => secrets.reduce((masked, secret) => masked.split(secret).join(SECRET_MASK), text),
      ...(options.previousMediaBase ? { previousMediaBase: options.previousMediaBase } : {}),
    };
    const report = await checkAndClean(context, options, deadline, started);
    options.out(renderSummary(report));
    return { kind: "report", report };
  } finally {
    s3.destroy();
    s3WhenRequired?.destroy();
    stop();
  }
}

/**
 * Before anything is created: the expected DNS record (with --expect-cname), then every endpoint answering.
 * Returns the outcome that ends the run (pending, unreachable, interrupted), or undefined to go on.
 */
async function waitUntilReady(
  target: VerifyTarget,
  options: RunVerifyOptions,
  deadline: number,
  started: number,
  controller: AbortController,
): Promise<VerifyOutcome | undefined> {
  const { out, say } = options;
  if (options.expectCname) {
    // A missing record the user has to create is a pending deploy, not a broken storage: say which record.
    const expected = options.expectCname;
    const wait = await waitForDnsRecord(
      expected,
      Math.min(deadline, started + DNS_PENDING_WAIT_SECONDS * 1000),
      (line, waitMs, leftMs) =>
        say(
          `  waiting for DNS (${line}); retry in ${Math.round(waitMs / 1000)} s (${Math.round(leftMs / 1000)} s left)`,
        ),
      { signal: controller.signal },
    ).catch((error: unknown) => {
      if (controller.signal.aborted) return undefined;
      throw error;
    });
    if (!wait) return { kind: "interrupted" };
    if (wait.pending) {
      out(renderPending(expected, wait));
      return { kind: "pending", pending: [`waiting for DNS: create ${expected.host} CNAME ${expected.target}`] };
    }
    say(`  DNS: ${wait.line}`);
  }
  const unreachable = await unreachableEndpoints(
    endpointsOf(target),
    deadline,
    (list, waitMs, leftMs) =>
      say(
        `  waiting for ${list.length === 1 ? "a host" : "hosts"} to answer (${list[0]}); retry in ${Math.round(waitMs / 1000)} s (${Math.round(leftMs / 1000)} s left)`,
      ),
    undefined,
    controller.signal,
  ).catch((error: unknown) => {
    if (controller.signal.aborted) return [];
    throw error;
  });
  if (controller.signal.aborted) return { kind: "interrupted" };
  return unreachable.length > 0 ? { kind: "unreachable", problems: unreachable } : undefined;
}

/** Every check, then the removal of every probe whatever happened (a bug is thrown only after the cleanup). */
async function checkAndClean(
  context: CheckContext,
  options: RunVerifyOptions,
  deadline: number,
  started: number,
): Promise<VerifyReport> {
  const { out, say } = options;
  // Collected as they finish, so that an interrupted run still reports what it saw.
  const checks: CheckResult[] = [];
  let interrupted = false;
  let bug: unknown;
  const roundTrip = options.mastodon
    ? new MastodonRoundTrip(options.mastodon, () => checks, { progress: say })
    : undefined;
  const onResult = (result: CheckResult) => {
    checks.push(result);
    out(renderResult(result));
  };
  try {
    await runChecks(options.checks ?? CHECKS, context, { deadline, onProgress: say, onResult });
    // The round trip through Mastodon (live-checks/mastodon), after the storage checks it hands a 5xx over to.
    if (roundTrip) await runChecks(roundTrip.checks(), context, { deadline, onProgress: say, onResult });
  } catch (error) {
    if (error instanceof Interrupted) interrupted = true;
    else bug = error;
  }
  if (interrupted) say("Interrupted: removing the probes...");
  // Whatever happened above, the probes go.
  const leftover = await context.probes.removeAll(
    context.io.s3,
    context.redact,
    AbortSignal.timeout(CLEANUP_TIMEOUT_MS),
  );
  if (roundTrip) leftover.push(...(await roundTrip.cleanup(AbortSignal.timeout(CLEANUP_TIMEOUT_MS))));
  if (bug !== undefined) throw bug;
  const { target, origin, probes } = context;
  const leftToMastodon = roundTrip?.handedOver() ?? [];
  return buildReport({
    target,
    origin,
    checks,
    created: probes.created,
    removed: probes.removedCount,
    leftover,
    leftToMastodon,
    interrupted,
    durationMs: Date.now() - started,
  });
}

/**
 * Ctrl-C or SIGTERM (pulumi cancelling the self-check) aborts the checks; the probes are removed before exiting.
 * A second signal exits at once, naming what is left on the server.
 */
function onSignals(controller: AbortController, pending: () => { keys: string[]; buckets: string[] }): () => void {
  const handler = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      controller.abort(new Error(`${signal} received`));
      return;
    }
    const left = pending();
    const names = [...left.keys, ...left.buckets.map((bucket) => `bucket ${bucket}`)];
    process.stderr.write(
      `Stopped before removing ${names.length} probe(s)${names.length ? `: ${names.join(", ")}` : ""}\n`,
    );
    process.exit(130);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}
