import { PRIVATE_PREFIXES } from "../../components/prefixes";
import { field, list, text } from "../props";
import { CLOUDFLARE } from "../resource-types";
import type { RuleResource, StackRule } from "../rule";

/** The zone phase where custom WAF rules run (Cloudflare Rulesets API, "Phases"). */
const WAF_PHASE = "http_request_firewall_custom";

/**
 * R2 has no bucket policies: a custom domain serves every key, so `backups/` and `imports/` are only kept
 * private by a WAF rule on the media host that blocks those paths (Cloudflare docs, "R2 public buckets", custom domains). The
 * check reads the rule's expression for the host and each private prefix as a path (`/backups/`, also under
 * a key prefix); it cannot prove the expression's logic, only that the rule is there and blocks.
 */
export const r2PrivatePrefixesBlocked: StackRule = {
  kind: "stack",
  name: "r2-private-prefixes-blocked",
  description: "Checks whether every R2 custom domain has a WAF block rule in its zone for the private prefixes (backups/, imports/).",
  enforcementLevel: "mandatory",
  severity: "critical",
  validate(resources) {
    const blockRules = resources.filter((resource) => resource.type === CLOUDFLARE.ruleset).flatMap(blockRulesOf);
    return resources
      .filter((resource) => resource.type === CLOUDFLARE.r2CustomDomain && resource.props.enabled !== false)
      .flatMap((domain) => {
        const host = text(domain.props.domain) ?? "";
        const zoneId = text(domain.props.zoneId);
        const guarding = blockRules.filter((rule) => rule.zoneId === zoneId && rule.expression.includes(`"${host}"`));
        const unguarded = PRIVATE_PREFIXES.filter((prefix) => !guarding.some((rule) => rule.expression.includes(`/${prefix}`)));
        return unguarded.length === 0
          ? []
          : [
              {
                urn: domain.urn,
                message: `The R2 custom domain ${host} must have a WAF rule in its zone blocking ${unguarded.map((prefix) => `/${prefix}`).join(" and ")}: R2 serves every key on a custom domain.`,
              },
            ];
      });
  },
};

interface BlockRule {
  zoneId?: string;
  expression: string;
}

function blockRulesOf(ruleset: RuleResource): BlockRule[] {
  if (text(ruleset.props.phase) !== WAF_PHASE) return [];
  const zoneId = text(ruleset.props.zoneId);
  return list(ruleset.props.rules).flatMap((rule) =>
    text(field(rule, "action")) === "block" && field(rule, "enabled") !== false
      ? [{ ...(zoneId === undefined ? {} : { zoneId }), expression: text(field(rule, "expression")) ?? "" }]
      : [],
  );
}
