import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

/**
 * Whether the stack under review is production (the bucket must survive `pulumi destroy`) or a test stack
 * (it must not). The pack cannot read the stack's config (@pulumi/policy only hands policies their own
 * config), and the bucket's own inputs cannot say it either (R2 buckets have no forceDestroy, and a rule must
 * not trust the very input it checks). So:
 * - `pulumi preview --policy-pack`: the `environment` property of the policies that need it, from
 *   `--policy-pack-config` (policy/config/test.json for test stacks); absent means production.
 * - the offline plan: the stack's own `mastodon-media:environment` (production when unset, the config schema's default).
 * Anything but exactly "test" is production: a forgotten setting errs towards keeping media.
 */
export type Environment = "production" | "test";

export const ENVIRONMENT_CONFIG_SCHEMA: PolicyConfigJSONSchema = {
  type: "string",
  enum: ["production", "test"],
  default: "production",
  description:
    "The stack's mastodon-media:environment: production stacks must keep their bucket, test stacks must not.",
};

export function environmentOf(value: unknown): Environment {
  return value === "test" ? "test" : "production";
}

/** The stack's environment from its flat config map (`{"mastodon-media:environment": "test", ...}`). */
export function environmentFromStackConfig(stackConfig: Readonly<Record<string, string>>): Environment {
  return environmentOf(stackConfig["mastodon-media:environment"]);
}
