import { corsOrigin, parseVerifyArgs, USAGE, type VerifyOptions } from "./args";
import { UserError } from "../../components/errors";
import { outputFileProblem } from "../shared/user-files";
import { parseEnvFile } from "../../components/mastodon-env/env-file";
import { readEnvSource, writeJson } from "./env-source";
import { EXIT, renderProblems } from "./report";
import { runVerify } from "./run";
import { readTarget } from "./target";
import { readMastodonTarget } from "./mastodon/options";

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
  const output = options.jsonFile ? outputFileProblem("--json", options.jsonFile) : undefined;
  if (output) {
    process.stderr.write(`verify: ${output}\n`);
    return EXIT.input;
  }
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
  const say = (text: string) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
  const jsonOnStdout = options.json && (options.jsonFile ?? "-") === "-";
  const outcome = await runVerify(targetResult.target, corsOrigin(options.origin, file.values), {
    retryForSeconds: options.retryForSeconds,
    say,
    out: (text) => (jsonOnStdout ? say(text) : process.stdout.write(text)),
    ...(options.expectCname ? { expectCname: options.expectCname } : {}),
    ...(mastodon?.target ? { mastodon: mastodon.target } : {}),
  });
  if (outcome.kind === "interrupted") return EXIT.interrupted;
  if (outcome.kind === "unreachable") return inputFailure(options, outcome.problems, "Reaching the storage");
  if (outcome.kind === "pending") {
    if (options.json) writeJson(options.jsonFile ?? "-", { ok: false, exitCode: EXIT.pending, pending: outcome.pending });
    return EXIT.pending;
  }
  if (options.json) writeJson(options.jsonFile ?? "-", outcome.report);
  return outcome.report.exitCode;
}

function inputFailure(options: VerifyOptions, problems: string[], what: string): number {
  if (options.json) writeJson(options.jsonFile ?? "-", { ok: false, exitCode: EXIT.input, problems });
  if (!options.json || options.jsonFile) process.stderr.write(renderProblems(problems, what));
  return EXIT.input;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UserError) {
      console.error(`verify: ${error.message}`);
      process.exit(EXIT.input);
    }
    console.error(error);
    process.exit(EXIT.bug);
  },
);
