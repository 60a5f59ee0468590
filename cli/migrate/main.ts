import { UserError } from "../../components/errors";
import { parseMigrateArgs, USAGE, type MigrateArgs } from "./args";
import type { CheckReport } from "./check";
import { ensureRclone, formatStats, runPass, type PassResult } from "./copy";
import { resolveDestination, resolveSource, type Destination, type Source } from "./endpoints";
import { sameStorageProblem } from "./overlap";
import { copyCommands, type CopySource } from "./rclone";
import { renderMigrationPlan } from "./timeline";

/** Exit codes: 0 done (or the plan printed), 1 a copy or the check failed, 2 bad arguments or input. */
export const EXIT = { ok: 0, failed: 1, input: 2 } as const;

/** How many missing or different keys are printed one per line; the count covers the rest. */
const LISTED = 50;

async function main(argv: string[]): Promise<number> {
  const parsed = parseMigrateArgs(argv);
  if ("help" in parsed) {
    console.log(USAGE);
    return EXIT.ok;
  }
  if ("problems" in parsed) {
    process.stderr.write(`${parsed.problems.map((problem) => `migrate: ${problem}`).join("\n")}\n${USAGE}\n`);
    return EXIT.input;
  }
  const { args } = parsed;
  const source = resolveSource(args);
  const destination = await resolveDestination(args);
  const overlap = sameStorageProblem(source, destination);
  if (overlap) throw new UserError(overlap);
  if (!args.run) {
    process.stdout.write(renderMigrationPlan(args, source, destination));
    return EXIT.ok;
  }
  return run(args, source, destination);
}

async function run(args: MigrateArgs, source: Source, destination: Destination): Promise<number> {
  await ensureRclone();
  const copySource: CopySource = source.kind === "local" ? { kind: "local", root: source.root } : source;
  const started = Date.now();
  const results: PassResult[] = [];
  for (const command of copyCommands(copySource, destination.target)) {
    console.log(`copying ${command.label} into ${destination.target.facts.bucket}${destination.target.facts.keyPrefix ? `/${destination.target.facts.keyPrefix}` : ""}`);
    const result = await runPass(command, (stats) => console.log(`  ${command.label}: ${formatStats(stats)}`));
    results.push(result);
    console.log(`  ${command.label} done: ${formatStats(result.stats)}${result.exitCode === 0 ? "" : ` (rclone exit ${result.exitCode})`}`);
    for (const error of result.errors.slice(0, LISTED)) console.log(`    error: ${error}`);
  }
  const copied = results.reduce((sum, result) => sum + result.stats.transfers, 0);
  const bytes = results.reduce((sum, result) => sum + result.stats.bytes, 0);
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `copy: ${copied} files, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s ` +
      `(${(copied / seconds).toFixed(0)} files/s, ${(bytes / 1e6 / seconds).toFixed(1)} MB/s)`,
  );
  const failedPasses = results.filter((result) => result.exitCode !== 0);
  if (failedPasses.length > 0) {
    console.log("The copy did not finish: run the same command again, it resumes where it stopped.");
    return EXIT.failed;
  }
  if (args.noCheck) return EXIT.ok;

  // The AWS SDK is loaded for the check only.
  const { checkCopies, listBucket, listLocal } = await import("./check");
  const objects = source.kind === "local" ? await listLocal(source.root) : await listBucket(source.target);
  console.log(`checking ${objects.length} keys on ${new URL(destination.target.mediaBase).host}`);
  const report = await checkCopies(copySource, objects, destination.target, args.checkBytes);
  printReport(report);
  return report.missing.length + report.different.length === 0 ? EXIT.ok : EXIT.failed;
}

function printReport(report: CheckReport): void {
  console.log(`check: ${report.checked} keys answered, ${report.compared} compared byte for byte, ${report.missing.length} missing, ${report.different.length} different`);
  for (const key of report.missing.slice(0, LISTED)) console.log(`  missing: ${key}`);
  if (report.missing.length > LISTED) console.log(`  ... and ${report.missing.length - LISTED} more missing`);
  for (const line of report.different.slice(0, LISTED)) console.log(`  different: ${line}`);
  if (report.different.length > LISTED) console.log(`  ... and ${report.different.length - LISTED} more different`);
  if (report.missing.length + report.different.length > 0) console.log("Run the same command again to copy what is missing; it then checks again.");
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UserError) {
      console.error(`migrate: ${error.message}`);
      process.exit(EXIT.input);
    }
    console.error(error);
    process.exit(3);
  },
);
