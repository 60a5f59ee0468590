import { publicObjectUrl } from "../../components/env";
import type { VerifyTarget } from "../../mastodon-env/target";
import type { MigrateArgs } from "./args";
import type { Destination, Source } from "./endpoints";
import { estimatedPasses } from "./costs";
import { planCommandLines } from "./plan-command";
import { WRITER_KEY_VARIABLES } from "./deleted-media";
import { grantlessAcl, remoteEnv, remotePath, type RcloneCommand } from "./rclone";
import { shellRcloneLine } from "./shell-line";
import type { RcloneVersion } from "./rclone-version";
import { nginxSystemRedirect, oldHostRedirectRules, previousMediaBase } from "./redirects";

/**
 * The move in Mastodon's own order (admin docs, "Moving your media to object storage" and
 * app/lib/content_security_policy.rb): the new host enters the CSP a week before the switch, because browsers
 * and Mastodon's service worker keep the Content-Security-Policy they were given (up to a week); copy, then
 * copy again; switch the env; a final incremental pass; keep the old URLs answering with redirects.
 */
export const CSP_LEAD_DAYS = 7;
/** How long the old files stay after the switch, at the least: other servers refetch rarely-seen media late. */
export const KEEP_OLD_DAYS = 90;

const RESTART_WEB = "sudo systemctl restart mastodon-web   # Docker: docker compose up -d web";
const RESTART_ALL =
  "sudo systemctl restart mastodon-web mastodon-sidekiq mastodon-streaming   # Docker: docker compose up -d";

/** The base every object URL starts with (ends with `/`): `https://ALIAS/PREFIX/`. */
export function objectBase(target: VerifyTarget): string {
  const prefix = target.facts.keyPrefix ? `${target.facts.keyPrefix}/` : "";
  return publicObjectUrl(target.facts, prefix);
}

/** Local media lived at `localBase` when the env says (CDN_HOST, WEB_DOMAIN, PAPERCLIP_ROOT_URL), else WEB_DOMAIN/system/. */
export function oldBase(source: Source, webDomain: string | undefined, localBase?: string): string {
  return source.kind === "local"
    ? (localBase ?? `https://${webDomain ?? "WEB_DOMAIN"}/system/`)
    : objectBase(source.target);
}

/**
 * The whole plan as text; `placeholders` (mock-made values) are replaced before anything is printed. `rclone`:
 * the rclone on PATH here (./rclone-version.ts readRcloneVersion), which step 2's command is shaped for.
 */
export function renderMigrationPlan(
  args: MigrateArgs,
  source: Source,
  destination: Destination,
  rclone: RcloneVersion | undefined,
): string {
  const day = (offset: number) => new Date(args.start.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
  const newBase = objectBase(destination.target);
  const newHost = new URL(newBase).host;
  const before = oldBase(source, destination.webDomain, destination.localBase);
  const envFile = destination.envFile ?? "new-storage.env";
  const fromFlag = args.from.kind === "local" ? `--from local:${args.from.path}` : `--from-env ${args.from.file}`;
  const runCommand = `npm run migrate -- ${fromFlag} --to-env ${envFile} --run`;
  const facts = destination.target.facts;
  const acl = destination.target.uploadAcl;
  const lines: string[] = [];
  const add = (...more: string[]) => lines.push(...more);

  add(
    `Moving Mastodon's media from ${source.kind === "local" ? `${source.root} (local storage)` : `the bucket ${source.target.facts.bucket} (${source.file})`}`,
    `  to ${destination.description}: bucket ${facts.bucket}${facts.endpoint ? ` at ${facts.endpoint}` : " (AWS S3)"}, region ${facts.region}`,
    `  keys: the same keys${facts.keyPrefix ? `, under ${facts.keyPrefix}/` : ""}; headers: Cache-Control as Mastodon sets it, Content-Type of each file`,
    `  ACLs: ${acl ? `${acl} on media, private on backups/ and imports/ (S3_PERMISSION=${acl})` : `Mastodon sends none (S3_PERMISSION is empty), and neither does the copy: rclone 1.60 always sends one, so it copies through a front that migrate runs on 127.0.0.1, which removes the ACL headers and signs each request for ${destination.target.apiEndpoint.host} with the writer's key`}`,
    `  old URLs ${before}KEY  ->  new URLs ${newBase}KEY`,
    "",
  );
  if (source.kind === "local" && !source.exists)
    add(`Note: ${source.root} does not exist on this machine: run the copy steps on the web host.`, "");

  add(
    `Step 1, ${day(0)}: put the new media host in the Content-Security-Policy, at least ${CSP_LEAD_DAYS} days before the switch`,
  );
  if (destination.stack) {
    add(
      `  pulumi up -s ${destination.stack}`,
      `  (umask 077; pulumi stack output envProduction --show-secrets -s ${destination.stack} > ${envFile})`,
      `  npm run verify -- --env ${envFile}`,
    );
  }
  // The CSP source keeps the media base's scheme: an http:// media host (S3_PROTOCOL=http, a lab MinIO) is not https://.
  const extra = [...new Set([new URL(newBase).origin, ...existingExtraHosts(source)])].join(",");
  add(
    "  On the Mastodon host, add to .env.production (the current storage lines stay as they are):",
    `    EXTRA_MEDIA_HOSTS=${extra}`,
    `  ${RESTART_WEB}`,
    `  Check: curl -sI https://${destination.webDomain ?? "WEB_DOMAIN"}/ | grep -i content-security-policy   (shows ${newHost})`,
    "  Why: browsers and Mastodon's service worker keep the CSP they were given for up to a week; a tab opened before",
    "  the switch would block every image from the new host.",
    "  Rollback: remove the EXTRA_MEDIA_HOSTS line and restart mastodon-web.",
    "",
  );

  add(`Step 2, ${day(0)} to ${day(CSP_LEAD_DAYS - 1)}: copy, then copy again`);
  add(`  ${runCommand}`);
  add(
    `  Run it now (the full pass), and again on ${day(CSP_LEAD_DAYS - 1)}: a later pass uploads only new and changed files.`,
  );
  add(
    "  Each pass lists both sides (a walk of the directory or ListObjectsV2, and ListObjectsV2 of the new bucket, 1,000 keys",
  );
  add(
    "  a request), merges the two listings in key order, and copies only the keys missing from the new bucket or of another",
  );
  add(
    "  size: Mastodon never rewrites a key. It says how many it skipped. It is resumable: after an interruption (Ctrl-C",
  );
  add(
    "  included) run the same command again. Each pass ends with its check: the new bucket's listing for every key, each",
  );
  add("  copied key fetched when they are few, and a sample of the whole tree fetched through the new media host.");
  add(
    "  Deleted media: what Mastodon deletes after a pass copied it (deleted posts, media cleanup, deleted accounts,",
    "  suspensions and takedowns) stays in the new bucket, readable at its new URL. Each pass counts the new bucket's keys",
    "  the old storage no longer holds, writes Mastodon's ones to a file where you run it (destination-only-keys-*.txt) and",
    "  prints the rclone delete line for them. Run the last pass of this step shortly before the switch and remove what it",
    "  lists then: after the switch such a list also holds new uploads, so migrate itself never deletes anything.",
  );
  const copySource = source.kind === "local" ? { kind: "local" as const, root: source.root } : source;
  add(...planCommandLines(copySource, destination.target, rclone).map((line) => `  ${line}`));
  add("  Requests on the new storage (sample of 1% of the tree, at most 1,000 keys):");
  for (const objects of [1_000_000, 10_000_000])
    for (const text of estimatedPasses(objects, destination.target)) add(`    ${text}`);
  if (!destination.target.uploadAcl) {
    add(
      `  DST is migrate's own front (a free port and a new key each run; the writer's key stays in migrate): it sends every request`,
      `  on to ${destination.target.apiEndpoint.origin} without x-amz-acl and x-amz-grant-* headers (rclone's own ${grantlessAcl(destination.target)} included).`,
    );
  }
  add("  Rollback: nothing uses the new bucket yet. To give up, empty it; the old storage is untouched.", "");

  const switchDay = day(CSP_LEAD_DAYS);
  add(`Step 3, ${switchDay} at the earliest: switch the env`);
  add(
    "  cp .env.production .env.production.before-media-move",
    `  In .env.production, ${source.kind === "local" ? "add" : "replace the S3_* and AWS_* storage lines with"} the lines of ${envFile};`,
  );
  if (source.kind === "s3") {
    add(
      `  keep the old host in the CSP for the cached pages that still link it: EXTRA_MEDIA_HOSTS=${new URL(before).origin}`,
    );
  }
  add(
    `  ${RESTART_ALL}`,
    "  Check: upload an image in the web UI; its URL starts with " + newBase,
    "  Rollback: cp .env.production.before-media-move .env.production, restart, then bring back what was uploaded",
    "  since the switch (keys are the same both ways):",
    `    ${reverseCopy(source, destination)}`,
    "",
  );

  add(`Step 4, ${switchDay}, right after the switch: the final incremental pass`);
  add(`  ${runCommand}`);
  add(
    "  It copies what reached the old storage between the last pass and the switch (the listings find it), fetches each of",
  );
  add(
    "  those keys on the new host, and lists the missing ones. Its list of new-bucket keys not in the old storage now also",
    "  holds uploads made since the switch: delete nothing by it. Rollback: as in step 3.",
    "",
  );

  add(`Step 5, from ${switchDay}, for good: keep the old URLs working`);
  add(...oldUrlSteps(source, destination, before, newBase).map((line) => (line ? `  ${line}` : "")));
  add(
    `  Keep the old ${source.kind === "local" ? "files" : "bucket"} until ${day(CSP_LEAD_DAYS + KEEP_OLD_DAYS)} at least, and delete nothing while the logs still show requests for old URLs.`,
    "  Rollback: remove the redirect (old URLs answer 404 again).",
  );
  let text = `${lines.join("\n")}\n`;
  for (const [value, placeholder] of destination.placeholders) text = text.split(value).join(placeholder);
  return text;
}

function existingExtraHosts(source: Source): string[] {
  return source.kind === "s3"
    ? source.target.facts.extraMediaHosts.map((host) => (host.includes("://") ? host : `https://${host}`))
    : [];
}

function oldUrlSteps(source: Source, destination: Destination, before: string, newBase: string): string[] {
  if (source.kind === "local") {
    const local = destination.localBase ? new URL(destination.localBase) : undefined;
    const web = local?.host ?? destination.webDomain ?? "WEB_DOMAIN";
    const where = local?.pathname ?? "/system/";
    const otherPath =
      where !== "/system/"
        ? [`Old URLs are under ${where} (PAPERCLIP_ROOT_URL): write that path where the snippet says /system/.`]
        : [];
    return [
      `The web host ${web} answers ${where}KEY with a permanent redirect. nginx, in the server block of ${web}:`,
      ...nginxSystemRedirect(newBase)
        .trimEnd()
        .split("\n")
        .map((line) => `  ${line}`),
      ...otherPath,
      `Check: curl -sI https://${web}${where}accounts/avatars/000/000/001/original/KEY.png   (301, Location: ${newBase}accounts/...)`,
    ];
  }
  const rules = oldHostRedirectRules(before, newBase);
  const oldHost = new URL(before).host;
  const lines: string[] = [];
  if (rules.redirectable && destination.provider === "cloudflare") {
    lines.push(
      `If ${oldHost} is in the stack's Cloudflare zone, the stack can keep the redirect itself: in Pulumi.${destination.stack}.yaml`,
      `  mastodon-media:previousMediaDomains: ["${previousMediaBase(before)}"]`,
      "  mastodon-media:cloudflare: { ..., redirectPreviousMediaDomains: true }",
      `then pulumi up -s ${destination.stack}. Otherwise configure one of these:`,
    );
  }
  lines.push(...rules.text.trimEnd().split("\n"));
  if (rules.redirectable)
    lines.push(
      `Check: curl -sI ${before}media_attachments/files/KEY   (301, Location: ${newBase}media_attachments/files/KEY)`,
    );
  return lines;
}

/**
 * The rollback copy, new storage back into the old (keys are the same both ways). From a bucket it is migrate
 * itself, the other way round: it copies the keys missing from the old bucket or of another size, with the old
 * bucket's ACLs (its S3_PERMISSION, archives private) or through its front in no-ACL mode. Into the local
 * directory it is rclone reading the new storage (a read sends no ACL, so no front) for the last 14 days' files,
 * printed as ./shell-line.ts prints it: `dst:BUCKET/PREFIX/` (./rclone.ts remotePath), the writer's key as the
 * shell variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, never as values.
 */
function reverseCopy(source: Source, destination: Destination): string {
  const envFile = destination.envFile ?? "new-storage.env";
  if (source.kind === "s3") {
    return `npm run migrate -- --from-env ${envFile} --to-env ${source.file} --run   (copies the keys missing from the old bucket or of another size)`;
  }
  const env = remoteEnv("DST", destination.target, undefined);
  delete env.RCLONE_CONFIG_DST_ACL;
  const command: RcloneCommand = {
    args: ["copy", remotePath("dst", destination.target), source.root, "--max-age", "14d", "--config", ""],
    env,
    secretEnv: Object.keys(WRITER_KEY_VARIABLES),
    label: "rollback",
  };
  return `${shellRcloneLine(command, WRITER_KEY_VARIABLES)}   (the writer's key of ${envFile} exported as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)`;
}
