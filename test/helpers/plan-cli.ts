import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../../cli/plan/run";
import { runPlanCommand } from "./command";
import { commandNodeArgs } from "./npm-script";

const run = promisify(execFile);

/**
 * The node arguments of `npm run plan` (package.json `scripts.plan` without its leading `node`), so that the
 * tests run the command users run, loader included: e.g. `["--require", "./cli/load-typescript.cjs",
 * "cli/plan/main.ts"]`. Append the plan's own arguments.
 */
export const PLAN_NODE_ARGS: readonly string[] = commandNodeArgs("plan");

/**
 * `npm run plan -- ...args` run in this process (cli/plan/command.ts): its exit code and output, also when it
 * fails. A test file calling it runs the program under the mock runtime, so it goes to vitest's "program"
 * project (vitest.config.mts).
 */
export const planCli = runPlanCommand;

/** Runs `npm run plan` as its own process (without npm), loader included: for what only a process shows. */
export async function planProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...PLAN_NODE_ARGS, ...args], { cwd: PROJECT_ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
