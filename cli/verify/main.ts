import { readFileSync } from "node:fs";
import { corsOrigin, parseVerifyArgs, USAGE, type VerifyOptions } from "./args";
import { CHECKS } from "./checks";
import type { CheckContext } from "./checks/types";
import { parseEnvFile } from "../../components/mastodon-env/env-file";
import { httpRequest } from "./http";
import { ProbeRegistry } from "./probes";
import { DNS_PENDING_WAIT_SECONDS, renderPending, waitForDnsRecord } from "./pending-dns";
import { endpointsOf, unreachableEndpoints } from "./reachability";
import { buildReport, EXIT, renderHeader, renderProblems, renderResult, renderSummary } from "./report";
import { Interrupted, runChecks, type CheckResult } from "./runner";
import { writerClient } from "./s3";
import { readTarget, type VerifyTarget } from "./target";
import { tlsHandshake } from "./tls";
import { readMastodonTarget } from "./mastodon/options";
import { MastodonRoundTrip, type MastodonTarget } from "./mastodon/round-trip";

/** How long removing the probes may take after the checks, or after Ctrl-C. */
const CLEANUP_TIMEOUT_MS = 30_000;

/**
 * `npm run verify`: the live checks of a deployed media storage, from its rendered env. Also what the
 * self-check of `pulumi up` runs (components/self-check.ts), so nothing it prints may be a secret.
 */
async function main(argv: string[]): Promise<number> {
  const args = parseVerifyArgs(argv);
  if (args.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  if ("problems" in args) {
    process.stderr.write(`${args.problems.map((p) => `verify: ${p}`).join("\n")}\n${USAGE}\n`);
    return EXIT.input;
  }
  const { options } = args;
  const input = readEnvSource(options.env);
  const file = "text" in input ? parseEnvFile(input.text) : undefined;
  const targetResult = file ? readTarget(file.values, file.malformed) : undefined;
  const mastodon = options.mastodon !== undefined ? readMastodonTarget(options.mastodon, process.env) : undefined;
  const problems = [
    ...("problem" in input ? [input.problem] : []),
    ...(file?.problems ?? []),
    ...(targetResult && !targetResult.ok ? targetResult.problems : []),
    ...(mastodon?.problems ?? []),
  ];
  if (problems.length > 0 || !file || !targetResult?.ok) {
    return inputFailure(options, problems, options.env === "-" ? "The env on standard input" : `The env file ${options.env}`);
  }
  return verify(targetResult.target, corsOrigin(options.origin, file.values), options, mastodon?.target);
}

function inputFailure(options: VerifyOptions, problems: string[], what: string): number {
  if (options.json) process.stdout.write(`${JSON.stringify({ ok: false, exitCode: EXIT.input, problems }, null, 2)}\n`);
  else process.stderr.write(renderProblems(problems, what));
  return EXIT.input;
}

function readEnvSource(source: string): { text: string } | { problem: string } {
  if (source === "-") {
    if (process.stdin.isTTY) return { problem: "--env - reads the env from standard input, but nothing is piped in" };
    const text = readFileSync(0, "utf8");
    return text.trim() === "" ? { problem: "the env on standard input is empty" } : { text };
  }
  try {
    return { text: readFileSync(source, "utf8") };
  } catch (error) {
    return { problem: `cannot read ${source} (${(error as NodeJS.ErrnoException).code ?? "error"})` };
  }
}

async function verify(target: VerifyTarget, origin: string, options: VerifyOptions, mastodon?: MastodonTarget): Promise<number> {
  const started = Date.now();
  const deadline = started + options.retryForSeconds * 1000;
  const say = (text: string) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
  const out = (text: string) => (options.json ? say(text) : process.stdout.write(text));
  out(renderHeader(target, origin));

  const s3 = writerClient(target);
  const probes = new ProbeRegistry(target.facts.bucket, target.facts.keyPrefix);
  const controller = new AbortController();
  const stop = onSignals(controller, () => probes.pending());
  if (options.expectCname) {
    // A missing record the user has to create is a pending deploy, not a broken storage: say which record.
    const expected = options.expectCname;
    const wait = await waitForDnsRecord(
      expected,
      Math.min(deadline, started + DNS_PENDING_WAIT_SECONDS * 1000),
      (line, waitMs, leftMs) => say(`  waiting for DNS (${line}); retry in ${Math.round(waitMs / 1000)} s (${Math.round(leftMs / 1000)} s left)`),
      { signal: controller.signal },
    ).catch((error: unknown) => {
      if (controller.signal.aborted) return undefined;
      throw error;
    });
    if (!wait || wait.pending) {
      s3.destroy();
      stop();
      if (!wait) return EXIT.interrupted;
      if (options.json) process.stdout.write(`${JSON.stringify({ ok: false, exitCode: EXIT.pending, pending: [`waiting for DNS: create ${expected.host} CNAME ${expected.target}`] }, null, 2)}\n`);
      out(renderPending(expected, wait));
      return EXIT.pending;
    }
    say(`  DNS: ${wait.line}`);
  }
  const unreachable = await unreachableEndpoints(endpointsOf(target), deadline, (list, waitMs, leftMs) =>
    say(`  waiting for ${list.length === 1 ? "a host" : "hosts"} to answer (${list[0]}); retry in ${Math.round(waitMs / 1000)} s (${Math.round(leftMs / 1000)} s left)`),
    undefined,
    controller.signal,
  ).catch((error: unknown) => {
    if (controller.signal.aborted) return [];
    throw error;
  });
  if (controller.signal.aborted || unreachable.length > 0) {
    s3.destroy();
    stop();
    return controller.signal.aborted ? EXIT.interrupted : inputFailure(options, unreachable, "Reaching the storage");
  }

  const secrets = [target.facts.secretAccessKey, target.facts.accessKeyId, mastodon?.token ?? ""].filter((s) => s.length >= 4);
  const redact = (text: string) => secrets.reduce((masked, secret) => masked.split(secret).join("[secret]"), text);
  const context: CheckContext = {
    target,
    origin,
    io: { s3, http: httpRequest, tls: tlsHandshake },
    probes,
    state: {},
    signal: controller.signal,
    redact,
  };

  // Collected as they finish, so that an interrupted run still reports what it saw.
  const checks: CheckResult[] = [];
  let interrupted = false;
  let bug: unknown;
  const roundTrip = mastodon ? new MastodonRoundTrip(mastodon, () => checks) : undefined;
  try {
    await runChecks(CHECKS, context, {
      deadline,
      onProgress: say,
      onResult: (result) => {
        checks.push(result);
        out(renderResult(result));
      },
    });
    // Seed 001's round trip through Mastodon (cli/verify/mastodon), after the storage checks it hands a 5xx over to.
    if (roundTrip) {
      await runChecks(roundTrip.checks(), context, {
        deadline,
        onProgress: say,
        onResult: (result) => {
          checks.push(result);
          out(renderResult(result));
        },
      });
    }
  } catch (error) {
    if (error instanceof Interrupted) interrupted = true;
    else bug = error;
  }
  if (interrupted) say("Interrupted: removing the probes...");
  // Whatever happened above, the probes go.
  const leftover = await probes.removeAll(s3, redact, AbortSignal.timeout(CLEANUP_TIMEOUT_MS));
  if (roundTrip) leftover.push(...(await roundTrip.cleanup(AbortSignal.timeout(CLEANUP_TIMEOUT_MS))));
  s3.destroy();
  stop();
  if (bug !== undefined) throw bug;

  const report = buildReport({ target, origin, checks, created: probes.created, leftover, interrupted, durationMs: Date.now() - started });
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  out(renderSummary(report));
  return report.exitCode;
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
    process.stderr.write(`Stopped before removing ${names.length} probe(s)${names.length ? `: ${names.join(", ")}` : ""}\n`);
    process.exit(EXIT.interrupted);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(EXIT.bug);
  },
);
