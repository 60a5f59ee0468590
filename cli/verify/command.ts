import { corsOrigin } from "../../live-checks/cors-origin";
import { parseVerifyArgs, USAGE, type VerifyOptions } from "./args";
import { answerArguments, guardCommand, type Command, type CommandIo } from "../shared/command";
import { outputFileProblem } from "../shared/user-files";
import { parseEnvFile } from "../../mastodon-env/env-file";
import { readEnvSource, writeJson } from "../shared/env-source";
import { renderProblems } from "../../live-checks/report";
import { EXIT, outcomeExitCode, reportJson } from "../shared/exit-codes";
import { runVerify } from "../../live-checks/run";
import { readTarget } from "../../mastodon-env/target";
import { readMastodonTarget } from "../../live-checks/mastodon/options";

/**
 * `npm run verify`: the live checks of a deployed media storage, from its rendered env. Also what the
 * self-check of `pulumi up` runs (components/self-check.ts), so nothing it prints may be a secret.
 * `env` is where MASTODON_ACCESS_TOKEN is read (the process's environment when run as a command).
 */
export function verifyCommand(env: NodeJS.ProcessEnv = process.env): Command {
  return guardCommand("verify", (argv, io) => runVerifyCommand(argv, io, env));
}

async function runVerifyCommand(argv: string[], io: CommandIo, env: NodeJS.ProcessEnv): Promise<number> {
  const args = parseVerifyArgs(argv);
  if (args.help || "problems" in args) return answerArguments("verify", USAGE, args, io);
  const { options } = args;
  const output = options.jsonFile ? outputFileProblem("--json", options.jsonFile) : undefined;
  if (output) {
    io.err(`verify: ${output}\n`);
    return EXIT.input;
  }
  const input = readEnvSource(options.env);
  const file = "text" in input ? parseEnvFile(input.text) : undefined;
  const targetResult = file ? readTarget(file.values, file.malformed) : undefined;
  const mastodon = options.mastodon !== undefined ? readMastodonTarget(options.mastodon, env) : undefined;
  const envProblems = [
    ...("problem" in input ? [input.problem] : []),
    ...(file?.problems ?? []),
    ...(targetResult && !targetResult.ok ? targetResult.problems : []),
  ];
  // --mastodon's URL and MASTODON_ACCESS_TOKEN are not in the env file: their problems are named as verify's input.
  const otherProblems = mastodon?.problems ?? [];
  if (envProblems.length > 0 || otherProblems.length > 0 || !file || !targetResult?.ok) {
    const envSource = options.env === "-" ? "The env on standard input" : `The env file ${options.env}`;
    return inputFailure(options, io, [
      [envProblems, envSource],
      [otherProblems, "verify's input (--mastodon, MASTODON_ACCESS_TOKEN)"],
    ]);
  }
  const say = (text: string) => io.err(text.endsWith("\n") ? text : `${text}\n`);
  const jsonOnStdout = options.json && (options.jsonFile ?? "-") === "-";
  const outcome = await runVerify(targetResult.target, corsOrigin(options.origin, file.values), {
    retryForSeconds: options.retryForSeconds,
    say,
    out: (text) => (jsonOnStdout ? say(text) : io.out(text)),
    ...(options.expectCname ? { expectCname: options.expectCname } : {}),
    ...(mastodon?.target ? { mastodon: mastodon.target } : {}),
    ...(options.previousMediaBase ? { previousMediaBase: options.previousMediaBase } : {}),
  });
  if (outcome.kind === "unreachable") return inputFailure(options, io, [[outcome.problems, "Reaching the storage"]]);
  const exitCode = outcomeExitCode(outcome);
  if (options.json && outcome.kind !== "interrupted")
    writeJson(
      options.jsonFile ?? "-",
      outcome.kind === "report" ? reportJson(outcome.report) : { ok: false, exitCode, pending: outcome.pending },
      io,
    );
  return exitCode;
}

/** Exit 2 with the problems, each group under what it is about (the env file, other input, the storage). */
function inputFailure(
  options: VerifyOptions,
  io: CommandIo,
  groups: readonly (readonly [readonly string[], string])[],
): number {
  const problems = groups.flatMap(([list]) => list);
  if (options.json) writeJson(options.jsonFile ?? "-", { ok: false, exitCode: EXIT.input, problems }, io);
  if (!options.json || options.jsonFile) {
    for (const [list, what] of groups) if (list.length > 0) io.err(renderProblems(list, what));
  }
  return EXIT.input;
}
