import { parsePolicyDocument } from "../analysis/policy-document";
import { writerScope } from "../analysis/writer-scope";
import { bucketNameOf, isBucket } from "../extract/buckets";
import { IDENTITY_POLICY_TYPES, policyInputOf } from "../extract/policy-inputs";
import {
  parseR2BucketResource,
  spacesGrantsOf,
  tokenPoliciesOf,
  type R2BucketResource,
} from "../extract/writer-credentials";
import { text } from "../props";
import { CLOUDFLARE } from "../resource-types";
import type { RuleResource, StackFinding, StackRule } from "../rule";

/**
 * Each writer credential's one bucket is the bucket this stack creates: a typo or a copied policy must not
 * leave Mastodon writing to (or able to delete from) someone else's bucket.
 */
export const writerScopedToStackBucket: StackRule = {
  kind: "stack",
  name: "writer-scoped-to-stack-bucket",
  description:
    "Checks whether every writer credential (IAM or MinIO policy, Spaces key, R2 token) names only the bucket this stack creates.",
  enforcementLevel: "mandatory",
  severity: "high",
  validate(resources) {
    const stackBuckets = new Set(
      resources
        .filter(isBucket)
        .map(bucketNameOf)
        .filter((name): name is string => name !== undefined),
    );
    if (stackBuckets.size === 0) return [];
    return resources.flatMap((resource) => {
      const foreign = writerBucketsOf(resource).filter((bucket) => !stackBuckets.has(bucket));
      return foreign.length === 0
        ? r2TokenLocationFindings(resource, resources)
        : [
            {
              urn: resource.urn,
              message: `The writer must be scoped to this stack's bucket (${[...stackBuckets].join(", ")}): it names ${foreign.join(", ")}.`,
            },
          ];
    });
  },
};

/**
 * An R2 bucket is named by account, jurisdiction and name together: the same name in another jurisdiction is
 * another bucket (R2 docs, "Data location": a jurisdiction's buckets are reached only through its own endpoint),
 * and a token scoped to it gives Mastodon "access denied" on this one while granting on that one.
 */
function r2TokenLocationFindings(resource: RuleResource, resources: readonly RuleResource[]): StackFinding[] {
  const stackBuckets: R2BucketResource[] = resources
    .filter((candidate) => candidate.type === CLOUDFLARE.r2Bucket)
    .map((bucket) => ({
      accountId: text(bucket.props.accountId) ?? "",
      jurisdiction: text(bucket.props.jurisdiction) ?? "default",
      bucket: bucketNameOf(bucket) ?? "",
    }));
  if (stackBuckets.length === 0) return [];
  const describe = (target: R2BucketResource) =>
    `${target.bucket} (jurisdiction ${target.jurisdiction}, account ${target.accountId})`;
  return tokenPoliciesOf(resource).flatMap((token) =>
    (token.resources.ok ? Object.keys(token.resources.keys) : []).flatMap((key) => {
      const target = parseR2BucketResource(key);
      if (!target) return [];
      const same = stackBuckets.some(
        (bucket) =>
          bucket.bucket === target.bucket &&
          bucket.jurisdiction === target.jurisdiction &&
          bucket.accountId === target.accountId,
      );
      return same
        ? []
        : [
            {
              urn: resource.urn,
              message: `The R2 writer token must be scoped to this stack's bucket ${stackBuckets.map(describe).join(", ")}: it names ${describe(target)}.`,
            },
          ];
    }),
  );
}

/** The buckets a writer credential grants on (the least-privilege rules check that there is only one). */
function writerBucketsOf(resource: RuleResource): string[] {
  const policy = policyInputOf(resource, IDENTITY_POLICY_TYPES);
  if (policy !== undefined) {
    const parsed = parsePolicyDocument(policy);
    return parsed.ok ? writerScope(parsed.document).buckets : [];
  }
  const grants = spacesGrantsOf(resource)
    .map((grant) => grant.bucket)
    .filter((bucket) => bucket !== "");
  const tokenBuckets = tokenPoliciesOf(resource).flatMap((token) =>
    token.resources.ok
      ? Object.keys(token.resources.keys).flatMap((key) => parseR2BucketResource(key)?.bucket ?? [])
      : [],
  );
  return [...new Set([...grants, ...tokenBuckets])];
}
