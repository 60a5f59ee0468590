import { field, list, text } from "../props";
import { bucketNameOf } from "../extract/buckets";
import { AWS, CLOUDFLARE, DIGITALOCEAN } from "../resource-types";
import type { RuleResource, StackRule } from "../rule";

/**
 * A failed multipart upload (Mastodon uploads above S3_MULTIPART_THRESHOLD in parts) leaves parts that are
 * billed until aborted. AWS and Spaces need a lifecycle rule for it; an R2 bucket has one by default, which an
 * R2BucketLifecycle resource replaces, so that resource must carry it again (R2 docs, "Object lifecycles").
 * MinIO purges stale uploads itself (`api stale_uploads_expiry`), so it is not checked.
 */
export const bucketAbortsIncompleteMultipartUploads: StackRule = {
  kind: "stack",
  name: "bucket-aborts-incomplete-multipart-uploads",
  description:
    "Checks whether each AWS, Spaces and R2 bucket has an enabled lifecycle rule aborting incomplete multipart uploads.",
  enforcementLevel: "advisory",
  severity: "low",
  validate(resources) {
    return resources.flatMap((bucket) => {
      const name = bucketNameOf(bucket);
      if (name === undefined || abortsUploads(bucket, name, resources)) return [];
      return [
        {
          urn: bucket.urn,
          message: `The bucket ${name} must abort incomplete multipart uploads with a lifecycle rule (e.g. after 7 days).`,
        },
      ];
    });
  },
};

function abortsUploads(bucket: RuleResource, name: string, resources: readonly RuleResource[]): boolean {
  const sameBucket = (type: string, key: string) =>
    resources.filter((resource) => resource.type === type && text(resource.props[key]) === name);
  switch (bucket.type) {
    case AWS.bucket:
    case AWS.bucketV2:
      return (
        // Deprecated inline rules on the bucket itself.
        list(bucket.props.lifecycleRules).some(
          (rule) => field(rule, "enabled") === true && field(rule, "abortIncompleteMultipartUploadDays") !== undefined,
        ) ||
        [...sameBucket(AWS.bucketLifecycle, "bucket"), ...sameBucket(AWS.bucketLifecycleV2, "bucket")].some(
          (lifecycle) =>
            list(lifecycle.props.rules).some(
              (rule) =>
                field(rule, "status") === "Enabled" &&
                field(rule, "abortIncompleteMultipartUpload", "daysAfterInitiation") !== undefined,
            ),
        )
      );
    case DIGITALOCEAN.spacesBucket:
      return list(bucket.props.lifecycleRules).some(
        (rule) => field(rule, "enabled") === true && field(rule, "abortIncompleteMultipartUploadDays") !== undefined,
      );
    case CLOUDFLARE.r2Bucket: {
      const lifecycles = sameBucket(CLOUDFLARE.r2BucketLifecycle, "bucketName");
      return (
        lifecycles.length === 0 ||
        lifecycles.some((lifecycle) =>
          list(lifecycle.props.rules).some(
            (rule) => field(rule, "enabled") === true && field(rule, "abortMultipartUploadsTransition") !== undefined,
          ),
        )
      );
    }
    default:
      return true;
  }
}
