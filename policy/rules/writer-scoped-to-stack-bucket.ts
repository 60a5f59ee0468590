import { parsePolicyDocument } from "../analysis/policy-document";
import { writerScope } from "../analysis/writer-scope";
import { bucketNameOf, isBucket } from "../extract/buckets";
import { IDENTITY_POLICY_TYPES, policyInputOf } from "../extract/policy-inputs";
import { parseR2BucketResource, spacesGrantsOf, tokenPoliciesOf } from "../extract/writer-credentials";
import type { RuleResource, StackRule } from "../rule";

/**
 * Each writer credential's one bucket is the bucket this stack creates: a typo or a copied policy must not
 * leave Mastodon writing to (or able to delete from) someone else's bucket.
 */
export const writerScopedToStackBucket: StackRule = {
  kind: "stack",
  name: "writer-scoped-to-stack-bucket",
  description: "Checks whether every writer credential (IAM or MinIO policy, Spaces key, R2 token) names only the bucket this stack creates.",
  enforcementLevel: "mandatory",
  severity: "high",
  validate(resources) {
    const stackBuckets = new Set(resources.filter(isBucket).map(bucketNameOf).filter((name): name is string => name !== undefined));
    if (stackBuckets.size === 0) return [];
    return resources.flatMap((resource) => {
      const foreign = writerBucketsOf(resource).filter((bucket) => !stackBuckets.has(bucket));
      return foreign.length === 0
        ? []
        : [{ urn: resource.urn, message: `The writer must be scoped to this stack's bucket (${[...stackBuckets].join(", ")}): it names ${foreign.join(", ")}.` }];
    });
  },
};

/** The buckets a writer credential grants on (the least-privilege rules check that there is only one). */
function writerBucketsOf(resource: RuleResource): string[] {
  const policy = policyInputOf(resource, IDENTITY_POLICY_TYPES);
  if (policy !== undefined) {
    const parsed = parsePolicyDocument(policy);
    return parsed.ok ? writerScope(parsed.document).buckets : [];
  }
  const grants = spacesGrantsOf(resource).map((grant) => grant.bucket).filter((bucket) => bucket !== "");
  const tokenBuckets = tokenPoliciesOf(resource).flatMap((token) =>
    token.resources.ok ? Object.keys(token.resources.keys).flatMap((key) => parseR2BucketResource(key)?.bucket ?? []) : [],
  );
  return [...new Set([...grants, ...tokenBuckets])];
}
