import { UserError } from "../components/errors";
import type { CdnPurgeFacts } from "../components/cdn-purge";
import { purgeCloudflare } from "./cloudflare";
import { purgeCloudFront } from "./cloudfront";
import { purgeDigitalOcean } from "./digitalocean";
import type { PurgeIo } from "./http";
import { accountFolders, attachmentFolders, isRecordId, keyTarget, type PurgeTarget } from "./media-keys";
import { purgeNginx, type BustCredentials } from "./nginx";

/** What a purge planned (one line per API request) and what the CDN accepted. */
export interface PurgeOutcome {
  planned: string[];
  done: string[];
}

/** What to take down: media URLs, media attachment ids, account ids (avatar and header). */
export interface PurgeRequest {
  urls: readonly string[];
  attachments: readonly string[];
  accounts: readonly string[];
}

/** Where: the CDN, the media base URL (its path ends with `/`), the key prefix (S3_KEY_PREFIX). */
export interface PurgeSite {
  cdn: CdnPurgeFacts;
  mediaBase: URL;
  keyPrefix?: string;
}

/**
 * The media key of a URL on the media host: the path after the media base's path, still URL-encoded as it
 * appears in links. A problem (a UserError's text) for a URL on another host, with a query, or without a key.
 */
export function mediaKeyOf(url: string, site: PurgeSite): { key: string } | { problem: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: `--url ${JSON.stringify(url)} is not a URL` };
  }
  const base = site.mediaBase;
  if (parsed.protocol !== base.protocol || parsed.host !== base.host || !parsed.pathname.startsWith(base.pathname)) {
    return {
      problem: `--url ${url} is not on the media host ${base.origin}${base.pathname}: only the stack's own media can be purged`,
    };
  }
  if (parsed.search || parsed.hash)
    return { problem: `--url ${url} has a query or fragment: Mastodon's media URLs have none` };
  const key = parsed.pathname.slice(base.pathname.length);
  if (!key || key.endsWith("/")) return { problem: `--url ${url} names no file` };
  if (site.keyPrefix && !key.startsWith(`${site.keyPrefix}/`))
    return { problem: `--url ${url} is not under the key prefix ${site.keyPrefix}/` };
  return { key };
}

/** Every target of the request, or the problems with it (each naming the argument). */
export function purgeTargets(
  request: PurgeRequest,
  site: PurgeSite,
): { targets: PurgeTarget[] } | { problems: string[] } {
  const problems: string[] = [];
  const targets: PurgeTarget[] = [];
  for (const url of request.urls) {
    const key = mediaKeyOf(url, site);
    if ("problem" in key) problems.push(key.problem);
    else targets.push(keyTarget(key.key));
  }
  for (const [flag, ids, folders] of [
    ["--attachment", request.attachments, attachmentFolders],
    ["--account", request.accounts, accountFolders],
  ] as const) {
    for (const id of ids) {
      if (!isRecordId(id))
        problems.push(
          `${flag} ${JSON.stringify(id)} is not a Mastodon record id (decimal digits, as in the admin interface)`,
        );
      else targets.push(...folders(id, site.keyPrefix));
    }
  }
  if (problems.length === 0 && targets.length === 0)
    problems.push("nothing to purge: give --url, --attachment or --account");
  return problems.length > 0 ? { problems } : { targets };
}

/** Sends the purge to the site's CDN (or, with `dryRun`, only says what it would send). */
export function purge(
  site: PurgeSite,
  targets: readonly PurgeTarget[],
  options: {
    env: NodeJS.ProcessEnv;
    io: PurgeIo;
    dryRun: boolean;
    bust?: BustCredentials;
    digitalOceanWindowMs?: number;
  },
): Promise<PurgeOutcome> {
  const { cdn, mediaBase } = site;
  const { env, io, dryRun } = options;
  switch (cdn.cdn) {
    case "cloudfront":
      return purgeCloudFront(cdn.distributionId, mediaBase.pathname, targets, io, dryRun);
    case "cloudflare":
      return purgeCloudflare(cdn.zoneId, mediaBase, targets, env, io, dryRun);
    case "digitalocean":
      return purgeDigitalOcean(
        cdn.endpointId,
        mediaBase.pathname,
        targets,
        env,
        io,
        dryRun,
        options.digitalOceanWindowMs,
      );
    case "nginx":
      return purgeNginx(mediaBase, targets, options.bust, io, dryRun);
    default:
      throw new UserError(`unknown CDN ${JSON.stringify((cdn as { cdn: string }).cdn)}`);
  }
}
