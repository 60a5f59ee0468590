import { field, list, number, text } from "../props";
import { AWS, CLOUDFLARE, DIGITALOCEAN } from "../resource-types";
import type { RuleResource, StackFinding, StackRule } from "../rule";

/** The purge handler's origin id in the distribution (providers/aws/cache-buster-function.ts PURGE_ORIGIN_ID). */
const AWS_PURGE_ORIGIN_ID = "cache-buster";

/** A CDN whose copies last at most this long needs no bust path by default: one hour (the Spaces CDN's 3600 s). */
export const MAX_TTL_WITHOUT_BUSTER_SECONDS = 3600;

/**
 * A takedown (illegal content, a court order, an erasure request) is not done while a CDN still serves the file:
 * Mastodon deletes the object and sends its cache buster request (app/models/media_attachment.rb,
 * app/lib/cache_buster.rb), which only an edge provisioned for it acts on (docs/takedowns.md). Advisory: a stack
 * may accept the cache's lifetime, but it should say so by choice.
 * - CloudFront: the media behaviour associates a viewer-request function and the distribution has the purge
 *   handler's origin (providers/aws/cache-buster.ts); without them copies last up to a year (CachingOptimized).
 * - R2 custom domain: a Worker route on the media host (providers/cloudflare/cache-buster.ts), which the stack
 *   creates only with `cloudflare.cacheBuster: true` (components/config/cloudflare.ts: opt-in, for its cost).
 * - Spaces CDN: no edge hook exists; its TTL is the only lever, so a TTL above `maxTtlSeconds` is reported.
 */
export const cdnBustsDeletedMedia: StackRule = {
  kind: "stack",
  name: "cdn-busts-deleted-media",
  description:
    "Checks whether each CDN in front of the media has a path that removes a deleted file's cached copies when Mastodon asks (its cache buster), or a short TTL.",
  enforcementLevel: "advisory",
  severity: "medium",
  configSchema: {
    properties: {
      maxTtlSeconds: {
        type: "number",
        default: MAX_TTL_WITHOUT_BUSTER_SECONDS,
        description: "The longest CDN cache lifetime accepted without a bust path (seconds).",
      },
    },
  },
  validate(resources, context) {
    const maxTtl = number(context.config.maxTtlSeconds) ?? MAX_TTL_WITHOUT_BUSTER_SECONDS;
    return resources.flatMap((resource): StackFinding[] => {
      if (resource.type === AWS.distribution && !distributionBusts(resource)) {
        return [
          {
            urn: resource.urn,
            message:
              "The media distribution must act on Mastodon's cache buster: deleted media otherwise stays cached up to a year. " +
              "Associate the cache buster's viewer-request function and purge origin (providers/aws/cache-buster.ts), or invalidate taken-down paths yourself (docs/takedowns.md).",
          },
        ];
      }
      if (resource.type === CLOUDFLARE.r2CustomDomain) {
        const domain = text(resource.props.domain);
        const routed = resources.some(
          (route) => route.type === CLOUDFLARE.workersRoute && text(route.props.pattern) === `${domain}/*`,
        );
        return domain && !routed
          ? [
              {
                urn: resource.urn,
                message:
                  `The media host ${domain} must act on Mastodon's cache buster: deleted media otherwise stays cached for the zone's edge TTL. ` +
                  "Set mastodon-media:cloudflare.cacheBuster: true (a Worker on every media request: Workers Paid, docs/cloudflare.md), " +
                  "or purge taken-down media yourself with `npm run purge` (docs/takedowns.md).",
              },
            ]
          : [];
      }
      if (resource.type === DIGITALOCEAN.cdn) {
        const ttl = number(resource.props.ttl) ?? 3600;
        return ttl > maxTtl
          ? [
              {
                urn: resource.urn,
                message:
                  `The Spaces CDN cannot act on Mastodon's cache buster, so deleted media stays cached for its TTL (${ttl} s). ` +
                  `For takedowns, lower digitalocean.cdnTtl to ${maxTtl} or less, and flush taken-down URLs through DigitalOcean's API (docs/takedowns.md).`,
              },
            ]
          : [];
      }
      return [];
    });
  },
};

function distributionBusts(distribution: RuleResource): boolean {
  const associations = list(field(distribution.props, "defaultCacheBehavior", "functionAssociations"));
  const viewerRequest = associations.some((association) => text(field(association, "eventType")) === "viewer-request");
  const purgeOrigin = list(distribution.props.origins).some(
    (origin) => text(field(origin, "originId")) === AWS_PURGE_ORIGIN_ID,
  );
  return viewerRequest && purgeOrigin;
}
