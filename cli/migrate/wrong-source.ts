import { readdirSync } from "node:fs";
import * as path from "node:path";
import { MASTODON_PREFIXES } from "../../components/prefixes";
import type { MigrateArgs } from "./args";
import type { Source } from "./endpoints";
import type { PassPlan } from "./pass";
import { count } from "./progress";

/**
 * A source that is not Mastodon's media root. Keys are `CLASS/ATTACHMENT/...` relative to public/system or to
 * S3_KEY_PREFIX (components/prefixes.ts): a source without Mastodon's folders at its top would copy every key
 * under a wrong name, and make every key of the new bucket look like media Mastodon deleted
 * (./deleted-media.ts), with an `rclone delete` line for them.
 */

/** Mastodon's top-level media folders (components/prefixes.ts), without the slash: `accounts`, `media_attachments`... */
const MASTODON_FOLDERS = MASTODON_PREFIXES.map((prefix) => prefix.slice(0, -1));

/**
 * Why `root` is not Mastodon's media root (public/system, whose top level holds Mastodon's folders: keys are
 * `CLASS/ATTACHMENT/...`, components/prefixes.ts), or undefined when it is. A folder one level too deep
 * (media_attachments/) would copy every key under a wrong name, one level too high (public/) under `system/`,
 * and an empty one would make every key of the new bucket look deleted: each is refused, with the folder to
 * give instead when it can be told.
 */
export function localRootProblem(root: string): string | undefined {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return undefined; // unreadable here: the pass's walk names the directory it cannot read
  }
  if (entries.some((name) => MASTODON_FOLDERS.includes(name))) return undefined;
  const expected = `holds none of Mastodon's media folders (${MASTODON_FOLDERS.slice(0, 4).join("/, ")}/...): give Mastodon's public/system directory`;
  if (MASTODON_FOLDERS.includes(path.basename(root)))
    return `${expected}; ${path.basename(root)}/ is one of them, so give the folder that holds it: --from local:${path.dirname(root)}`;
  if (entries.includes("system")) return `${expected}: --from local:${path.join(root, "system")}`;
  return `${expected} (e.g. /home/mastodon/live/public/system)`;
}

/** The refusal of a pass whose source listed no key under Mastodon's prefixes. */
export function noMastodonMedia(args: MigrateArgs, source: Source, plan: PassPlan): string {
  const where =
    source.kind === "s3"
      ? `--from-env ${source.file}: the bucket ${source.target.facts.bucket} under S3_KEY_PREFIX=${source.target.facts.keyPrefix ?? ""}`
      : `--from local:${args.from.kind === "local" ? args.from.path : source.root}: the directory`;
  const extra = plan.extraKeys.mastodon + plan.extraKeys.other;
  return (
    `${where} holds no Mastodon media (${count(plan.source.objects)} objects listed, none under ${MASTODON_FOLDERS.map((folder) => `${folder}/`).join(", ")}): ` +
    `nothing copied; check the source${extra ? `. The ${count(extra)} keys of the new bucket not in it are not media Mastodon deleted: delete nothing by this pass` : ""}`
  );
}
