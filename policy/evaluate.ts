import type { EnforcementLevel as PackEnforcementLevel, PolicyPackConfig } from "@pulumi/policy";
import { UNKNOWN_MASK } from "../components/masks";
import type { PlannedResource, PolicyViolation } from "../components/plan-model";
import { environmentFromStackConfig } from "./environment";
import { rules } from "./registry";
import type { Rule, RuleContext, RuleResource } from "./rule";
import { ruleConfig } from "./rule-config";
import { UNKNOWN_STRING_VALUE, UnknownValueError, unknownCheckingProxy } from "./sdk-proxy";

/**
 * Runs the pack over the resources of an offline plan, as `pulumi preview --policy-pack policy` would, with
 * two differences the plan can afford: the environment is the stack's own `mastodon-media:environment`, and
 * retainOnDelete (captured from the registration request) is checked too.
 *
 * `packConfig` has the shape of a `--policy-pack-config` file: per-policy enforcement levels and properties,
 * and `all` for every policy.
 */
export function evaluatePlan(
  resources: readonly PlannedResource[],
  stackConfig: Readonly<Record<string, string>> = {},
  packConfig: PolicyPackConfig = {},
): PolicyViolation[] {
  const environment = environmentFromStackConfig(stackConfig);
  const views = resources.map(toRuleResource);
  const violations: PolicyViolation[] = [];
  for (const rule of rules) {
    const level = enforcementLevelOf(rule, packConfig);
    if (level === undefined) continue;
    const context: RuleContext = { environment, config: ruleConfig(rule, packConfig[rule.name]) };
    const report = (resource: string, message: string) =>
      violations.push({ policy: rule.name, level, resource, message });
    if (rule.kind === "resource") {
      for (const resource of views) {
        if (!rule.resourceTypes.includes(resource.type)) continue;
        runGuarded(rule, resource.urn, violations, () =>
          rule.validate(resource, context).forEach((message) => report(resource.urn, message)),
        );
      }
    } else {
      runGuarded(rule, stackUrn(resources), violations, () =>
        rule.validate(views, context).forEach((finding) => report(finding.urn, finding.message)),
      );
    }
  }
  return violations;
}

/** As in the policy SDK: a policy's level, else `all`, else its default; remediate counts as mandatory. */
function enforcementLevelOf(rule: Rule, packConfig: PolicyPackConfig): PolicyViolation["level"] | undefined {
  const levelIn = (entry: PolicyPackConfig[string] | undefined): PackEnforcementLevel | undefined =>
    typeof entry === "string" ? entry : entry?.enforcementLevel;
  const level = levelIn(packConfig[rule.name]) ?? levelIn(packConfig.all) ?? rule.enforcementLevel;
  if (level === "disabled") return undefined;
  return level === "remediate" ? "mandatory" : level;
}

/** A value the policy cannot know yet stops the rule with an advisory finding, as the engine does in preview. */
function runGuarded(rule: Rule, urn: string, violations: PolicyViolation[], run: () => void): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof UnknownValueError)) throw error;
    violations.push({
      policy: rule.name,
      level: "advisory",
      resource: urn,
      message: `can't run policy ${rule.name} during preview: ${error.message}`,
    });
  }
}

function toRuleResource(resource: PlannedResource): RuleResource {
  return {
    type: resource.type,
    urn: resource.urn,
    name: resource.name,
    props: unknownCheckingProxy(restoreUnknowns(resource.inputs) as Record<string, unknown>),
    protect: resource.protect,
    retainOnDelete: resource.retainOnDelete,
  };
}

/** The plan prints unknown values as UNKNOWN_MASK; give them back the engine's marker so the proxy sees them. */
function restoreUnknowns(value: unknown): unknown {
  if (value === UNKNOWN_MASK) return UNKNOWN_STRING_VALUE;
  if (Array.isArray(value)) return value.map(restoreUnknowns);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, restoreUnknowns(item)]));
  }
  return value;
}

/** The stack's own URN, where stack-wide findings without a resource would go. */
function stackUrn(resources: readonly PlannedResource[]): string {
  const [stackPart, project] = resources[0]?.urn.split("::") ?? [];
  const stack = stackPart?.replace(/^urn:pulumi:/, "") ?? "stack";
  return `urn:pulumi:${stack}::${project ?? "mastodon-media"}::pulumi:pulumi:Stack::${project ?? "mastodon-media"}-${stack}`;
}
