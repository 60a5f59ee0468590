import type { OwnedPhase } from "./entry-points";

/**
 * The names and descriptions of the zone entry-point rulesets this stack owns.
 *
 * Names are frozen. terraform-provider-cloudflare's `cloudflare_ruleset` (v5, which @pulumi/cloudflare 6 wraps;
 * internal/services/ruleset/schema.go) marks `zone_id` and `account_id` RequiresReplace; issue #21's review
 * found `name`, `kind` and `phase` replace-only as well, which the stored versions of that schema do not show
 * (unverified: treated as replace-only, the safe reading). `description` and `rules` update in place. A
 * replacement creates the new ruleset before deleting the old one, and Cloudflare refuses a second entry point
 * of a phase in a zone (Ruleset Engine docs, "Phase entry point ruleset": one per phase), so a renamed ruleset
 * could never deploy; a delete-before-replace of the WAF ruleset would leave `backups/` public between the two
 * calls, so no ruleset sets that option. Whatever must change goes into `description`
 * (test/providers/cloudflare/ruleset-identity.test.ts pins the names).
 */
export const ENTRY_POINT_NAMES: Readonly<Record<OwnedPhase, string>> = {
  http_request_firewall_custom: "Zone custom rules (managed by mastodon-media)",
  http_response_headers_transform: "Zone response header rules (managed by mastodon-media)",
  http_request_dynamic_redirect: "Zone single redirects (managed by mastodon-media)",
};

const PURPOSE: Readonly<Record<OwnedPhase, string>> = {
  http_request_firewall_custom: "Custom WAF rules of the zone",
  http_response_headers_transform: "Response header transform rules of the zone",
  http_request_dynamic_redirect: "Single Redirect rules of the zone",
};

/** How a description names the stack that owns the ruleset: `[mastodon-media stack ORG/PROJECT/STACK]`. */
const STACK_MARK = /\[mastodon-media stack ([^\]]+)\]/;

export function stackMark(stackId: string): string {
  return `[mastodon-media stack ${stackId}]`;
}

/** The stack a ruleset's description names as its owner, if any. */
export function ownerStackOf(description: string | undefined): string | undefined {
  return STACK_MARK.exec(description ?? "")?.[1];
}

/**
 * `PURPOSE, managed by the mastodon-media Pulumi project [mastodon-media stack ORG/PROJECT/STACK]`: the per-stack
 * ownership mark the pre-check reads (providers/cloudflare/entry-points.ts). `stackId` is
 * `pulumi.getOrganization()/getProject()/getStack()`, unique per stack of a backend.
 */
export function entryPointDescription(phase: OwnedPhase, stackId: string): string {
  return `${PURPOSE[phase]}, managed by the mastodon-media Pulumi project ${stackMark(stackId)}`;
}
