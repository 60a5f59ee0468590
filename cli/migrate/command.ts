import { UserError } from "../../components/errors";
import { answerArguments, guardCommand, type CommandIo } from "../shared/command";
import { EXIT } from "../shared/exit-codes";
import { parseMigrateArgs, USAGE, type MigrateArgs } from "./args";
import type { CheckReport } from "./check";
import { ensureRclone, formatStats, runPass, type PassResult } from "./copy";
import { resolveDestination, resolveSource, type Destination, type Source } from "./endpoints";
import { sameMediaBaseProblem, sameStorageProblem } from "./overlap";
import { copyCommands, type CopySource } from "./rclone";
import { forRcloneVersion, rcloneVersionProblem, readRcloneVersion } from "./rclone-version";
import { renderMigrationPlan } from "./timeline";

/** Exit codes: 0 done (or the plan printed), 1 a copy or the check failed, 2 bad arguments or input. */

/** How many missing or different keys are printed one per line; the count covers the rest. */
const LISTED = 50;

/**
 * `npm run migrate`: without --run, the dated plan of the move; with --run, the copy passes (rclone) and the
 * check of every copied key on the new media host, with progress on standard output.
 */
export const migrateCommand = guardCommand("migrate", runMigrate);

async function runMigrate(argv: string[], io: CommandIo): Promise<number> {
  const parsed = parseMigrateArgs(argv);
  if ("help" in parsed || "problems" in parsed) return answerArguments("migrate", USAGE, parsed, io);
  const { args } = parsed;
  const source = resolveSource(args);
  const destination = await resolveDestination(args);
  const overlap = sameStorageProblem(source, destination) ?? sameMediaBaseProblem(source, destination);
  if (overlap) throw new UserError(overlap);
  if (!args.run) {
    io.out(renderMigrationPlan(args, source, destination));
    return EXIT.ok;
  }
  return copyAndCheck(args, source, destination, io);
}

async function copyAndCheck(args: MigrateArgs, source: Source, destination: Destination, io: CommandIo): Promise<number> {
  const line = (text: string) => io.out(`${text}\n`);
  await ensureRclone();
  const version = await readRcloneVersion();
  if (!version) throw new UserError("`rclone version` did not print rclone's version: is the rclone first on PATH rclone?");
  const tooOld = rcloneVersionProblem(version);
  if (tooOld) throw new UserError(tooOld);
  line(`rclone ${version.text}`);
  const copySource: CopySource = source.kind === "local" ? { kind: "local", root: source.root } : source;
  const started = Date.now();
  const results: PassResult[] = [];
  for (const planned of copyCommands(copySource, destination.target, { noHead: !args.noCheck })) {
    const command = forRcloneVersion(planned, version);
    line(`copying ${command.label} into ${destination.target.facts.bucket}${destination.target.facts.keyPrefix ? `/${destination.target.facts.keyPrefix}` : ""}`);
    const result = await runPass(command, (stats) => line(`  ${command.label}: ${formatStats(stats)}`));
    results.push(result);
    line(`  ${command.label} done: ${formatStats(result.stats)}${result.exitCode === 0 ? "" : ` (rclone exit ${result.exitCode})`}`);
    for (const error of result.errors.slice(0, LISTED)) line(`    error: ${error}`);
  }
  const copied = results.reduce((sum, result) => sum + result.stats.transfers, 0);
  const bytes = results.reduce((sum, result) => sum + result.stats.bytes, 0);
  const seconds = (Date.now() - started) / 1000;
  line(
    `copy: ${copied} files, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s ` +
      `(${(copied / seconds).toFixed(0)} files/s, ${(bytes / 1e6 / seconds).toFixed(1)} MB/s)`,
  );
  const failedPasses = results.filter((result) => result.exitCode !== 0);
  if (failedPasses.length > 0) {
    line("The copy did not finish: run the same command again, it resumes where it stopped.");
    return EXIT.failed;
  }
  if (args.noCheck) return EXIT.ok;

  // The AWS SDK is loaded for the check only.
  const { checkCopies, listBucket, listLocal } = await import("./check");
  const objects = source.kind === "local" ? await listLocal(source.root) : await listBucket(source.target);
  line(`checking ${objects.length} keys on ${new URL(destination.target.mediaBase).host}`);
  const report = await checkCopies(copySource, objects, destination.target, args.checkBytes);
  printReport(report, line);
  return report.missing.length + report.different.length === 0 ? EXIT.ok : EXIT.failed;
}

function printReport(report: CheckReport, line: (text: string) => void): void {
  line(`check: ${report.checked} keys answered, ${report.compared} compared byte for byte, ${report.missing.length} missing, ${report.different.length} different`);
  for (const key of report.missing.slice(0, LISTED)) line(`  missing: ${key}`);
  if (report.missing.length > LISTED) line(`  ... and ${report.missing.length - LISTED} more missing`);
  for (const entry of report.different.slice(0, LISTED)) line(`  different: ${entry}`);
  if (report.different.length > LISTED) line(`  ... and ${report.different.length - LISTED} more different`);
  if (report.missing.length + report.different.length > 0) line("Run the same command again to copy what is missing; it then checks again.");
}
