import { spawn } from "node:child_process";
import type { VerifyTarget } from "../../mastodon-env/target";
import { copyCommands, type CopyOptions, type CopySource, type RcloneCommand } from "./rclone";

/**
 * What each rclone line needs from migrate, read from rclone's own source (github.com/rclone/rclone,
 * backend/s3/s3.go and backend/s3/provider/*.yaml at each release tag) and run in test/e2e/migrate*.test.ts
 * against Debian 12's rclone 1.60.1 and Debian unstable's current line (1.75.2 in December 2026):
 *
 * - Every line probes a destination or source path `BUCKET/PREFIX` given without a trailing slash with a HEAD of
 *   the key `PREFIX`, to learn whether it names a file (NewFs, "Check to see if the (bucket,directory) is actually
 *   an existing file"). A Mastodon writer scoped to `PREFIX/*` may not read the key `PREFIX`: the HEAD answers
 *   403. Up to 1.71 a failed probe meant "directory"; 1.72.0 made any answer but 404 fatal (rclone#8975); 1.75.0
 *   lists `PREFIX/` after a 403 and, finding nothing (the first copy into an empty prefix), decides "file":
 *   `Failed to create file system for "dst:BUCKET/PREFIX": is a file not a directory` (rclone commit 2d6d0da,
 *   rclone#9582). A path ending in `/` skips the probe in every line from 1.60 on, so remote paths end in `/`
 *   (./rclone.ts remotePath) and no version setting is needed for it.
 * - 1.68.0 moved the S3 backend to aws-sdk-go-v2. For provider AWS it signs the payload hash of a single-part
 *   upload (`use_unsigned_payload` false: AWS.yaml quirks), and from 1.72.0 it adds CRC32 checksums
 *   (`use_data_integrity_protections` true for AWS), sent as an aws-chunked trailer. migrate's ACL-dropping
 *   front (s3-front/acl-front.ts) streams bodies without reading them and cannot re-sign chunk signatures: its remote
 *   gets `use_unsigned_payload = true` (1.68.0+) and `use_data_integrity_protections = false` (1.72.0+). Both are
 *   what rclone already uses for every provider but AWS, so the bytes on the wire are those of an R2 or Spaces copy.
 * - Before 1.59 rclone uploaded single-part objects through presigned URLs (`use_presigned_request`, "Versions
 *   of rclone < 1.59 use presigned requests"): the signature travels in the query string, which the front does
 *   not accept, so every upload of a no-ACL copy fails. Such versions are refused.
 */

/** `rclone version`'s number: `rclone v1.60.1-DEV` -> { major: 1, minor: 60, patch: 1 }. */
export interface RcloneVersion {
  major: number;
  minor: number;
  patch: number;
  /** As rclone printed it: `v1.60.1-DEV`. */
  text: string;
}

/** The oldest line that uploads with a signed Authorization header (see the module comment). */
export const OLDEST_RCLONE = { major: 1, minor: 59 } as const;

/** The first line of `rclone version` parsed, or undefined when it is not rclone's. */
export function parseRcloneVersion(output: string): RcloneVersion | undefined {
  const match = /^rclone (v(\d+)\.(\d+)\.(\d+)\S*)/m.exec(output);
  if (!match) return undefined;
  return { text: match[1]!, major: Number(match[2]), minor: Number(match[3]), patch: Number(match[4]) };
}

function atLeast(version: RcloneVersion, major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor);
}

/** Why this rclone cannot copy for migrate (one line naming the version and the fix), or undefined. */
export function rcloneVersionProblem(version: RcloneVersion): string | undefined {
  if (atLeast(version, OLDEST_RCLONE.major, OLDEST_RCLONE.minor)) return undefined;
  return (
    `rclone ${version.text} uploads through presigned URLs, which migrate's front cannot pass on: ` +
    `install rclone ${OLDEST_RCLONE.major}.${OLDEST_RCLONE.minor} or newer (Debian 12's rclone, or the current release from rclone.org)`
  );
}

/**
 * The S3 options (rclone config names, see `rclone help backend s3`) the DST remote through migrate's front
 * needs, each with the first line that needs it (see the module comment). None before 1.68, whose SDK has
 * neither option and signs no payload of a streamed upload.
 */
export const FRONT_REMOTE_OPTIONS: ReadonlyArray<{
  since: { major: number; minor: number };
  name: string;
  value: string;
}> = [
  { since: { major: 1, minor: 68 }, name: "use_unsigned_payload", value: "true" },
  { since: { major: 1, minor: 72 }, name: "use_data_integrity_protections", value: "false" },
];

/** FRONT_REMOTE_OPTIONS that apply to `version`, as `{ use_unsigned_payload: "true", ... }`. */
export function frontRemoteOptions(version: RcloneVersion): Record<string, string> {
  const options: Record<string, string> = {};
  for (const option of FRONT_REMOTE_OPTIONS)
    if (atLeast(version, option.since.major, option.since.minor)) options[option.name] = option.value;
  return options;
}

/** An option of the front's remote as the variable that carries it: `RCLONE_CONFIG_DST_USE_UNSIGNED_PAYLOAD`. */
export function frontOptionVariable(name: string): string {
  return `RCLONE_CONFIG_DST_${name.toUpperCase()}`;
}

/**
 * `command` with what this rclone line needs: a pass through the front (`aclFront` set) gets
 * frontRemoteOptions as RCLONE_CONFIG_DST_* variables (./copy.ts withFront keeps them when it points DST at the
 * started front). A pass straight at the target keeps rclone's own provider defaults.
 */
export function forRcloneVersion(command: RcloneCommand, version: RcloneVersion): RcloneCommand {
  if (!command.aclFront) return command;
  const env = { ...command.env };
  for (const [name, value] of Object.entries(frontRemoteOptions(version))) env[frontOptionVariable(name)] = value;
  return { ...command, env };
}

/**
 * The passes `migrate --run` runs on rclone `version`: ./rclone.ts copyCommands, each shaped by
 * forRcloneVersion. ./run.ts runs these and the printed plan (./plan-command.ts) shows these, so that the plan's
 * command is the one a run makes.
 */
export function passCommands(
  source: CopySource,
  target: VerifyTarget,
  options: CopyOptions,
  version: RcloneVersion,
): RcloneCommand[] {
  return copyCommands(source, target, options).map((command) => forRcloneVersion(command, version));
}

/** Runs `rclone version` (the `rclone` first on PATH unless `binary` names another) and parses it. */
export function readRcloneVersion(binary = "rclone"): Promise<RcloneVersion | undefined> {
  return new Promise((resolve) => {
    const child = spawn(binary, ["version"], { stdio: ["ignore", "pipe", "ignore"] });
    let output = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => (output += chunk));
    child.on("error", () => resolve(undefined));
    child.on("close", () => resolve(parseRcloneVersion(output)));
  });
}
