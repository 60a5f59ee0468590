import { UserError } from "../../components/errors";

/**
 * A zone has exactly one entry-point ruleset per phase (Cloudflare Ruleset Engine docs, "Phase entry point
 * ruleset"), holding every rule of that phase. This stack creates and owns the entry points of the phases it
 * uses; creating one where another already exists fails, and adopting a foreign one would replace its rules.
 * So an existing entry point not made by this project stops the deploy before anything is created, with its id.
 * It may be an empty leftover: the dashboard keeps the entry point after its last rule is deleted.
 */

/** The zone phases this stack owns, and what it puts there. */
export const OWNED_PHASES = {
  http_request_firewall_custom: "the WAF rule keeping backups/ and imports/ private",
  http_response_headers_transform: "the CORS, HSTS and nosniff response headers",
  http_request_dynamic_redirect: "the HTTP to HTTPS redirect",
} as const;

export type OwnedPhase = keyof typeof OWNED_PHASES;

/** Every ruleset this project creates has this in its name; that is how a redeploy recognises its own. */
export const MANAGED_NAME_MARK = "(managed by mastodon-media)";

export interface ZoneRuleset {
  id: string;
  kind: string;
  name: string;
  phase: string;
  lastUpdated?: string;
}

/** Zone entry points of the phases this stack owns that this project did not create. */
export function foreignEntryPoints(rulesets: readonly ZoneRuleset[]): ZoneRuleset[] {
  return rulesets.filter((r) => r.kind === "zone" && r.phase in OWNED_PHASES && !r.name.includes(MANAGED_NAME_MARK));
}

/** Throws one UserError naming every foreign entry point, what this stack needs the phase for, and the ways out. */
export function assertNoForeignEntryPoints(zoneId: string, mediaDomain: string, rulesets: readonly ZoneRuleset[]): void {
  const foreign = foreignEntryPoints(rulesets);
  if (foreign.length === 0) return;
  const lines = foreign.map(
    (r) =>
      `  - phase ${r.phase}: ruleset "${r.name}" (id ${r.id}${r.lastUpdated ? `, last updated ${r.lastUpdated}` : ""}); ` +
      `this stack needs the phase for ${OWNED_PHASES[r.phase as OwnedPhase]} on ${mediaDomain}`,
  );
  throw new UserError(
    [
      `The Cloudflare zone ${zoneId} already has ${foreign.length === 1 ? "an entry-point ruleset" : "entry-point rulesets"} this stack would have to own (a zone has one per phase); nothing was created:`,
      ...lines,
      "Put the media host in a zone without them, or, if such a ruleset is an empty leftover (its rules were deleted),",
      "delete it: curl -X DELETE -H \"Authorization: Bearer $CLOUDFLARE_API_TOKEN\" https://api.cloudflare.com/client/v4/zones/ZONE_ID/rulesets/RULESET_ID",
      "A ruleset with rules of its own must not be deleted or imported: importing it would replace its rules (docs/cloudflare.md).",
    ].join("\n"),
  );
}
