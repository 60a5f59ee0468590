import { text } from "../props";
import { spacesGrantsOf } from "../extract/writer-credentials";
import { DIGITALOCEAN } from "../resource-types";
import type { RuleResource, StackRule } from "../rule";

/**
 * DigitalOcean, "How to Configure Bucket Policies": limited-access Spaces keys aren't compatible with
 * PutBucketPolicy; you can't apply a bucket policy to a bucket that already uses a limited-access key, and you
 * can't create a limited-access key for a bucket that already uses a bucket policy. Whichever of the two
 * `pulumi up` creates second fails, every time, and no mock can see it. With a per-bucket writer key, public
 * read must come from object ACLs (S3_PERMISSION=public-read) instead.
 */
export const spacesScopedKeyWithoutBucketPolicy: StackRule = {
  kind: "stack",
  name: "spaces-scoped-key-without-bucket-policy",
  description:
    "Checks whether a Spaces bucket has a bucket policy while a limited-access (read or readwrite) Spaces key is scoped to it, a combination DigitalOcean refuses.",
  enforcementLevel: "mandatory",
  severity: "high",
  validate(resources) {
    const scopedKeys = resources.filter(isLimitedAccessKey);
    return resources
      .filter((resource) => resource.type === DIGITALOCEAN.spacesBucketPolicy)
      .flatMap((policy) => {
        const bucket = text(policy.props.bucket);
        if (bucket === undefined) return [];
        const keys = scopedKeys.filter((key) => spacesGrantsOf(key).some((grant) => grant.bucket === bucket));
        if (keys.length === 0) return [];
        return [
          {
            urn: policy.urn,
            message:
              `The Spaces bucket ${bucket} must not have a bucket policy while a limited-access key (${keys.map((key) => key.name).join(", ")}) ` +
              `is scoped to it: DigitalOcean refuses the policy beside such a key and the key beside such a policy ("How to Configure Bucket Policies"). ` +
              `Serve public media through object ACLs (S3_PERMISSION=public-read, a private bucket ACL) instead.`,
          },
        ];
      });
  },
};

/**
 * A key is limited-access when it has grants and none is `fullaccess` (the API prioritises a `fullaccess`
 * grant over scoped ones: DigitalOcean API, "Create a New Spaces Access Key").
 */
function isLimitedAccessKey(resource: RuleResource): boolean {
  const grants = spacesGrantsOf(resource);
  return grants.length > 0 && grants.every((grant) => grant.permission !== "fullaccess");
}
