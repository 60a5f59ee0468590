import type { PolicyConfigSchema } from "@pulumi/policy";
import { ENVIRONMENT_CONFIG_SCHEMA } from "./environment";
import type { Rule } from "./rule";

/** The config schema the pack declares for a rule: its own properties, plus `environment` when it reads it. */
export function configSchemaOf(rule: Rule): PolicyConfigSchema | undefined {
  if (!rule.usesEnvironment) return rule.configSchema;
  return {
    ...rule.configSchema,
    properties: { ...rule.configSchema?.properties, environment: ENVIRONMENT_CONFIG_SCHEMA },
  };
}

/**
 * A rule's config with the schema's defaults filled in, without enforcementLevel: what the rule reads. Both
 * runners go through here, so a rule never depends on whether the Pulumi CLI applied the defaults.
 */
export function ruleConfig(rule: Rule, given: unknown): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(configSchemaOf(rule)?.properties ?? {})) {
    if (schema.default !== undefined) config[key] = schema.default;
  }
  if (typeof given === "object" && given !== null) {
    for (const [key, value] of Object.entries(given)) if (key !== "enforcementLevel") config[key] = value;
  }
  return config;
}
