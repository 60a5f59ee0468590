/**
 * The stack output `takedowns`: how deleted media leaves this stack's edge cache, and what that costs, as the
 * plan and `pulumi stack output takedowns` show it (docs/takedowns.md has the long form).
 *
 * Prices, as published by the providers (check them before relying on a figure):
 * - CloudFront invalidation: the first 1,000 paths a month free, then USD 0.005 a path, a wildcard path counting
 *   as one (Amazon CloudFront pricing, "Invalidation requests"). CloudFront Functions: USD 0.10 per million
 *   invocations (Amazon CloudFront pricing, "CloudFront Functions"). Lambda: 1 million requests a month free
 *   (AWS Lambda pricing).
 * - Cloudflare Workers: Free plan 100,000 requests a day; Standard (Workers Paid) USD 5 a month with 10 million
 *   requests, then USD 0.30 per million (Cloudflare Workers docs, "Pricing"). Purge by URL is free.
 * - DigitalOcean CDN flush: no charge (DigitalOcean API reference, "Purge the Cache for an Existing CDN Endpoint").
 */

/**
 * What Mastodon never busts: only destroyed media attachments call the buster (app/models/media_attachment.rb
 * `bust_cache!`; app/services/update_media_attachments_permissions_service.rb in object-ACL mode).
 */
export const NEVER_BUSTED =
  "Mastodon busts only the files of destroyed media attachments (a deleted post or account, the purge after a " +
  "suspension). It never busts avatars, headers, custom emoji, the remote-media vacuum, `tootctl media remove` or " +
  "domain-block media clears: those stay cached until the cache lets them go (docs/takedowns.md).";

export function awsTakedownNotes(): string {
  return [
    "Cache buster: on (CACHE_BUSTER_* in the env block). Mastodon's bust request for a deleted file reaches a CloudFront",
    "Function on the media host, which passes it to the purge handler (Lambda, reachable only through this distribution),",
    "which invalidates the attachment's folder with one wildcard path (the exact path when 15 wildcard invalidations are",
    "already in progress). Cost: invalidation paths, the first 1,000 a month free, then USD 0.005 a path (about one path per",
    "deleted attachment); the function runs on every media request, USD 0.10 per million; the Lambda calls stay within its",
    "free tier for most instances.",
    "Limit: at most 15 wildcard and 3,000 exact invalidation paths may be in progress per distribution. Past both, or",
    "while CloudFront throttles, the handler retries for about 8 s, then gives up (Mastodon never resends a bust): after",
    "deleting a large account, purge what stayed cached with npm run purge (docs/takedowns.md).",
    NEVER_BUSTED,
  ].join("\n");
}

/** `worker`: whether the stack runs the cache buster Worker (`cloudflare.cacheBuster`). */
export function cloudflareTakedownNotes(worker: boolean): string {
  if (!worker) {
    return [
      "Cache buster: off (cloudflare.cacheBuster is false, the default), so the env block sets no CACHE_BUSTER_* line. A deleted",
      "file stays in Cloudflare's cache for the zone's edge TTL: purge taken-down media with npm run purge (docs/takedowns.md),",
      "or set cloudflare.cacheBuster: true on Workers Paid (a Worker then runs on every media request; on Workers Free, past",
      "100,000 requests a day a route that fails closed answers error 1027: docs/cloudflare.md).",
      NEVER_BUSTED,
    ].join("\n");
  }
  return [
    "Cache buster: on (cloudflare.cacheBuster; CACHE_BUSTER_* in the env block). A Worker on the media host's route purges the",
    "URL of each bust request by Cloudflare's purge-by-URL API (token limited to Cache Purge on this zone) and passes every",
    "other request through untouched. Cost: the Worker runs on every media request of the route, cache hits included:",
    "Workers Paid is USD 5 a month with 10 million requests, then USD 0.30 per million. On Workers Free (100,000 requests a",
    "day per account) a route that fails closed answers error 1027 past that, a media outage until the daily reset. Purging is free.",
    NEVER_BUSTED,
  ].join("\n");
}

export function spacesTakedownNotes(cdnTtlSeconds: number): string {
  return [
    "Cache buster: off. The Spaces CDN cannot act on Mastodon's bust request, so the env block sets no CACHE_BUSTER_* line.",
    `A deleted file stays on the CDN for up to digitalocean.cdnTtl (${cdnTtlSeconds} s): lower it for takedown-sensitive`,
    "instances, and flush a taken-down URL through DigitalOcean's API (DELETE /v2/cdn/endpoints/ID/cache, no charge).",
    NEVER_BUSTED,
  ].join("\n");
}

/** `mediaDomain`: the nginx proxy's host, or undefined when MinIO serves media itself. */
export function minioTakedownNotes(mediaDomain: string | undefined): string {
  if (mediaDomain === undefined) {
    return "Cache buster: off. Without a media domain MinIO serves media itself and nothing caches it, so there is nothing to bust.";
  }
  return [
    "Cache buster: on (CACHE_BUSTER_* in the env block). The nginx proxy (nginxConfig) caches media; a bust request with",
    "the secret (nginxCacheBusterMap) bypasses the cache and stores MinIO's fresh answer, a 404 once the file is deleted, in",
    "place of the cached copy. No cost. Mastodon must be able to reach the media host: a private address needs",
    "ALLOWED_PRIVATE_ADDRESSES. After pulumi up (the secret exists only then), put the secret in place; until then bust",
    "requests are ordinary requests (docs/minio.md):",
    `  pulumi stack output nginxCacheBusterMap --show-secrets | install -D -m 600 /dev/stdin /etc/nginx/mastodon-media/${mediaDomain}.cache-buster.conf && nginx -t && systemctl reload nginx`,
    NEVER_BUSTED,
  ].join("\n");
}
