import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../../offline-plan/run";
import { commandNodeArgs } from "./npm-script";

const run = promisify(execFile);

/** Runs `npm run migrate` as its own process (without npm, loader included) and returns its exit code and output, also when it fails. */
export async function migrateCli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...commandNodeArgs("migrate"), ...args], {
      cwd: PROJECT_ROOT,
      env,
      maxBuffer: 64 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
