import { BUCKET_TYPES } from "../extract/buckets";
import type { ResourceRule } from "../rule";

/**
 * Media is never lost by accident (docs/configuration.md "Keeping media safe", components/protection.ts): a production bucket is
 * protected, retained on delete and never force-destroyed; a test bucket is neither protected nor retained,
 * so that `pulumi destroy` really cleans up. retainOnDelete is only visible to the offline plan (see
 * RuleResource.retainOnDelete).
 */
export const bucketProtectionMatchesEnvironment: ResourceRule = {
  kind: "resource",
  name: "bucket-protection-matches-environment",
  description:
    "Checks whether the media bucket is protected and retained on delete (without forceDestroy) in production, and neither protected nor retained on test stacks.",
  enforcementLevel: "mandatory",
  severity: "critical",
  usesEnvironment: true,
  resourceTypes: BUCKET_TYPES,
  validate(resource, context) {
    const messages: string[] = [];
    if (context.environment === "production") {
      if (!resource.protect) messages.push("The production bucket must be protected (resource option protect: true).");
      if (resource.retainOnDelete === false)
        messages.push("The production bucket must be retained on delete (resource option retainOnDelete: true).");
      if (resource.props.forceDestroy === true)
        messages.push("The production bucket must not set forceDestroy: it deletes every object with the bucket.");
    } else {
      if (resource.protect)
        messages.push("The test bucket must not be protected: `pulumi destroy` of a test stack must remove it.");
      if (resource.retainOnDelete === true)
        messages.push("The test bucket must not be retained on delete: it would outlive its stack.");
    }
    return messages;
  },
};
