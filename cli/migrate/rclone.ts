import { usesPathStyle, type VerifyTarget } from "../../mastodon-env/target";
import { PRIVATE_PREFIXES } from "../../components/prefixes";
import { frontRemoteProvider } from "./front-provider";
import { shellWord } from "./shell-line";

/**
 * How one copy pass runs rclone (Debian's rclone 1.60; flags checked with `rclone help flags` and
 * `rclone help backend s3` of that version). Credentials reach rclone only through RCLONE_CONFIG_<REMOTE>_*
 * environment variables ("Config file > Environment variables" in rclone's docs), never through argv, so
 * they do not show in `ps` or shell history.
 */

/** The Cache-Control Mastodon sends with every upload (config/initializers/paperclip.rb, `s3_headers`). */
export const MASTODON_CACHE_CONTROL = "public, max-age=315576000, immutable";

/** Where media is read from: a local `public/system` directory or an S3 bucket (with its key prefix). */
export type CopySource = { kind: "local"; root: string } | { kind: "s3"; target: VerifyTarget };

export interface RcloneCommand {
  /** What rclone runs with, e.g. `["copy", "/home/mastodon/live/public/system", "dst:media/prefix", ...]`. */
  args: string[];
  /** RCLONE_CONFIG_* variables, credentials included: pass them to the child process only. */
  env: Record<string, string>;
  /** The names in `env` that hold a credential (shown as names, never as values). */
  secretEnv: string[];
  /** What this pass copies, for the progress lines: "media", "private archives", or "private" (archives and media the source keeps private). */
  label: string;
  /**
   * Set in no-ACL mode: the target the DST remote reaches through migrate's ACL-dropping front
   * (./acl-front.ts). `runPass` starts the front, points DST at it with the front's per-run key
   * (./copy.ts, `withFront`), and stops it when rclone exits; `env` then holds none of the target's credentials.
   */
  aclFront?: VerifyTarget;
}

/**
 * One rclone remote as environment variables. `force_path_style` follows Mastodon: the presence of
 * S3_ENDPOINT switches it to path style (unless S3_OVERRIDE_PATH_STYLE). `no_check_bucket`: Mastodon's writer
 * may not create buckets, so rclone must not try (rclone docs, "--s3-no-check-bucket").
 */
export function remoteEnv(
  remote: "SRC" | "DST",
  target: VerifyTarget,
  acl: string | undefined,
): Record<string, string> {
  const prefix = `RCLONE_CONFIG_${remote}_`;
  const env: Record<string, string> = {
    [`${prefix}TYPE`]: "s3",
    [`${prefix}PROVIDER`]: providerOf(target),
    [`${prefix}ACCESS_KEY_ID`]: target.facts.accessKeyId,
    [`${prefix}SECRET_ACCESS_KEY`]: target.facts.secretAccessKey,
    [`${prefix}REGION`]: target.facts.region,
    [`${prefix}NO_CHECK_BUCKET`]: "true",
    [`${prefix}FORCE_PATH_STYLE`]: String(usesPathStyle(target)),
  };
  if (target.facts.endpoint) env[`${prefix}ENDPOINT`] = target.facts.endpoint;
  env[`${prefix}ACL`] = acl ?? grantlessAcl(target);
  return env;
}

/**
 * The ACL rclone is given where Mastodon sends none (S3_PERMISSION empty). Debian's rclone 1.60 cannot leave
 * the x-amz-acl header out: an unset or empty `acl` becomes `private` (rclone/rclone#5730, #6413; `rclone help
 * backend s3` of 1.60 has no "empty acl sends no header"; seen in test/e2e/migrate.test.ts with --dump
 * headers). Cloudflare R2 refuses every ACL header, `private` included (501 NotImplemented, R2 docs "S3 API
 * compatibility"), so in this mode rclone talks to migrate's ACL-dropping front (./acl-front.ts) and the
 * target never sees the header: this value only reaches the front. It is still the ACL that grants nothing
 * beyond the bucket owner (`bucket-owner-full-control` on AWS, the one ACL a bucket with ACLs disabled accepts:
 * AWS docs, "Controlling ownership of objects and disabling ACLs for your bucket"; `private` elsewhere), so
 * that a hand-typed rclone without the front does the least harm where the header is accepted.
 */
export function grantlessAcl(target: VerifyTarget): string {
  return providerOf(target) === "AWS" ? "bucket-owner-full-control" : "private";
}

/** The endpoint and per-run key of an ACL-dropping front (./acl-front.ts), as rclone's DST remote needs them. */
export interface FrontAccess {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** Shown in the printed plan, where the front's port is not known yet (each run picks a free one). */
export const PLANNED_FRONT: FrontAccess = {
  endpoint: "http://127.0.0.1:PORT",
  accessKeyId: "<per-run key>",
  secretAccessKey: "<per-run secret>",
};

/**
 * The DST remote through the front: loopback endpoint, path style, the front's per-run key; the target's
 * region (the signature's) and its provider's quirks, under a path-style provider name (./front-provider.ts).
 * None of the target's credentials: the front signs for the target.
 */
export function frontRemoteEnv(target: VerifyTarget, front: FrontAccess): Record<string, string> {
  const prefix = "RCLONE_CONFIG_DST_";
  const provider = Object.entries(frontRemoteProvider(providerOf(target))).map(([name, value]) => [
    `${prefix}${name.toUpperCase()}`,
    value,
  ]);
  return {
    [`${prefix}TYPE`]: "s3",
    ...Object.fromEntries(provider),
    [`${prefix}ACCESS_KEY_ID`]: front.accessKeyId,
    [`${prefix}SECRET_ACCESS_KEY`]: front.secretAccessKey,
    [`${prefix}REGION`]: target.facts.region,
    [`${prefix}NO_CHECK_BUCKET`]: "true",
    [`${prefix}FORCE_PATH_STYLE`]: "true",
    [`${prefix}ENDPOINT`]: front.endpoint,
    [`${prefix}ACL`]: grantlessAcl(target),
  };
}

export function providerOf(target: VerifyTarget): string {
  const endpoint = target.facts.endpoint ?? "";
  if (!endpoint) return "AWS";
  if (/\.r2\.cloudflarestorage\.com$/.test(new URL(endpoint).hostname)) return "Cloudflare";
  if (/\.digitaloceanspaces\.com$/.test(new URL(endpoint).hostname)) return "DigitalOcean";
  return "Other";
}

/**
 * `dst:BUCKET/PREFIX/`: the same keys, under S3_KEY_PREFIX when it is set. The trailing slash tells rclone the
 * path is a directory, so it does not probe the key `PREFIX` with a HEAD that a writer scoped to `PREFIX/*` may
 * not make (rclone 1.75 then takes the empty prefix for a file: ./rclone-version.ts).
 */
export function remotePath(remote: "src" | "dst", target: VerifyTarget): string {
  const prefix = target.facts.keyPrefix ? `/${target.facts.keyPrefix}` : "";
  return `${remote}:${target.facts.bucket}${prefix}/`;
}

export interface CopyOptions {
  /** Parallel uploads (rclone --transfers). 16 suits many small media files. */
  transfers?: number;
  /** Seconds between progress lines. */
  statsSeconds?: number;
  /**
   * Leave out rclone's HEAD after each upload (`--s3-no-head`): set when migrate checks every copied key itself
   * afterwards (cli/migrate/check.ts: a HEAD of every key for its length and type, the bytes compared up to a
   * bound), which is what that HEAD checks (rclone docs, S3 backend, "--s3-no-head"). It is half of the requests
   * of a copy of small media files. Not with `--no-check`: then rclone's own HEAD is the only check.
   */
  noHead?: boolean;
  /**
   * The keys to copy, one a line, in files (`--files-from-raw`; rclone docs, "Filtering"), as a pass that
   * compared the two listings found them (./pass.ts): `media` with the media ACL (every key in no-ACL mode),
   * `private` with the private ACL. rclone then lists nothing: `--files-from` looks each source file up by its
   * name (a stat on disk, a HEAD on S3), `--no-traverse` and `--no-check-dest` leave the destination unread,
   * so its memory and requests follow the keys copied, not the tree. Without it, the plan shows the incremental
   * copy rclone does on its own (`--update --use-server-modtime --fast-list`).
   */
  filesFrom?: { media: string; private?: string };
}

/**
 * The copy passes from `source` into `target`. Without ACLs (S3_PERMISSION empty) one pass through the
 * ACL-dropping front (see grantlessAcl; `aclFront` is set and DST points at PLANNED_FRONT until runPass
 * starts the front). With ACLs, media gets the canned ACL Mastodon sends, and user archives (`backups/`, `imports/`) the
 * `private` ACL Mastodon gives them (app/models/backup.rb), in a second pass.
 *
 * Incremental passes: `--update --use-server-modtime` skips a key whose copy is newer than the source file,
 * without one HEAD request per key (rclone docs, "--update"; "Avoiding HEAD requests to read the modification
 * time" in the S3 backend page), so a second pass uploads only new and changed files. Interrupted passes are
 * resumed by running them again: S3 uploads are atomic, nothing half-written is ever skipped.
 */
export function copyCommands(source: CopySource, target: VerifyTarget, options: CopyOptions = {}): RcloneCommand[] {
  const from = source.kind === "local" ? source.root.replace(/\/+$/, "") : remotePath("src", source.target);
  const sourceEnv = source.kind === "s3" ? remoteEnv("SRC", source.target, undefined) : {};
  // A local source's symbolic links are followed, as the walk follows them (./local-walk.ts): rclone's local
  // backend skips them unless told (rclone docs, Local Filesystem, "Symbolic links": `-L`/`--copy-links` copies
  // what they point to; `--links` would upload a `.rclonelink` file, which Mastodon cannot serve).
  const links = source.kind === "local" ? ["--copy-links"] : [];
  const listing = options.filesFrom
    ? ["--no-traverse", "--no-check-dest"]
    : ["--update", "--use-server-modtime", "--fast-list"];
  const common = [
    "--header-upload",
    `Cache-Control: ${MASTODON_CACHE_CONTROL}`,
    ...listing,
    ...links,
    "--transfers",
    String(options.transfers ?? 16),
    "--checkers",
    String(2 * (options.transfers ?? 16)),
    ...(options.noHead ? ["--s3-no-head"] : []),
    "--use-json-log",
    "--stats",
    `${options.statsSeconds ?? 2}s`,
    "--stats-log-level",
    "NOTICE",
    "--log-level",
    "NOTICE",
    // No config file: a remote called dst in the admin's own rclone.conf must not mix into these settings.
    "--config",
    "",
  ];
  const privateFilters = PRIVATE_PREFIXES.flatMap((prefix) => [`/${prefix}**`]);
  const make = (label: string, dst: Record<string, string>, filters: string[]): RcloneCommand => {
    const env = { ...sourceEnv, ...dst };
    return {
      args: ["copy", from, remotePath("dst", target), ...filters, ...common],
      env,
      secretEnv: Object.keys(env).filter((name) => /_(ACCESS_KEY_ID|SECRET_ACCESS_KEY)$/.test(name)),
      label,
    };
  };
  const keys = (file: string | undefined) => (file ? ["--files-from-raw", file] : []);
  const files = options.filesFrom;
  if (!target.uploadAcl)
    return [{ ...make("media", frontRemoteEnv(target, PLANNED_FRONT), keys(files?.media)), aclFront: target }];
  return [
    make(
      "media",
      remoteEnv("DST", target, target.uploadAcl),
      files ? keys(files.media) : privateFilters.flatMap((filter) => ["--exclude", filter]),
    ),
    make(
      files ? "private" : "private archives",
      remoteEnv("DST", target, "private"),
      files ? keys(files.private) : privateFilters.flatMap((filter) => ["--include", filter]),
    ),
  ];
}

/** A pass as a person would type it, credentials as the names of the variables that carry them. */
export function describeCommand(command: RcloneCommand): string {
  const settings = Object.keys(command.env)
    .filter((name) => !command.secretEnv.includes(name))
    .map((name) => `${name}=${shellWord(command.env[name]!)}`);
  return [...settings, "rclone", ...command.args.map(shellWord)].join(" ");
}
