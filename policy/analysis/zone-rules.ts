import { evaluateExpression, type FieldValues } from "./rules-language/evaluate";
import { RulesLanguageError } from "./rules-language/parse";
import { field, list, text } from "../props";
import { CLOUDFLARE } from "../resource-types";
import type { RuleResource } from "../rule";

/** One enabled rule of a zone phase, as the policies read it. */
export interface ZoneRule {
  ref: string;
  action: string;
  expression: string;
  actionParameters: unknown;
}

/** The enabled rules of a phase in a zone, in order, over every ruleset of the plan for that zone and phase. */
export function zonePhaseRules(
  resources: readonly RuleResource[],
  zoneId: string | undefined,
  phase: string,
): ZoneRule[] {
  return resources
    .filter(
      (resource) =>
        resource.type === CLOUDFLARE.ruleset &&
        text(resource.props.phase) === phase &&
        text(resource.props.zoneId) === zoneId,
    )
    .flatMap((ruleset) =>
      list(ruleset.props.rules)
        .filter((rule) => field(rule, "enabled") !== false)
        .map((rule, index) => ({
          ref: text(field(rule, "ref")) ?? `rule ${index + 1}`,
          action: text(field(rule, "action")) ?? "",
          expression: text(field(rule, "expression")) ?? "",
          actionParameters: field(rule, "actionParameters"),
        })),
    );
}

/** Whether a rule matches a request; an expression the evaluator cannot read gives its reason instead. */
export function matches(rule: ZoneRule, fields: FieldValues): boolean | { unreadable: string } {
  try {
    return evaluateExpression(rule.expression, fields);
  } catch (error) {
    if (!(error instanceof RulesLanguageError)) throw error;
    return { unreadable: `rule ${rule.ref}: ${error.message}` };
  }
}

/** The enabled R2 custom domains of the plan. */
export function r2CustomDomains(resources: readonly RuleResource[]): RuleResource[] {
  return resources.filter(
    (resource) => resource.type === CLOUDFLARE.r2CustomDomain && resource.props.enabled !== false,
  );
}
