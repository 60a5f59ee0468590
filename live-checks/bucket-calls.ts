import { type S3Failure } from "./io/s3";
import { inconclusive, type CheckContext, type CheckOutcome } from "./check";

/** Answers that mean "you may not": denied, the RGW bucket quota of a writer, or an operation the server lacks. */
export function refused(failure: S3Failure): boolean {
  return (
    ["AccessDenied", "TooManyBuckets", "NotImplemented", "MethodNotAllowed"].includes(failure.code) ||
    [403, 405, 501].includes(failure.status ?? 0)
  );
}

export const LEAST_PRIVILEGE_FIX =
  "give the writer only the component's policy (PutObject, GetObject, DeleteObject, AbortMultipartUpload on the objects, ListBucket on the bucket): re-run `pulumi up`, and remove broader policies such as s3:* or AmazonS3FullAccess from that user";

/**
 * With the bucket inside S3_ENDPOINT, path-style bucket calls land INSIDE that bucket as object requests
 * (`PUT /NAME` = PutObject of key NAME): the answer says nothing about the writer's rights, and sending it would
 * leave an object behind. Such a check is not run.
 */
export function misrouted(context: CheckContext, call: string): CheckOutcome | undefined {
  const { bucketInEndpoint } = context.target;
  if (!bucketInEndpoint && !context.hints?.bucketInEndpoint) return undefined;
  return inconclusive(
    [
      `${call}: not sent: S3_ENDPOINT names bucket ${bucketInEndpoint ?? "(see doctor)"}, so the request would be an object upload inside it, not a bucket call`,
    ],
    "with the bucket in S3_ENDPOINT, bucket-level calls cannot reach the bucket API: whether the writer may make them is not known",
    "fix S3_ENDPOINT (region-endpoint says how), then run verify again",
  );
}
