import { UserError } from "../../components/errors";
import { answerArguments, guardCommand, PROCESS_IO, type CommandIo } from "../shared/command";
import { EXIT } from "../shared/exit-codes";
import { parseMigrateArgs, USAGE } from "./args";
import { resolveDestination, resolveSource } from "./endpoints";
import { sameMediaBaseProblem, sameStorageProblem } from "./overlap";
import { readRcloneVersion } from "./rclone-version";
import { runMigration } from "./run";
import { StorageFailure } from "./storage-problem";
import { renderMigrationPlan } from "./timeline";

/**
 * `npm run migrate`: without --run, the dated plan of the move; with --run, one pass (./run.ts): the listings
 * compared, the new and changed keys copied (rclone), and the check, with progress on standard output.
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
    // Step 2 shows the command as --run would shape it for the rclone on PATH (./plan-command.ts).
    io.out(renderMigrationPlan(args, source, destination, await readRcloneVersion()));
    return EXIT.ok;
  }
  // Progress rewrites one line on a terminal; to a log (or a test's captured output) it writes a line a minute.
  const tty = io === PROCESS_IO && Boolean(process.stdout.isTTY);
  try {
    return await runMigration(args, source, destination, { tty, write: (text) => io.out(text) });
  } catch (error) {
    // The storage failed, not the user nor this project (a 5xx mid-listing): one line, and the pass resumes when run again.
    if (!(error instanceof StorageFailure)) throw error;
    io.err(
      `migrate: ${error.message}\nRun the same command again: it lists both sides and copies what is still missing.\n`,
    );
    return EXIT.failed;
  }
}
