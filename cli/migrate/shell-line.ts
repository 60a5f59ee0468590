import type { RcloneCommand } from "./rclone";

/**
 * An rclone command printed for the admin's shell (the delete of ./deleted-media.ts, the rollback copy of
 * ./timeline.ts), shaped to run as `--run` runs rclone (./copy.ts rcloneEnvironment):
 *   - without AWS_CA_BUNDLE: the AWS SDK inside rclone 1.60 fails every S3 request with it set
 *     ("LoadCustomCABundleError ... unsupported transport"); the bundle it names in the shell that runs the line
 *     is given to rclone as `--ca-cert=FILE` instead (rclone docs, global flags: "CA certificate used to verify
 *     servers"), so a private CA is still trusted: `${AWS_CA_BUNDLE:+--ca-cert="$AWS_CA_BUNDLE"}`, one word or
 *     none in sh, bash and zsh, expanded before `env` unsets the variable;
 *   - without the RCLONE_* variables of the shell migrate ran in (they would mix into the remote's settings);
 *   - the credentials as shell variables (`credentials`: RCLONE_CONFIG_* name -> the variable that holds it, e.g.
 *     AWS_ACCESS_KEY_ID), assigned before `env` so that their values reach rclone's environment, never an argv.
 * `shell`: the environment migrate runs in (process.env), read for the names of its RCLONE_* variables only.
 */
export function shellRcloneLine(
  command: RcloneCommand,
  credentials: Record<string, string>,
  shell: NodeJS.ProcessEnv = process.env,
): string {
  const secrets = Object.entries(credentials).map(([name, variable]) => `${name}="$${variable}"`);
  const ours = new Set([...Object.keys(command.env), ...Object.keys(credentials)]);
  const unset = [
    "AWS_CA_BUNDLE",
    ...Object.keys(shell)
      .filter((name) => name.startsWith("RCLONE_") && !ours.has(name))
      .sort(),
  ].flatMap((name) => ["-u", name]);
  const settings = Object.entries(command.env)
    .filter(([name]) => !command.secretEnv.includes(name) && !(name in credentials))
    .map(([name, value]) => `${name}=${shellWord(value)}`);
  return [...secrets, "env", ...unset, ...settings, "rclone", ...command.args.map(shellWord), CA_BUNDLE_FLAG].join(" ");
}

/** rclone's `--ca-cert` with the file AWS_CA_BUNDLE names in the shell, or nothing when it names none. */
export const CA_BUNDLE_FLAG = '${AWS_CA_BUNDLE:+--ca-cert="$AWS_CA_BUNDLE"}';

/** `text` as one shell word: as it is when it needs no quoting, else in single quotes (`''` for the empty word). */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}
