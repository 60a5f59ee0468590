import { PUBLIC_PREFIXES } from "../../components/prefixes";
import { describeAudience, resourcesBeyondPublicPrefixes } from "../analysis/public-access";
import { bucketPolicyPublicGrants } from "../extract/bucket-policy-grants";
import { BUCKET_POLICY_TYPES } from "../extract/policy-inputs";
import type { ResourceRule } from "../rule";

/**
 * Public reads stay on Mastodon's public prefixes: a bucket-wide read would serve user archives (`backups/`)
 * and imports to anyone who learns a URL (app/models/backup.rb; config/initializers/paperclip.rb).
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
    const read = bucketPolicyPublicGrants(resource);
    // An unreadable document is reported by bucket-policy-public-access-read-only.
    if (read === undefined || "problem" in read) return [];
    return read.grants.flatMap((grant) => {
      const beyond = resourcesBeyondPublicPrefixes(grant);
      return beyond.length === 0
        ? []
        : [
            `Bucket policy ${grant.label} must limit ${describeAudience(grant.audience)} to the public prefixes (${PUBLIC_PREFIXES.join(", ")}): it also covers ${beyond.join(", ")}.`,
          ];
    });
  },
};
