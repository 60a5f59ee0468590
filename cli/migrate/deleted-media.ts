import { chmod, copyFile, constants } from "node:fs/promises";
import * as path from "node:path";
import { mediaUrl, type VerifyTarget } from "../../mastodon-env/target";
import type { ExtraKeysSummary } from "./extra-keys";
import { count } from "./progress";
import { remoteEnv, remotePath, type RcloneCommand } from "./rclone";
import { shellRcloneLine, shellWord } from "./shell-line";

/**
 * What a pass says about the destination's keys that the source does not hold (./extra-keys.ts). Before the
 * switch they are media Mastodon deleted after an earlier pass copied it, takedowns included, and they stay
 * readable at their new URLs; after the switch they may be Mastodon's own new uploads. So migrate deletes none of
 * them: it keeps the list where the admin ran the command and prints how to remove them before the switch.
 */

/**
 * Copies the pass's list of Mastodon keys (`summary.file`, in the work dir that the pass removes) to
 * `directory` as `destination-only-keys-BUCKET-YYYYMMDDTHHMMSSZ.txt`, mode 0600 (the keys name the instance's
 * media), never over an existing file. Returns its path; undefined when there is no Mastodon key. Errors of the
 * copy (a directory one cannot write) are thrown.
 */
export async function keepExtraKeys(
  summary: ExtraKeysSummary,
  target: VerifyTarget,
  directory: string,
  now: Date = new Date(),
): Promise<string | undefined> {
  if (summary.mastodon === 0) return undefined;
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const kept = path.resolve(directory, `destination-only-keys-${target.facts.bucket}-${stamp}.txt`);
  await copyFile(summary.file, kept, constants.COPYFILE_EXCL);
  await chmod(kept, 0o600);
  return kept;
}

/**
 * `rclone delete` of the keys in `file` from the destination (`dst:BUCKET/PREFIX/`, the keys relative to it,
 * `--files-from-raw`: one key a line; rclone docs, "Filtering"), as the copy's DST remote but straight to the
 * storage (a DELETE carries no ACL header, so no front is needed) and without a config file, in the environment
 * `--run` gives rclone (./shell-line.ts; `shell`: the environment migrate runs in). The writer's key is shown as
 * the shell variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, never as values.
 */
export function deleteCommand(target: VerifyTarget, file: string, shell: NodeJS.ProcessEnv = process.env): string {
  const env = remoteEnv("DST", target, undefined);
  delete env.RCLONE_CONFIG_DST_ACL;
  const command: RcloneCommand = {
    args: ["delete", remotePath("dst", target), "--files-from-raw", file, "--config", ""],
    env,
    secretEnv: ["RCLONE_CONFIG_DST_ACCESS_KEY_ID", "RCLONE_CONFIG_DST_SECRET_ACCESS_KEY"],
    label: "delete",
  };
  return shellRcloneLine(command, WRITER_KEY_VARIABLES, shell);
}

/** The DST remote's credentials as the shell variables the writer's key of the `--to-env` file is exported as. */
export const WRITER_KEY_VARIABLES = {
  RCLONE_CONFIG_DST_ACCESS_KEY_ID: "AWS_ACCESS_KEY_ID",
  RCLONE_CONFIG_DST_SECRET_ACCESS_KEY: "AWS_SECRET_ACCESS_KEY",
};

/**
 * The lines a pass prints about its destination-only keys; none when there are none. `kept`: the file
 * keepExtraKeys wrote; `envFile`: the `--to-env` file, whose writer's key the delete needs.
 */
export function deletedMediaAdvice(
  summary: ExtraKeysSummary,
  kept: string | undefined,
  target: VerifyTarget,
  envFile: string,
): string[] {
  const lines: string[] = [];
  if (summary.other > 0)
    lines.push(
      `${count(summary.other)} destination keys outside Mastodon's prefixes (not Mastodon's, or a name with a line break): counted, never listed for deletion`,
    );
  if (summary.mastodon === 0) return lines;
  const base = mediaUrl(target, target.facts.keyPrefix ? `${target.facts.keyPrefix}/` : "");
  lines.push(
    `${count(summary.mastodon)} Mastodon keys in the destination are not in the source, left alone:`,
    ...summary.first.map((key) => `  ${key}`),
    ...(summary.mastodon > summary.first.length
      ? [`  ... and ${count(summary.mastodon - summary.first.length)} more`]
      : []),
    "Before the switch, these are media Mastodon deleted after an earlier pass copied them: deleted posts, media",
    "cleanup (tootctl media remove, the remote-media vacuum), deleted accounts, suspensions and takedowns. They stay",
    `publicly readable on the new media host until they are removed: ${base}KEY`,
    "After the switch they may be the instance's own new uploads, which exist only in the new storage: so migrate",
    "never deletes them.",
  );
  if (!kept) return lines;
  lines.push(
    `The list: ${kept} (one key a line, relative to ${remotePath("dst", target)}, mode 0600).`,
    `To remove them before the switch, with the writer's key of ${envFile} exported as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
    "(append --dry-run to see what it would delete first):",
    `  ${deleteCommand(target, kept)}`,
    "A CDN in front of the new media host may still serve a copy a check fetched before: after the delete, purge them",
    "(docs/takedowns.md; outputs.json from `pulumi stack output --json -s STACK`):",
    `  sed 's|^|--url=${base}|' ${shellWord(kept)} | xargs -d '\\n' -n 100 npm run purge -- --outputs outputs.json`,
    "Do this only before the switch, with the list of a pass run before it: after the switch, such a list also holds new uploads.",
  );
  return lines;
}
