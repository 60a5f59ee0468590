import { parsePolicyDocument } from "../analysis/policy-document";
import { publicGrants, type PublicGrant } from "../analysis/public-access";
import type { RuleResource } from "../rule";
import { BUCKET_POLICY_TYPES, policyInputOf } from "./policy-inputs";

/**
 * The statements of a bucket policy resource that reach the public (anonymous, or a CDN serving anyone).
 * `undefined` when the resource holds no bucket policy; `problem` when its document cannot be read.
 */
export function bucketPolicyPublicGrants(
  resource: RuleResource,
): { grants: PublicGrant[] } | { problem: string } | undefined {
  const input = policyInputOf(resource, BUCKET_POLICY_TYPES);
  if (input === undefined) return undefined;
  const parsed = parsePolicyDocument(input);
  return parsed.ok ? { grants: publicGrants(parsed.document) } : { problem: parsed.problem };
}
