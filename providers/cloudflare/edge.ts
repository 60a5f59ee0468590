import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "./sdk";
import { ENTRY_POINT_NAMES, entryPointDescription } from "./ruleset-identity";
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
  /** ORG/PROJECT/STACK, the owner mark of the descriptions (providers/cloudflare/ruleset-identity.ts). */
  stackId: string,
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
      name: ENTRY_POINT_NAMES.http_response_headers_transform,
      description: entryPointDescription("http_response_headers_transform", stackId),
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
      name: ENTRY_POINT_NAMES.http_request_dynamic_redirect,
      description: entryPointDescription("http_request_dynamic_redirect", stackId),
      rules: [mediaHttpsRedirectRule(mediaDomain), ...extraRedirects],
    },
    { parent },
  );
  return { headers, httpsRedirect };
}
