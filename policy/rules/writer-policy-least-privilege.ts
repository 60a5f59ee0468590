import { parsePolicyDocument } from "../analysis/policy-document";
import { isCacheBusterPolicy } from "../analysis/cache-buster-policy";
import { writerScope } from "../analysis/writer-scope";
import { IDENTITY_POLICY_TYPES, policyInputOf } from "../extract/policy-inputs";
import { AWS } from "../resource-types";
import type { ResourceRule } from "../rule";

/**
 * The credential Mastodon holds can put, get, delete and abort uploads of objects and list one bucket, nothing
 * else (config/initializers/paperclip.rb, app/lib/attachment_batch.rb, lib/mastodon/cli/media.rb): a leaked `.env.production` must not let anyone create buckets, change the bucket
 * policy or reach another bucket. Every identity policy of the stack is the writer's, except a role policy of
 * exactly the AWS cache buster's shape (policy/analysis/cache-buster-policy.ts).
 */
export const writerPolicyLeastPrivilege: ResourceRule = {
  kind: "resource",
  name: "writer-policy-least-privilege",
  description:
    "Checks whether identity policies (AWS IAM, MinIO) grant the writer more than Mastodon's object actions and ListBucket on one bucket.",
  enforcementLevel: "mandatory",
  severity: "high",
  resourceTypes: IDENTITY_POLICY_TYPES,
  validate(resource) {
    const input = policyInputOf(resource, IDENTITY_POLICY_TYPES);
    if (input === undefined) return [];
    const parsed = parsePolicyDocument(input);
    if (!parsed.ok) return [`The writer policy must be a valid policy document: it ${parsed.problem}.`];
    if (resource.type === AWS.rolePolicy && isCacheBusterPolicy(parsed.document)) return [];
    return writerScope(parsed.document).problems.map((problem) => `The writer policy ${problem}.`);
  },
};
