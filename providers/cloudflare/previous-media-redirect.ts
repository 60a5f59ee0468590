import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import { previousMediaRedirect } from "./previous-media-redirect-expression";

/** Stable rule reference prefix: edits update a rule in place instead of replacing it. */
export const PREVIOUS_MEDIA_RULE_REF = "mastodon_media_previous_host";

/**
 * Keeps the URLs of previous media hosts working after a move (docs/migrating.md): a permanent redirect from
 * each old base to the same key on the media domain. The old hosts must be proxied hosts of this zone.
 *
 * This is the zone's entry-point ruleset of the `http_request_dynamic_redirect` phase, of which a zone has
 * exactly one: it owns every Single Redirect of the zone (import an existing one before the first `pulumi up`).
 */
export function createPreviousMediaRedirects(
  name: string,
  zoneId: string,
  previous: readonly string[],
  mediaDomain: string,
  keyPrefix: string | undefined,
  parent: pulumi.Resource,
): cloudflare.Ruleset {
  return new cloudflare.Ruleset(
    `${name}-previous-media-redirects`,
    {
      zoneId,
      kind: "zone",
      phase: "http_request_dynamic_redirect",
      name: "Zone redirect rules (managed by mastodon-media)",
      description: "Single Redirects of the zone, managed by the mastodon-media Pulumi project",
      rules: previous.map((base, index) => {
        const rule = previousMediaRedirect(base, mediaDomain, keyPrefix);
        return {
          ref: `${PREVIOUS_MEDIA_RULE_REF}_${index}`,
          description: `Mastodon media: ${base} moved to ${mediaDomain}${keyPrefix ? `/${keyPrefix}` : ""}`,
          expression: rule.expression,
          action: "redirect",
          actionParameters: {
            fromValue: {
              statusCode: 301,
              targetUrl: { expression: rule.targetExpression },
              preserveQueryString: rule.preserveQueryString,
            },
          },
          enabled: true,
        };
      }),
    },
    { parent },
  );
}
