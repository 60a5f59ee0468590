import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "./sdk";
import { privateKeysExpression } from "./guard-expression";
import { ENTRY_POINT_NAMES, entryPointDescription } from "./ruleset-identity";

/** Stable rule reference, so that edits update the rule in place instead of replacing it. */
export const PRIVATE_KEYS_RULE_REF = "mastodon_media_private_keys";

/**
 * Keeps `backups/` and `imports/` unreachable on the media host with a WAF custom rule (R2 has no bucket policy).
 * User archives stay downloadable through the 1-hour presigned URLs of the S3 API endpoint, which no zone rule
 * touches.
 *
 * This is the zone's entry-point ruleset of the `http_request_firewall_custom` phase, of which a zone has exactly
 * one: it owns every custom rule of the zone (see docs/cloudflare.md, "The WAF rule caveat", before deploying into a zone that already has some).
 */
export function createPrivateKeysGuard(
  name: string,
  zoneId: string,
  mediaDomain: string,
  /** ORG/PROJECT/STACK, the owner mark of the description (providers/cloudflare/ruleset-identity.ts). */
  stackId: string,
  parent: pulumi.Resource,
): cloudflare.Ruleset {
  return new cloudflare.Ruleset(
    `${name}-private-keys-guard`,
    {
      zoneId,
      kind: "zone",
      phase: "http_request_firewall_custom",
      name: ENTRY_POINT_NAMES.http_request_firewall_custom,
      description: entryPointDescription("http_request_firewall_custom", stackId),
      rules: [
        {
          ref: PRIVATE_KEYS_RULE_REF,
          description: `Mastodon media: keep user archives and imports on ${mediaDomain} private`,
          expression: privateKeysExpression(mediaDomain),
          // A custom response body needs a paid plan; the default block page is fine for a 403.
          action: "block",
          enabled: true,
        },
      ],
    },
    { parent },
  );
}
