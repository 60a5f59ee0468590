import type { Policies, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { environmentOf } from "./environment";
import type { ResourceRule, Rule, RuleContext, RuleResource, StackRule } from "./rule";
import { configSchemaOf, ruleConfig } from "./rule-config";

/**
 * The rules as CrossGuard policies. Kept apart from policy/index.ts, whose PolicyPack constructor starts a
 * gRPC server (and exits the process on a second pack), so that tests can run exactly these policies.
 *
 * What CrossGuard hands a policy, and what that means here:
 * - `props` are the inputs (resource policies) or the outputs (stack policies), behind a proxy that throws
 *   UnknownValueError on a value not known during preview; the engine turns that into an advisory "can't run
 *   policy during preview" and checks again at `pulumi up`, when the value is known.
 * - `opts.protect` is there, `retainOnDelete` is not: RuleResource.retainOnDelete stays undefined.
 * - the stack's config is not: the environment comes from the rule's own `environment` config property.
 */
export function crossGuardPolicies(rules: readonly Rule[]): Policies {
  return rules.map((rule) => (rule.kind === "resource" ? resourcePolicy(rule) : stackPolicy(rule)));
}

function resourcePolicy(rule: ResourceRule): ResourceValidationPolicy {
  return {
    ...metadata(rule),
    validateResource: (args, reportViolation) => {
      if (!rule.resourceTypes.includes(args.type)) return;
      const resource: RuleResource = {
        type: args.type,
        urn: args.urn,
        name: args.name,
        props: args.props,
        protect: args.opts.protect,
      };
      for (const message of rule.validate(resource, contextOf(rule, args.getConfig()))) reportViolation(message);
    },
  };
}

function stackPolicy(rule: StackRule): StackValidationPolicy {
  return {
    ...metadata(rule),
    validateStack: (args, reportViolation) => {
      const resources = args.resources.map(toRuleResource);
      for (const finding of rule.validate(resources, contextOf(rule, args.getConfig())))
        reportViolation(finding.message, finding.urn);
    },
  };
}

function metadata(rule: Rule) {
  const configSchema = configSchemaOf(rule);
  return {
    name: rule.name,
    description: rule.description,
    enforcementLevel: rule.enforcementLevel,
    severity: rule.severity,
    ...(configSchema ? { configSchema } : {}),
  };
}

function toRuleResource(resource: PolicyResource): RuleResource {
  return {
    type: resource.type,
    urn: resource.urn,
    name: resource.name,
    props: resource.props,
    protect: resource.opts.protect,
  };
}

function contextOf(rule: Rule, given: object): RuleContext {
  const config = ruleConfig(rule, given);
  return { environment: environmentOf(config.environment), config };
}
