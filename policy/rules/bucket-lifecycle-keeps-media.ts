import { field, list, text } from "../props";
import { AWS, CLOUDFLARE, DIGITALOCEAN, MINIO } from "../resource-types";
import type { ResourceRule, RuleResource } from "../rule";

/**
 * Storage classes whose objects S3 no longer serves directly (GetObject answers InvalidObjectState until an
 * object is restored: S3 user guide, "Understanding archival storage"). Media moved there is as good as gone.
 */
const ARCHIVE_CLASSES = ["GLACIER", "DEEP_ARCHIVE"];

/**
 * The bucket is Mastodon's only copy of its media: a lifecycle rule that expires (deletes) current objects, or
 * moves them to an archive class, loses every file past its age, on any provider. The one legitimate rule is
 * the one aborting incomplete multipart uploads; rules on noncurrent versions leave current objects alone.
 * Read per provider: AWS `expiration` / `transitions` (BucketLifecycleConfiguration and the deprecated inline
 * `lifecycleRules`), Spaces `lifecycleRules[].expiration`, R2 `deleteObjectsTransition`, MinIO IlmPolicy
 * `expiration`.
 */
export const bucketLifecycleKeepsMedia: ResourceRule = {
  kind: "resource",
  name: "bucket-lifecycle-keeps-media",
  description:
    "Checks whether any enabled bucket lifecycle rule (S3, Spaces, R2, MinIO) expires current objects or moves them to an archive storage class; only aborting incomplete multipart uploads is allowed.",
  enforcementLevel: "mandatory",
  severity: "critical",
  resourceTypes: [
    AWS.bucket,
    AWS.bucketV2,
    AWS.bucketLifecycle,
    AWS.bucketLifecycleV2,
    DIGITALOCEAN.spacesBucket,
    CLOUDFLARE.r2BucketLifecycle,
    MINIO.ilmPolicy,
  ],
  validate(resource) {
    return rulesOf(resource).flatMap(({ id, problem }) =>
      problem
        ? [
            `Lifecycle rule ${id} must not ${problem}: the bucket is Mastodon's only copy of its media, so every file past that age would be lost. Only the rule aborting incomplete multipart uploads belongs here.`,
          ]
        : [],
    );
  },
};

function rulesOf(resource: RuleResource): { id: string; problem?: string }[] {
  const idOf = (rule: unknown, index: number) => text(field(rule, "id")) ?? `#${index + 1}`;
  switch (resource.type) {
    case AWS.bucketLifecycle:
    case AWS.bucketLifecycleV2:
      return list(resource.props.rules).map((rule, index) => ({
        id: idOf(rule, index),
        problem:
          text(field(rule, "status")) === "Enabled"
            ? s3Problem(field(rule, "expiration"), list(field(rule, "transitions")))
            : undefined,
      }));
    case AWS.bucket:
    case AWS.bucketV2:
      return list(resource.props.lifecycleRules).map((rule, index) => ({
        id: idOf(rule, index),
        problem:
          field(rule, "enabled") === true
            ? s3Problem(field(rule, "expiration"), list(field(rule, "transitions")))
            : undefined,
      }));
    case DIGITALOCEAN.spacesBucket:
      return list(resource.props.lifecycleRules).map((rule, index) => ({
        id: idOf(rule, index),
        problem: field(rule, "enabled") === true ? s3Problem(field(rule, "expiration"), []) : undefined,
      }));
    case CLOUDFLARE.r2BucketLifecycle:
      return list(resource.props.rules).map((rule, index) => ({
        id: idOf(rule, index),
        problem:
          field(rule, "enabled") === true && field(rule, "deleteObjectsTransition") !== undefined
            ? "delete current objects (deleteObjectsTransition)"
            : undefined,
      }));
    case MINIO.ilmPolicy:
      return list(resource.props.rules).map((rule, index) => ({
        id: idOf(rule, index),
        problem:
          text(field(rule, "status")) !== "Disabled" && (text(field(rule, "expiration")) ?? "") !== ""
            ? `expire current objects (expiration ${text(field(rule, "expiration"))})`
            : undefined,
      }));
    default:
      return [];
  }
}

/** An S3-style rule's action on current objects: expiration by days or date, or a transition to an archive class. */
function s3Problem(expiration: unknown, transitions: unknown[]): string | undefined {
  // Outputs carry unset numbers as 0 and unset dates as "": S3 requires days >= 1 when set.
  const days =
    typeof field(expiration, "days") === "number" && (field(expiration, "days") as number) > 0
      ? field(expiration, "days")
      : undefined;
  const date = text(field(expiration, "date")) || undefined;
  if (days !== undefined || date !== undefined)
    return `expire current objects (expiration ${days !== undefined ? `after ${String(days)} days` : `on ${String(date)}`})`;
  const archive = transitions
    .map((transition) => text(field(transition, "storageClass")) ?? "")
    .find((storageClass) => ARCHIVE_CLASSES.includes(storageClass));
  return archive ? `move current objects to ${archive}, which S3 does not serve without a restore` : undefined;
}
