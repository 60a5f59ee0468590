import { parseEnvFile } from "../../mastodon-env/env-file";
import { storageBackend } from "../../mastodon-env/model";
import { answerArguments, guardCommand, type CommandIo } from "../shared/command";
import { outputFileProblem } from "../shared/user-files";
import { readEnvSource, writeJson } from "../shared/env-source";
import { MAX_RETRY_SECONDS } from "../../live-checks/retry";
import { renderProblems } from "../../live-checks/report";
import { EXIT, reportJson } from "../shared/exit-codes";
import { parseDoctorArgs, USAGE } from "./args";
import { diagnoseEnv } from "./diagnose";
import { renderAttributions, runLive, type LiveResult } from "./live";
import { doctorExitCode } from "./exit-code";
import { renderDiagnosis } from "./render";

/**
 * `npm run doctor -- --env FILE [--previous OLD] [--live] [--json [FILE]]`: reads an existing .env.production as
 * Mastodon reads it and reports every known misconfiguration with its fix. Touches nothing unless --live.
 * Exit codes: cli/doctor/exit-code.ts, the live checks' by verify's rule. No value of a credential is ever printed.
 */
export const doctorCommand = guardCommand("doctor", runDoctor);

async function runDoctor(argv: string[], io: CommandIo): Promise<number> {
  const args = parseDoctorArgs(argv);
  if (args.help || "problems" in args) return answerArguments("doctor", USAGE, args, io);
  const { options } = args;
  const output = options.json ? outputFileProblem("--json", options.json) : undefined;
  if (output) {
    io.err(`doctor: ${output}\n`);
    return EXIT.input;
  }
  const retryForSeconds = options.retryFor === undefined ? 0 : Number(options.retryFor);
  const problems: string[] = [];
  if (options.retryFor !== undefined && (!/^\d+$/.test(options.retryFor) || retryForSeconds > MAX_RETRY_SECONDS)) {
    problems.push(`--retry-for must be a whole number of seconds from 0 to ${MAX_RETRY_SECONDS}`);
  }
  const read = (path: string, flag: string) => {
    const source = readEnvSource(path);
    if ("problem" in source) {
      problems.push(`${flag}: ${source.problem}`);
      return undefined;
    }
    const file = parseEnvFile(source.text);
    problems.push(...file.problems.map((p) => `${flag} ${path}: ${p}`));
    return file;
  };
  const file = read(options.env, "--env");
  const previous = options.previous ? read(options.previous, "--previous") : undefined;
  const jsonOut = options.json;
  if (problems.length > 0 || !file) {
    if (jsonOut) writeJson(jsonOut, { ok: false, exitCode: EXIT.input, problems }, io);
    if (!jsonOut || jsonOut !== "-") io.err(renderProblems(problems, "doctor's input", "nothing was diagnosed"));
    return EXIT.input;
  }

  const diagnosis = diagnoseEnv(file.values, previous?.values, options.provider);
  const text = !jsonOut || jsonOut !== "-";
  const write = (t: string) => (text ? io.out(t) : io.err(t));
  write(
    renderDiagnosis(options.env, diagnosis, {
      live: options.live,
      backend: storageBackend(file.values),
      empty: file.values.size === 0,
    }),
  );
  let live: LiveResult | undefined;
  if (options.live) {
    write("\nLive checks (verify), with the findings above as context:\n");
    live = await runLive(file.values, diagnosis.findings, {
      origin: options.origin,
      retryForSeconds,
      out: write,
      say: (t) => io.err(t.endsWith("\n") ? t : `${t}\n`),
    });
    if (live.problems) write(renderProblems(live.problems, "Starting the live checks"));
    if (!live.report && live.exitCode === EXIT.interrupted) write("Interrupted before the live checks ran.\n");
    write(renderAttributions(live.attributions, diagnosis.findings, live.systemRedirect));
  }
  const exitCode = doctorExitCode(diagnosis, live);
  if (jsonOut) {
    writeJson(
      jsonOut,
      {
        ok: exitCode === EXIT.ok,
        exitCode,
        provider: {
          id: diagnosis.provider.provider.id,
          name: diagnosis.provider.provider.name,
          region: diagnosis.provider.region ?? null,
        },
        findings: diagnosis.findings,
        ...(live
          ? {
              live: {
                report: live.report ? reportJson(live.report) : null,
                problems: live.problems ?? [],
                attributions: live.attributions,
                systemRedirect: live.systemRedirect ?? null,
              },
            }
          : {}),
      },
      io,
    );
  }
  return exitCode;
}
