import { PUBLIC_PREFIXES } from "../../components/prefixes";
import { parsePolicyDocument } from "../analysis/policy-document";
import { describeAudience, publicGrants, resourcesBeyondPublicPrefixes } from "../analysis/public-access";
import { BUCKET_POLICY_TYPES, policyInputOf } from "../extract/policy-inputs";
import type { ResourceRule } from "../rule";

/**
 * Public reads stay on Mastodon's public prefixes: a bucket-wide read would serve user archives (`backups/`)
 * and imports to anyone who learns a URL (FACTS.md section 3).
 */
export const bucketPolicyPublicReadLimitedToPublicPrefixes: ResourceRule = {
  kind: "resource",
  name: "bucket-policy-public-read-limited-to-public-prefixes",
  description:
    "Checks whether bucket policies let anonymous principals, or a CDN serving them, reach objects outside Mastodon's public prefixes (backups/, imports/, the whole bucket).",
  enforcementLevel: "mandatory",
  severity: "critical",
  resourceTypes: BUCKET_POLICY_TYPES,
  validate(resource) {
    const input = policyInputOf(resource, BUCKET_POLICY_TYPES);
    if (input === undefined) return [];
    const parsed = parsePolicyDocument(input);
    // An unreadable document is reported by bucket-policy-public-access-read-only.
    if (!parsed.ok) return [];
    return publicGrants(parsed.document).flatMap((grant) => {
      const beyond = resourcesBeyondPublicPrefixes(grant);
      return beyond.length === 0
        ? []
        : [
            `Bucket policy ${grant.label} must limit ${describeAudience(grant.audience)} to the public prefixes (${PUBLIC_PREFIXES.join(", ")}): it also covers ${beyond.join(", ")}.`,
          ];
    });
  },
};
