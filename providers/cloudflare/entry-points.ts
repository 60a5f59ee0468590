import { UserError } from "../../components/errors";
import { ownerStackOf, stackMark } from "./ruleset-identity";

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

/**
 * Every ruleset this project creates has this in its (frozen) name. It says "made by this project", not "made
 * by this stack": ownership is the stack mark in the description (providers/cloudflare/ruleset-identity.ts).
 */
export const MANAGED_NAME_MARK = "(managed by mastodon-media)";

export interface ZoneRuleset {
  id: string;
  kind: string;
  name: string;
  phase: string;
  description?: string;
  lastUpdated?: string;
}

/** How an entry point of an owned phase relates to the stack being deployed. */
export type EntryPointOwner =
  /** Its description carries this stack's mark: a redeploy. */
  | { kind: "this-stack" }
  /** Made by mastodon-media for another stack (a second instance, a review stack, a stack whose state was lost). */
  | { kind: "other-stack"; stack: string }
  /**
   * Made by mastodon-media before descriptions carried the stack (its name has the mark, its description no
   * stack): this stack's own if it deployed before, which the program cannot see. Let through with a warning;
   * the next `up` writes this stack's mark into the description (an in-place update).
   */
  | { kind: "unmarked" }
  /** Not made by mastodon-media at all. */
  | { kind: "foreign" };

export function entryPointOwner(ruleset: ZoneRuleset, stackId: string): EntryPointOwner {
  const owner = ownerStackOf(ruleset.description);
  if (owner === stackId) return { kind: "this-stack" };
  if (owner !== undefined) return { kind: "other-stack", stack: owner };
  return ruleset.name.includes(MANAGED_NAME_MARK) ? { kind: "unmarked" } : { kind: "foreign" };
}

const ownedEntryPoints = (rulesets: readonly ZoneRuleset[]) =>
  rulesets.filter((r) => r.kind === "zone" && r.phase in OWNED_PHASES);

/** Zone entry points of the phases this stack owns that are not this stack's (`stackId`: ORG/PROJECT/STACK). */
export function foreignEntryPoints(rulesets: readonly ZoneRuleset[], stackId: string): ZoneRuleset[] {
  return ownedEntryPoints(rulesets).filter((r) =>
    ["foreign", "other-stack"].includes(entryPointOwner(r, stackId).kind),
  );
}

/** Entry points made by mastodon-media before the per-stack mark: let through, with a warning. */
export function unmarkedEntryPoints(rulesets: readonly ZoneRuleset[], stackId: string): ZoneRuleset[] {
  return ownedEntryPoints(rulesets).filter((r) => entryPointOwner(r, stackId).kind === "unmarked");
}

/** Throws one UserError naming every foreign entry point, what this stack needs the phase for, and the ways out. */
export function assertNoForeignEntryPoints(
  zoneId: string,
  mediaDomain: string,
  rulesets: readonly ZoneRuleset[],
  stackId: string,
): void {
  const foreign = foreignEntryPoints(rulesets, stackId);
  if (foreign.length === 0) return;
  const lines = foreign.map((r) => {
    const owner = entryPointOwner(r, stackId);
    const whose = owner.kind === "other-stack" ? `, managed by the mastodon-media stack ${owner.stack}` : "";
    return (
      `  - phase ${r.phase}: ruleset "${r.name}" (id ${r.id}${r.lastUpdated ? `, last updated ${r.lastUpdated}` : ""}${whose}); ` +
      `this stack needs the phase for ${OWNED_PHASES[r.phase as OwnedPhase]} on ${mediaDomain}`
    );
  });
  throw new UserError(
    [
      `The Cloudflare zone ${zoneId} already has ${foreign.length === 1 ? "an entry-point ruleset" : "entry-point rulesets"} this stack would have to own (a zone has one per phase); nothing was created:`,
      ...lines,
      "Put the media host in a zone without them; one zone holds the media host of one mastodon-media stack (a review",
      "stack needs its own zone). If such a ruleset is an empty leftover (its rules were deleted, or its stack is gone),",
      'delete it: curl -X DELETE -H "Authorization: Bearer $CLOUDFLARE_API_TOKEN" https://api.cloudflare.com/client/v4/zones/ZONE_ID/rulesets/RULESET_ID',
      "A ruleset with rules of its own must not be deleted or imported: importing it would replace its rules (docs/cloudflare.md).",
      ...(foreign.some((r) => entryPointOwner(r, stackId).kind === "other-stack")
        ? [
            `If a stack named there is this one under an earlier name (pulumi stack rename, a move to another backend), edit that ruleset's`,
            `description to end with ${stackMark(stackId)} instead (Rulesets API, "Update a zone ruleset") and run again.`,
          ]
        : []),
    ].join("\n"),
  );
}
