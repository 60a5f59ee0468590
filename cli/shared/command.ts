import { UserError } from "../../components/errors";
import { EXIT } from "./exit-codes";

/** Where a command writes: its standard output and standard error, as text (no newline is added). */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

/**
 * A command of this project (`npm run plan`, verify, doctor, migrate) as a function: it takes the arguments
 * after the command's name and returns the process's exit code. It throws only for a bug; `guardCommand`
 * turns that into exit 3. Tests run commands in-process through this shape; `runAsMain` is the process entry.
 */
export type Command = (argv: string[], io: CommandIo) => Promise<number>;

/** The process's own standard streams. */
export const PROCESS_IO: CommandIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/**
 * Wraps a command body so that a user's mistake (a `UserError`) goes to standard error as `NAME: message`
 * (or as `format` words it) with exit 2, never a stack trace; anything else is a bug in this project: its
 * stack trace and exit 3.
 */
export function guardCommand(
  name: string,
  body: Command,
  format: (error: UserError) => string = (error) => `${name}: ${error.message}`,
): Command {
  return async (argv, io) => {
    try {
      return await body(argv, io);
    } catch (error) {
      if (error instanceof UserError) {
        io.err(`${format(error)}\n`);
        return EXIT.input;
      }
      io.err(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      return EXIT.bug;
    }
  };
}

/** Runs a command as the process's entry point, with the process's streams; its exit code ends the process. */
export function runAsMain(command: Command): void {
  command(process.argv.slice(2), PROCESS_IO).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(EXIT.bug);
    },
  );
}

/**
 * A command's answer when its arguments ask for help or hold mistakes: the usage on standard output and exit 0
 * for `--help`; otherwise one `NAME: problem` line per mistake, then the usage, on standard error, and exit 2.
 */
export function answerArguments(
  name: string,
  usage: string,
  parsed: { help: true } | { problems: readonly string[] },
  io: CommandIo,
): number {
  if ("help" in parsed && parsed.help) {
    io.out(`${usage}\n`);
    return EXIT.ok;
  }
  io.err(
    `${(parsed as { problems: readonly string[] }).problems.map((problem) => `${name}: ${problem}`).join("\n")}\n${usage}\n`,
  );
  return EXIT.input;
}
