// Types only: this file is also read by the commands (verify, doctor, migrate, purge), which must not load the
// Pulumi SDK (about 900 modules, most of a command's start-up; test/architecture/command-startup.test.ts).
import type * as pulumi from "@pulumi/pulumi";

/**
 * Mastodon's cache buster (config/cache_buster.yml, app/lib/cache_buster.rb, app/workers/cache_buster_worker.rb):
 * with `CACHE_BUSTER_ENABLED=true` Mastodon sends, for every style of a destroyed media attachment
 * (app/models/media_attachment.rb `prepare_cache_bust!` / `bust_cache!`), one request to the media URL itself:
 * method `CACHE_BUSTER_HTTP_METHOD` (default GET), header `CACHE_BUSTER_SECRET_HEADER: CACHE_BUSTER_SECRET`
 * (only when both are set), on the `pull` queue, through Mastodon's HTTP client (app/lib/request.rb: 5 s to
 * connect, 10 s to read, 30 s in all, up to 3 redirects followed, private addresses refused unless
 * ALLOWED_PRIVATE_ADDRESSES lists them). The answer is ignored.
 *
 * The request contract every edge of this project honours (docs/takedowns.md):
 * - `GET https://MEDIA_HOST/KEY` with `Mastodon-Cache-Buster: SECRET` makes the edge drop (or refetch) its copy
 *   of KEY (AWS: the attachment's whole id-partition folder), and never serves the cached copy to that request;
 * - the same request without the header, or with another value, is an ordinary media request, untouched.
 */

/** The header name rendered as CACHE_BUSTER_SECRET_HEADER (a plain RFC 9110 token; no `X-` prefix, RFC 6648). */
export const CACHE_BUSTER_HEADER = "Mastodon-Cache-Buster";

/**
 * An edge whose bust path exists but whose secret is not installed yet (the MinIO stack's nginx before the admin
 * writes `nginxCacheBusterMap`, providers/minio/nginx-cache.ts) answers a request carrying the header with
 * `X-Cache-Buster: not-installed`; verify's `cache-bust` reads it (live-checks/checks/cache-bust.ts).
 */
export const BUST_STATUS_HEADER = "X-Cache-Buster";
export const BUST_NOT_INSTALLED = "not-installed";

/** The method rendered as CACHE_BUSTER_HTTP_METHOD: GET, Mastodon's default, which every media host already allows. */
export const CACHE_BUSTER_METHOD = "GET";

/**
 * Length of the generated secret: 48 characters of [A-Za-z0-9], about 285 bits. Letters and digits only, so that
 * it is safe unquoted in `.env.production`, in an HTTP header and inside an nginx quoted string.
 */
export const CACHE_BUSTER_SECRET_LENGTH = 48;

/** What the env block needs to turn Mastodon's cache buster on: the four CACHE_BUSTER_* lines. */
export interface CacheBusterFacts {
  secretHeader: string;
  secret: string;
  httpMethod: string;
}

/** The same, with the secret still an Output (StorageFacts, components/contract.ts). */
export interface CacheBusterInput {
  secretHeader: string;
  secret: pulumi.Input<string>;
  httpMethod: string;
}

/** RFC 9110 `token`: what a header name may be. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The CACHE_BUSTER_* lines of the env block, in the order Mastodon's config/cache_buster.yml reads them. */
export function cacheBusterLines(facts: CacheBusterFacts): [string, string][] {
  if (!TOKEN.test(facts.secretHeader))
    throw new Error("renderEnv: CACHE_BUSTER_SECRET_HEADER must be an HTTP header name");
  if (!/^[A-Z]+$/.test(facts.httpMethod))
    throw new Error("renderEnv: CACHE_BUSTER_HTTP_METHOD must be an upper-case HTTP method");
  if (!facts.secret) throw new Error("renderEnv: CACHE_BUSTER_SECRET must not be empty");
  return [
    ["CACHE_BUSTER_ENABLED", "true"],
    ["CACHE_BUSTER_SECRET_HEADER", facts.secretHeader],
    ["CACHE_BUSTER_SECRET", facts.secret],
    ["CACHE_BUSTER_HTTP_METHOD", facts.httpMethod],
  ];
}
