import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import type { VerifyReport } from "../../live-checks/report";
import { commandNodeArgs } from "../helpers/npm-script";

export const ROOT = path.resolve(__dirname, "../..");

export interface VerifyRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command with the env block on standard input, as `pulumi up` runs the self-check. `onStderr` sees
 * the progress as it comes and may act on the process (e.g. interrupt it).
 */
export function runWithEnv(
  command: string,
  args: string[],
  env: string,
  onStderr?: (text: string, child: ChildProcess) => void,
): Promise<VerifyRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      onStderr?.(stderr, child);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(env);
  });
}

/** `verify --env - --json` with extra flags; the report is parsed from standard output. */
export async function verifyJson(
  env: string,
  flags: string[] = [],
  onStderr?: (text: string, child: ChildProcess) => void,
) {
  const run = await runWithEnv(
    process.execPath,
    [...commandNodeArgs("verify"), "--env", "-", "--json", ...flags],
    env,
    onStderr,
  );
  let report: (VerifyReport & { problems?: string[] }) | undefined;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    throw new Error(`verify printed no JSON report (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
  return { ...run, report: report as VerifyReport & { problems?: string[] } };
}

/** `id -> status` of every check, for whole-report assertions. */
export function statuses(report: VerifyReport): Record<string, string> {
  return Object.fromEntries(report.checks.map((check) => [check.id, check.status]));
}

export function failed(report: VerifyReport): string[] {
  return report.checks.filter((check) => check.status === "fail").map((check) => check.id);
}

/**
 * What every check of verify reports against the local RGW when all is well, in no-ACL mode (the mode of the
 * stacks but Spaces): TLS and the HTTPS redirect are skipped (plain http on loopback), and so is the object-ACL
 * proof, which ACL mode runs (verify-acl-mode.test.ts overrides it).
 */
export const ALL_PASS: Readonly<Record<string, string>> = {
  "region-endpoint": "pass",
  tls: "skip",
  "writer-upload": "pass",
  "writer-read": "pass",
  "writer-list": "pass",
  "writer-multipart": "pass",
  "public-read": "pass",
  cors: "pass",
  "cors-after-cache": "pass",
  // Plain http on loopback: no HTTPS to redirect to.
  "https-redirect": "skip",
  // No --previous-media-base: no old media host to follow.
  "previous-media-redirect": "skip",
  "no-listing": "pass",
  "no-anonymous-write": "pass",
  "no-anonymous-delete": "pass",
  "private-prefixes": "pass",
  // No-ACL mode (S3_PERMISSION empty): the object-ACL proof does not apply (verify-acl-mode.test.ts runs it).
  "object-acls": "skip",
  "suspension-acl": "skip",
  "writer-cannot-create-bucket": "pass",
  "writer-cannot-change-policy": "pass",
  // The lab env has no CACHE_BUSTER_* (test/e2e/verify-cache-bust.test.ts runs it behind a cache).
  "cache-bust": "skip",
  "writer-delete": "pass",
};
