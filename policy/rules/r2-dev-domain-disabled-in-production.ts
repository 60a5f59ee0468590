import { CLOUDFLARE } from "../resource-types";
import type { ResourceRule } from "../rule";

/**
 * The r2.dev URL serves every key of the bucket with no WAF in front (so `backups/` too) and is rate-limited
 * (R2 docs, "Public buckets"): test stacks only.
 */
export const r2DevDomainDisabledInProduction: ResourceRule = {
  kind: "resource",
  name: "r2-dev-domain-disabled-in-production",
  description: "Checks whether a production stack enables the bucket's public r2.dev domain.",
  enforcementLevel: "mandatory",
  severity: "high",
  usesEnvironment: true,
  resourceTypes: [CLOUDFLARE.r2ManagedDomain],
  validate(resource, context) {
    return context.environment === "production" && resource.props.enabled !== false
      ? [
          "The r2.dev domain must be disabled in production: it serves every key, backups/ included, with no WAF rule in front.",
        ]
      : [];
  },
};
