import { parsePolicyDocument } from "../analysis/policy-document";
import { actionsBeyondRead, describeAudience, publicGrants } from "../analysis/public-access";
import { BUCKET_POLICY_TYPES, policyInputOf } from "../extract/policy-inputs";
import type { ResourceRule } from "../rule";

/**
 * Anonymous principals (and the CDN that serves them) may read objects, nothing else: no listing (the media
 * host's root must not answer with a key list), no writes or deletes, no ACL or policy changes (FACTS.md 3).
 */
export const bucketPolicyPublicAccessReadOnly: ResourceRule = {
  kind: "resource",
  name: "bucket-policy-public-access-read-only",
  description:
    "Checks whether bucket policies (S3, Spaces, MinIO) let anonymous principals, or a CDN serving them, do anything but s3:GetObject.",
  enforcementLevel: "mandatory",
  severity: "critical",
  resourceTypes: BUCKET_POLICY_TYPES,
  validate(resource) {
    const input = policyInputOf(resource, BUCKET_POLICY_TYPES);
    if (input === undefined) return [];
    const parsed = parsePolicyDocument(input);
    if (!parsed.ok) return [`The bucket policy must be a valid policy document: it ${parsed.problem}.`];
    return publicGrants(parsed.document).flatMap((grant) => {
      const beyond = actionsBeyondRead(grant);
      return beyond.length === 0
        ? []
        : [`Bucket policy ${grant.label} must let ${describeAudience(grant.audience)} only read objects (s3:GetObject): it also allows ${beyond.join(", ")}.`];
    });
  },
};
