import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { UserError } from "../../components/errors";
import { AclFront } from "../../s3-front/acl-front";
import { frontRemoteEnv, type RcloneCommand } from "./rclone";

/** rclone's `stats` object in a JSON log line (rclone accounting/stats.go, `RemoteStats`). */
export interface RcloneStats {
  /** Bytes transferred in this run. */
  bytes: number;
  /** Files uploaded in this run. */
  transfers: number;
  /** Files compared and found up to date (skipped). */
  checks: number;
  errors: number;
  /** Seconds since the run started. */
  elapsedTime: number;
  totalBytes: number;
  totalTransfers: number;
}

export interface PassResult {
  label: string;
  stats: RcloneStats;
  exitCode: number;
  /** rclone's error lines (never its environment, which holds the credentials). */
  errors: string[];
}

const PROJECT_ROOT = path.resolve(__dirname, "../..");

/**
 * The environment rclone runs with: ours, without RCLONE_* settings from the caller's shell (they would mix into
 * the remotes) and without AWS_CA_BUNDLE, which the AWS SDK inside rclone 1.60 cannot apply to rclone's own HTTP
 * transport ("LoadCustomCABundleError ... unsupported transport"); Go reads SSL_CERT_FILE / SSL_CERT_DIR for
 * the same purpose. Then the pass's RCLONE_CONFIG_* variables.
 */
export function rcloneEnvironment(command: RcloneCommand, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (name.startsWith("RCLONE_") || name === "AWS_CA_BUNDLE") continue;
    env[name] = value;
  }
  return { ...env, ...command.env };
}

/**
 * Runs `scripts/debian-tool.sh rclone` when rclone is missing (Debian's package; apt needs root or sudo).
 * Throws a UserError naming the command to run by hand when it cannot.
 */
export async function ensureRclone(): Promise<void> {
  if (await commandWorks("rclone", ["version"])) return;
  const code = await runInherit("bash", [path.join(PROJECT_ROOT, "scripts/debian-tool.sh"), "rclone"]);
  if (code !== 0 || !(await commandWorks("rclone", ["version"]))) {
    throw new UserError(
      "rclone is missing and could not be installed: run `sudo apt-get install rclone media-types`, then again",
    );
  }
}

/**
 * Runs one pass and reports progress as rclone's JSON stats lines arrive: `onProgress` gets each stats object.
 * The credentials travel in the child's environment only. A pass with `aclFront` (no-ACL mode) runs through
 * migrate's ACL-dropping front, started here on 127.0.0.1 and stopped when rclone exits or fails to start;
 * it lives in this process, so it also ends with it (an interrupted run leaves nothing listening).
 */
export async function runPass(
  command: RcloneCommand,
  onProgress: (stats: RcloneStats) => void = () => {},
  signal?: AbortSignal,
): Promise<PassResult> {
  if (!command.aclFront) return spawnPass(command, onProgress, signal);
  const front = await AclFront.start(command.aclFront);
  try {
    return await spawnPass(withFront(command, front), onProgress, signal);
  } finally {
    await front.close();
  }
}

/** `command` with its DST remote pointed at a started front: its endpoint and per-run key. */
export function withFront(
  command: RcloneCommand,
  front: Pick<AclFront, "endpoint" | "accessKeyId" | "secretAccessKey">,
): RcloneCommand {
  if (!command.aclFront) return command;
  return { ...command, env: { ...command.env, ...frontRemoteEnv(command.aclFront, front) } };
}

/**
 * Spawns rclone for one pass. `signal` (Ctrl-C in migrate) stops it with SIGINT, rclone's own clean stop: an
 * upload in flight is abandoned whole (S3 stores an object only when its upload completes), so the next pass
 * finds the key missing and copies it.
 */
function spawnPass(
  command: RcloneCommand,
  onProgress: (stats: RcloneStats) => void,
  signal?: AbortSignal,
): Promise<PassResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("rclone", command.args, {
      env: rcloneEnvironment(command),
      stdio: ["ignore", "ignore", "pipe"],
    });
    const stop = () => child.kill("SIGINT");
    signal?.addEventListener("abort", stop, { once: true });
    child.on("close", () => signal?.removeEventListener("abort", stop));
    let last: RcloneStats = {
      bytes: 0,
      transfers: 0,
      checks: 0,
      errors: 0,
      elapsedTime: 0,
      totalBytes: 0,
      totalTransfers: 0,
    };
    const errors: string[] = [];
    let buffer = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        const entry = parseLogLine(line);
        if (!entry) continue;
        if (entry.stats) {
          last = entry.stats;
          onProgress(last);
        } else if (entry.level === "error" || entry.level === "critical") {
          errors.push(entry.msg);
        }
      }
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ label: command.label, stats: last, exitCode: code ?? 1, errors }));
  });
}

function parseLogLine(line: string): { level: string; msg: string; stats?: RcloneStats } | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line) as { level: string; msg: string; stats?: RcloneStats };
  } catch {
    return undefined;
  }
}

/** `12 345 files, 1.2 GB, 340 files/s, 45.6 MB/s` style numbers for a progress line. */
export function formatStats(stats: RcloneStats): string {
  const seconds = Math.max(stats.elapsedTime, 0.001);
  const mb = stats.bytes / 1e6;
  return (
    `${stats.transfers} copied, ${stats.checks} already there, ${mb.toFixed(1)} MB, ` +
    `${(stats.transfers / seconds).toFixed(0)} files/s, ${(mb / seconds).toFixed(1)} MB/s, ${stats.errors} errors`
  );
}

function commandWorks(command: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: "ignore" });
    child.on("error", () => resolve(false));
    child.on("close", (code) => resolve(code === 0));
  });
}

function runInherit(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    if (!existsSync(args[0] ?? "")) return resolve(127);
    const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", () => resolve(127));
    child.on("close", (code) => resolve(code ?? 1));
  });
}
