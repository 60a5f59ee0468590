import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "./sdk";
import { MANAGED_NAME_MARK } from "./entry-points";
import { mediaHeaderRules, mediaHttpsRedirectRule } from "./edge-rules";

export interface MediaEdge {
  /** Phase http_response_headers_transform: CORS after the cache, HSTS, nosniff. */
  headers: cloudflare.Ruleset;
  /** Phase http_request_dynamic_redirect: plain HTTP -> HTTPS. */
  httpsRedirect: cloudflare.Ruleset;
}

/**
 * The media host's behaviour at Cloudflare's edge (rules in providers/cloudflare/edge-rules.ts). Each ruleset is
 * the zone's entry point of its phase, of which a zone has one: the factory refuses a zone where another one
 * already exists (providers/cloudflare/entry-points.ts).
 */
export function createMediaEdge(
  name: string,
  zoneId: string,
  mediaDomain: string,
  corsOrigins: readonly string[],
  parent: pulumi.Resource,
  /** More Single Redirects for the same phase, e.g. previous media hosts (providers/cloudflare/previous-media-redirect.ts). */
  extraRedirects: readonly ReturnType<typeof mediaHttpsRedirectRule>[] = [],
): MediaEdge {
  const headers = new cloudflare.Ruleset(
    `${name}-response-headers`,
    {
      zoneId,
      kind: "zone",
      phase: "http_response_headers_transform",
      name: `Zone response header rules ${MANAGED_NAME_MARK}`,
      description: "Response header transform rules of the zone, managed by the mastodon-media Pulumi project",
      rules: mediaHeaderRules(mediaDomain, corsOrigins),
    },
    { parent },
  );
  const httpsRedirect = new cloudflare.Ruleset(
    `${name}-https-redirect`,
    {
      zoneId,
      kind: "zone",
      phase: "http_request_dynamic_redirect",
      name: `Zone single redirects ${MANAGED_NAME_MARK}`,
      description: "Single Redirect rules of the zone, managed by the mastodon-media Pulumi project",
      rules: [mediaHttpsRedirectRule(mediaDomain), ...extraRedirects],
    },
    { parent },
  );
  return { headers, httpsRedirect };
}
