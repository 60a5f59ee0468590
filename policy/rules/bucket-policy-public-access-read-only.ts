import { actionsBeyondRead, describeAudience } from "../analysis/public-access";
import { bucketPolicyPublicGrants } from "../extract/bucket-policy-grants";
import { BUCKET_POLICY_TYPES } from "../extract/policy-inputs";
import type { ResourceRule } from "../rule";

/**
 * Anonymous principals (and the CDN that serves them) may read objects, nothing else: no listing (the media
 * host's root must not answer with a key list), no writes or deletes, no ACL or policy changes (config/initializers/paperclip.rb; docs/policy.md).
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
    const read = bucketPolicyPublicGrants(resource);
    if (read === undefined) return [];
    if ("problem" in read) return [`The bucket policy must be a valid policy document: it ${read.problem}.`];
    return read.grants.flatMap((grant) => {
      const beyond = actionsBeyondRead(grant);
      return beyond.length === 0
        ? []
        : [
            `Bucket policy ${grant.label} must let ${describeAudience(grant.audience)} only read objects (s3:GetObject): it also allows ${beyond.join(", ")}.`,
          ];
    });
  },
};
