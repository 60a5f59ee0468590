import type { Condition, Statement } from "./policy-document";
import { hasWildcard } from "./patterns";

/**
 * Who a bucket-policy statement really reaches:
 * - `anyone`: `*`, `{AWS: "*"}`, a NotPrincipal (everyone but the named), or a service principal not pinned to
 *   one account's source: any CloudFront distribution of any account could then read through OAC (the
 *   "confused deputy" of the S3 user guide, "Cross-service confused deputy prevention").
 * - `cdn`: a service principal pinned to a source of one account (`aws:SourceArn` / `aws:SourceAccount`): a CDN
 *   that serves what it reads to everyone, so its reach is public too.
 * - `named`: specific accounts, users or roles.
 * - `self`: an identity policy (no principal): it applies to the identity it is attached to.
 */
export type Audience = "anyone" | "cdn" | "named" | "self";

export function audienceOf(statement: Statement): Audience {
  const { principal } = statement;
  if (principal.kind === "none") return "self";
  if (statement.notPrincipal || principal.kind === "any" || principal.aws.includes("*")) return "anyone";
  if (principal.service.length > 0) return statement.conditions.some(pinsSource) ? "cdn" : "anyone";
  return "named";
}

/** Whether the statement reaches the public, directly or through a CDN. */
export function reachesPublic(statement: Statement): boolean {
  const audience = audienceOf(statement);
  return audience === "anyone" || audience === "cdn";
}

/** A positive condition that pins the calling service to one account: a literal account id in every value. */
function pinsSource(condition: Condition): boolean {
  if (/Not|IfExists$/.test(condition.operator) || condition.values.length === 0) return false;
  if (condition.key === "aws:sourceaccount") return condition.values.every((value) => /^\d{12}$/.test(value));
  if (condition.key === "aws:sourcearn") {
    return condition.values.every((value) => {
      const account = value.split(":")[4] ?? "";
      return /^\d{12}$/.test(account) && !hasWildcard(value.split(":").slice(0, 5).join(":"));
    });
  }
  return false;
}
