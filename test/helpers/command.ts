import type { Command } from "../../cli/shared/command";
import { doctorCommand } from "../../cli/doctor/command";
import { migrateCommand } from "../../cli/migrate/command";
import { planCommand } from "../../cli/plan/command";
import { verifyCommand } from "../../cli/verify/command";

export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command in this process, as `npm run NAME -- ...argv` would run it, and returns its exit code and
 * what it wrote. A command that throws fails the test (commands turn every error into an exit code).
 * Spawning the command instead costs a Node.js start and the SDK's load per call (about 1.5 s of CPU);
 * the tests that must see the process (exit code, loader, signals) start it through test/helpers/npm-script.ts.
 */
export async function runCommand(command: Command, argv: string[]): Promise<CommandRun> {
  let stdout = "";
  let stderr = "";
  const code = await command(argv, { out: (text) => void (stdout += text), err: (text) => void (stderr += text) });
  return { code, stdout, stderr };
}

/** `npm run plan -- ...argv`, in this process (it runs the program under the mock runtime). */
export const runPlanCommand = (argv: string[]) => runCommand(planCommand, argv);
/** `npm run migrate -- ...argv`, in this process. */
export const runMigrateCommand = (argv: string[]) => runCommand(migrateCommand, argv);
/** `npm run doctor -- ...argv`, in this process. */
export const runDoctorCommand = (argv: string[]) => runCommand(doctorCommand, argv);
/** `npm run verify -- ...argv`, in this process, with `env` as its environment (MASTODON_ACCESS_TOKEN). */
export const runVerifyCommand = (argv: string[], env: NodeJS.ProcessEnv = {}) => runCommand(verifyCommand(env), argv);
