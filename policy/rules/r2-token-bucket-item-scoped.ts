import { isCachePurgeToken, parseR2BucketResource, tokenPoliciesOf, TOKEN_TYPES } from "../extract/writer-credentials";
import { texts } from "../props";
import { R2_BUCKET_ITEM_GROUPS } from "../../components/r2-permission-groups";
import type { ResourceRule } from "../rule";

/**
 * The ids of the bucket-scoped R2 permission groups "Workers R2 Storage Bucket Item Write" and "... Item Read",
 * from the table the program also picks its group by (components/r2-permission-groups.ts: name, scope and id).
 * Configurable: `permissionGroupIds`.
 */
export const R2_BUCKET_ITEM_PERMISSION_GROUPS = R2_BUCKET_ITEM_GROUPS.map((group) => group.id);

/**
 * The R2 credential is an API token whose policies grant only the bucket-item permission groups, only on
 * `com.cloudflare.edge.r2.bucket.ACCOUNT_JURISDICTION_BUCKET` of one bucket: never an account key
 * (`com.cloudflare.api.account.*`), which would reach every bucket and, with other groups, the account itself.
 * The one other token a stack has, the cache buster's Cache Purge on one zone, is told apart by its exact shape
 * (policy/extract/writer-credentials.ts isCachePurgeToken).
 */
export const r2TokenBucketItemScoped: ResourceRule = {
  kind: "resource",
  name: "r2-token-bucket-item-scoped",
  description:
    "Checks whether a Cloudflare API token used as the R2 writer grants only the R2 bucket-item permission groups on one bucket, never account-wide.",
  enforcementLevel: "mandatory",
  severity: "high",
  resourceTypes: TOKEN_TYPES,
  configSchema: {
    properties: {
      permissionGroupIds: {
        type: "array",
        items: { type: "string" },
        default: R2_BUCKET_ITEM_PERMISSION_GROUPS,
        description: "Permission group ids the token may hold (the R2 bucket-item Write and Read groups).",
      },
    },
  },
  validate(resource, context) {
    if (isCachePurgeToken(resource)) return [];
    const allowedGroups = texts(context.config.permissionGroupIds);
    const buckets = new Set<string>();
    const messages: string[] = [];
    const policies = tokenPoliciesOf(resource).filter((policy) => policy.effect !== "deny");
    if (policies.length === 0) messages.push("The R2 token must have an allow policy on the media bucket.");
    for (const policy of policies) {
      const extra = policy.permissionGroupIds.filter((id) => !allowedGroups.includes(id));
      if (extra.length > 0)
        messages.push(`The R2 token must hold only the R2 bucket-item permission groups: found ${extra.join(", ")}.`);
      if (!policy.resources.ok) {
        messages.push(`The R2 token's resources ${policy.resources.problem}.`);
        continue;
      }
      for (const [key, value] of Object.entries(policy.resources.keys)) {
        const target = parseR2BucketResource(key);
        if (!target || value !== "*") {
          messages.push(
            `The R2 token must be scoped to one bucket (com.cloudflare.edge.r2.bucket.ACCOUNT_JURISDICTION_BUCKET), never account-wide: found ${key}.`,
          );
        } else {
          buckets.add(target.bucket);
        }
      }
    }
    if (buckets.size > 1)
      messages.push(`The R2 token must grant on one bucket only: found ${[...buckets].join(", ")}.`);
    return messages;
  },
};
