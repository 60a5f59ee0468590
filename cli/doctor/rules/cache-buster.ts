import { finding, type DoctorContext, type Finding, type Rule } from "../finding";

/** Values people write meaning "on", which Mastodon reads as off (config/cache_buster.yml compares with 'true'). */
const MEANT_ON = /^\s*(true|1|yes|on|enabled?)\s*$/i;

const TAKEDOWNS = "docs/takedowns.md";

/**
 * Mastodon's cache buster settings, as config/cache_buster.yml and app/lib/cache_buster.rb read them
 * (mastodon-env/cache-buster.ts), and where they meet the media host's edge:
 * - `cache-buster-off`: CACHE_BUSTER_ENABLED is not exactly `true` while the admin clearly meant it on;
 * - `cache-buster-header-incomplete`: only one of CACHE_BUSTER_SECRET_HEADER and CACHE_BUSTER_SECRET is set, so
 *   Mastodon sends no header at all and an edge that requires it (every stack of this project) never purges;
 * - `cache-buster-unauthenticated`: on, with neither: anyone can send the same request to the media host;
 * - `cache-buster-method-unknown`: a method http.rb refuses (UnsupportedMethodError): every bust job fails;
 * - `cache-buster-purge-method`: `PURGE` (Fastly's, Varnish's) where the edge does not act on it: CloudFront,
 *   Cloudflare and the Spaces CDN purge only through their APIs, and this project's edges act on `GET` with the
 *   secret (components/cache-buster.ts); a warning where the media host's name shows the edge, else advice;
 * - `cache-buster-no-acl-suspension`: no ACLs (`S3_PERMISSION=` present and empty) and a media host: a
 *   suspension, or a moderator removing a reported post, makes the files private only in object-ACL mode, and only
 *   there sends a bust (app/services/update_media_attachments_permissions_service.rb returns early when
 *   `ENV['S3_PERMISSION'] == ''`; app/services/remove_status_service.rb keeps a reported post's media).
 */
export const cacheBuster: Rule = (context) => {
  const { env, values } = context;
  const buster = env.cacheBuster;
  const found: Finding[] = [];
  const enabledValue = values.get("CACHE_BUSTER_ENABLED");
  const others = (["CACHE_BUSTER_SECRET_HEADER", "CACHE_BUSTER_SECRET", "CACHE_BUSTER_HTTP_METHOD"] as const).filter(
    (name) => buster.vars[name].state === "set",
  );
  if (!buster.enabled && ((enabledValue !== undefined && MEANT_ON.test(enabledValue)) || others.length > 0)) {
    const what =
      enabledValue === undefined
        ? "is missing"
        : enabledValue === ""
          ? "is empty"
          : `is ${JSON.stringify(enabledValue.slice(0, 12))}`;
    found.push(
      finding(
        "cache-buster-off",
        "warning",
        "CACHE_BUSTER_ENABLED",
        `CACHE_BUSTER_ENABLED ${what}: Mastodon turns the cache buster on only for the exact value \`true\` (config/cache_buster.yml), so deleted media stays on the CDN until its cache expires${others.length > 0 ? ` and ${others.join(", ")} do nothing` : ""}`,
        "CACHE_BUSTER_ENABLED=true",
      ),
    );
  }
  if (buster.enabled) {
    const name = buster.vars.CACHE_BUSTER_SECRET_HEADER;
    const secret = buster.vars.CACHE_BUSTER_SECRET;
    const nameSet = name.state === "set" && name.value.trim() !== "";
    const secretSet = secret.state === "set";
    if (nameSet !== secretSet) {
      const missing = nameSet ? "CACHE_BUSTER_SECRET" : "CACHE_BUSTER_SECRET_HEADER";
      found.push(
        finding(
          "cache-buster-header-incomplete",
          "warning",
          missing,
          `${missing} is ${secretSet || nameSet ? "missing or empty" : "missing"} while the other is set: Mastodon sends the secret header only when both are set (app/lib/cache_buster.rb), so its bust requests carry no header and an edge that requires it (the CloudFront function, Worker or nginx cache of this project) never purges`,
          `write both: CACHE_BUSTER_SECRET_HEADER=Mastodon-Cache-Buster and CACHE_BUSTER_SECRET from \`pulumi stack output envProduction --show-secrets\` (${TAKEDOWNS})`,
        ),
      );
    } else if (!nameSet) {
      found.push(
        finding(
          "cache-buster-unauthenticated",
          "info",
          "CACHE_BUSTER_SECRET",
          "the cache buster is on without a secret header: its requests are plain GETs, so an edge that purges on them purges for anyone who sends the same request",
          `set CACHE_BUSTER_SECRET_HEADER and CACHE_BUSTER_SECRET, and make the edge require them (${TAKEDOWNS})`,
        ),
      );
    }
    if (!buster.methodKnown) {
      found.push(
        finding(
          "cache-buster-method-unknown",
          "warning",
          "CACHE_BUSTER_HTTP_METHOD",
          `CACHE_BUSTER_HTTP_METHOD is not a method Mastodon's HTTP client knows (http.rb's METHODS): every bust job fails with UnsupportedMethodError and nothing is purged`,
          "CACHE_BUSTER_HTTP_METHOD=GET (what this project's edges act on), or PURGE for Fastly",
        ),
      );
    } else if (buster.method === "PURGE") {
      const edge = purgeBlindEdge(context);
      found.push(
        finding(
          "cache-buster-purge-method",
          edge ? "warning" : "info",
          "CACHE_BUSTER_HTTP_METHOD",
          edge
            ? `CACHE_BUSTER_HTTP_METHOD=PURGE: ${edge} does not act on a PURGE request, so nothing is purged`
            : "CACHE_BUSTER_HTTP_METHOD=PURGE works only where the media host's edge understands it (Fastly, a Varnish configured for it); CloudFront, Cloudflare and the Spaces CDN purge only through their APIs, and this project's nginx media host refuses every method but GET, HEAD and OPTIONS (providers/minio/nginx.ts)",
          `CACHE_BUSTER_HTTP_METHOD=GET with the secret header, as this project's edges expect (${TAKEDOWNS})`,
        ),
      );
    }
  }
  if (env.enabled && values.get("S3_PERMISSION") === "" && env.aliasHost) {
    found.push(
      finding(
        "cache-buster-no-acl-suspension",
        "info",
        "S3_PERMISSION",
        "without ACLs (S3_PERMISSION= empty) a suspension, or a moderator removing a reported post, leaves the media public at its URL and sends no bust request: only deleting the media does, so the CDN keeps serving it",
        `for a takedown, delete the media (or the account) in Mastodon, and purge what Mastodon never busts (avatars, headers): \`npm run purge -- --account ID\` (${TAKEDOWNS})`,
      ),
    );
  }
  return found;
};

/**
 * The edge in front of the media host, only where its host name says which it is (an alias on another domain may
 * be any CDN, Fastly too); undefined otherwise. None of these purges on a request method: CloudFront only through
 * CreateInvalidation, Cloudflare through its purge API, the Spaces CDN through DigitalOcean's API.
 */
function purgeBlindEdge({ env }: DoctorContext): string | undefined {
  const alias = env.aliasHost?.toLowerCase().replace(/:\d+$/, "") ?? "";
  if (alias.endsWith(".cloudfront.net")) return "CloudFront (only CreateInvalidation purges it)";
  if (alias.endsWith(".r2.dev")) return "Cloudflare's r2.dev host (only Cloudflare's purge API purges)";
  if (alias.endsWith(".cdn.digitaloceanspaces.com")) return "the Spaces CDN (only DigitalOcean's API flushes it)";
  return undefined;
}
