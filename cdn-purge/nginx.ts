import { BUST_NOT_INSTALLED, BUST_STATUS_HEADER } from "../components/cache-buster";
import { UserError } from "../components/errors";
import { CdnRefused, type PurgeIo } from "./http";
import type { PurgeTarget } from "./media-keys";
import type { PurgeOutcome } from "./purge";

/** The bust request's header and secret, and its method (Mastodon's CACHE_BUSTER_* values). */
export interface BustCredentials {
  header: string;
  secret: string;
  method: string;
}

/**
 * A bust the media host did not confirm: its answer lacked the `X-Cache-Status: BYPASS` this project's nginx cache
 * sends for a request carrying the right secret (providers/minio/nginx-cache.ts), so nothing says the cached copy
 * was replaced. `lines` names each such URL and what was seen instead.
 */
export class BustUnconfirmed extends Error {
  constructor(readonly lines: readonly string[]) {
    super(
      `could not confirm ${lines.length} bust(s): the media host's answer lacked X-Cache-Status: BYPASS\n${lines.join("\n")}`,
    );
    this.name = "BustUnconfirmed";
  }
}

/**
 * Purges files from this project's nginx cache in front of MinIO by sending, for each URL, the request Mastodon's
 * cache buster sends (app/lib/cache_buster.rb): the method and the secret header. nginx then fetches the file
 * afresh (`proxy_cache_bypass` on the secret) and keeps MinIO's answer, a 404 once the file is deleted, in place of
 * the cached copy (providers/minio/nginx.ts). nginx's cache is keyed by the whole URL and this bypass cannot name a
 * folder, so a takedown by id (a folder of unknown file names) is refused: pass each style's URL.
 * A URL counts as purged only when nginx says it bypassed its cache for the request (`X-Cache-Status: BYPASS`,
 * nginx's $upstream_cache_status); a 403/404 alone proves nothing (a wrong secret or host answers that too).
 * Errors: UserError (a folder target, no secret, an unreachable host), CdnRefused (405), BustUnconfirmed.
 */
export async function purgeNginx(
  base: URL,
  targets: readonly PurgeTarget[],
  credentials: BustCredentials | undefined,
  io: PurgeIo,
  dryRun: boolean,
): Promise<PurgeOutcome> {
  const folders = targets.filter((t) => t.kind === "folder");
  if (folders.length > 0) {
    throw new UserError(
      `the nginx cache purges one URL at a time and cannot purge a folder (${folders[0]?.key}...): pass the media URLs with --url ` +
        "(each style: original and small, as Mastodon's API shows them in `url` and `preview_url`)",
    );
  }
  const urls = [...new Set(targets.map((t) => new URL(t.key, base).href))];
  const method = credentials?.method ?? "GET";
  const planned = urls.map((url) => `${method} ${url} with the cache buster header`);
  if (dryRun) return { planned, done: [] };
  if (!credentials) {
    throw new UserError(
      "no cache buster secret: give --env with Mastodon's .env.production, or export CACHE_BUSTER_SECRET (and CACHE_BUSTER_SECRET_HEADER)",
    );
  }
  const done: string[] = [];
  const unconfirmed: string[] = [];
  for (const url of urls) {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { [credentials.header]: credentials.secret },
        redirect: "manual",
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).name;
      throw new UserError(`cannot reach the media host ${new URL(url).host} (${reason})`);
    }
    await response.arrayBuffer();
    if (response.status === 405)
      throw new CdnRefused(
        405,
        `the media host refused ${method}: it is not the nginx cache this project writes, or CACHE_BUSTER_HTTP_METHOD is not GET`,
      );
    const cacheStatus = response.headers.get("x-cache-status")?.trim().toUpperCase();
    if (response.headers.get(BUST_STATUS_HEADER)?.trim() === BUST_NOT_INSTALLED) {
      unconfirmed.push(
        `${url}: ${BUST_STATUS_HEADER}: ${BUST_NOT_INSTALLED}: the media host's nginx has no cache buster secret yet; write the stack output nginxCacheBusterMap into its file (docs/minio.md), then purge again`,
      );
      continue;
    }
    if (cacheStatus !== "BYPASS") {
      unconfirmed.push(
        `${url}: answered ${response.status} with ${cacheStatus ? `X-Cache-Status: ${cacheStatus}` : "no X-Cache-Status header"}, not BYPASS: ` +
          `the bust was not taken as one (a wrong CACHE_BUSTER_SECRET or CACHE_BUSTER_SECRET_HEADER, another host, or no nginx cache of this project in front), so the cached copy may remain`,
      );
      continue;
    }
    const state =
      // MinIO answers 403 for a missing key when its policy does not allow listing, 404 when it does.
      response.status === 404 || response.status === 403
        ? `the cache was bypassed and the media host now answers ${response.status}: the deleted file's copy is replaced`
        : response.status === 200
          ? "the file still exists in the bucket, so the cache now holds its current copy: delete it in Mastodon first, then purge again"
          : `the cache was bypassed and the media host answered ${response.status}`;
    io.say(`${url}: ${state}`);
    done.push(`${method} ${url}: ${response.status} (X-Cache-Status: BYPASS)`);
  }
  if (unconfirmed.length > 0) throw new BustUnconfirmed(unconfirmed);
  return { planned, done };
}
