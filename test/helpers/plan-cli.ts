import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../../cli/plan/run";
import { runPlanCommand } from "./command";

const run = promisify(execFile);

/**
 * The node arguments of `npm run plan` (package.json `scripts.plan` without its leading `node`), so that the
 * tests run the command users run, loader included: e.g. `["--require", "./cli/load-typescript.cjs",
 * "cli/plan/main.ts"]`. Append the plan's own arguments.
 */
export const PLAN_NODE_ARGS: readonly string[] = nodeArgsOfScript("plan");

function nodeArgsOfScript(name: string): string[] {
  const scripts = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const [command, ...args] = (scripts[name] ?? "").trim().split(/\s+/);
  if (command !== "node") throw new Error(`package.json scripts.${name} must start with node (got ${JSON.stringify(scripts[name])})`);
  return args;
}

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
