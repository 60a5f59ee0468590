import { previousMediaRedirect } from "./previous-media-redirect-expression";

/** Stable rule reference prefix: edits update a rule in place instead of replacing it. */
export const PREVIOUS_MEDIA_RULE_REF = "mastodon_media_previous_host";

/**
 * The Single Redirect rules that keep the URLs of previous media hosts working after a move (docs/migrating.md):
 * a permanent redirect from each old base to the same key on the media domain. The old hosts must be proxied
 * hosts of this zone. They join the zone's one `http_request_dynamic_redirect` ruleset (providers/cloudflare/edge.ts),
 * since a zone has a single entry point per phase.
 */
export function previousMediaRedirectRules(
  previous: readonly string[],
  mediaDomain: string,
  keyPrefix: string | undefined,
) {
  return previous.map((base, index) => {
    const rule = previousMediaRedirect(base, mediaDomain, keyPrefix);
    return {
      ref: `${PREVIOUS_MEDIA_RULE_REF}_${index}`,
      description: `Mastodon media: ${base} moved to ${mediaDomain}${keyPrefix ? `/${keyPrefix}` : ""}`,
      expression: rule.expression,
      action: "redirect" as const,
      actionParameters: {
        fromValue: {
          statusCode: 301,
          targetUrl: { expression: rule.targetExpression },
          preserveQueryString: rule.preserveQueryString,
        },
      },
      enabled: true as const,
    };
  });
}
