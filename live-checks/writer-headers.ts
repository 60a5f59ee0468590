import type { S3Client } from "@aws-sdk/client-s3";
import type { S3Failure } from "./io/s3";
import type { CheckContext } from "./check";

/**
 * Headers a server may refuse, and how verify tells which one it was: the same request is sent again without
 * the header, and only a request that then succeeds names it. Public reports:
 * - x-amz-acl: R2 answers 501 NotImplemented (Cloudflare R2 docs, "S3 API compatibility"); AWS buckets with ACLs
 *   disabled answer 400 AccessControlListNotSupported (AWS S3 user guide, "Disabling ACLs").
 * - x-amz-checksum-crc32 / x-amz-sdk-checksum-algorithm, sent by AWS SDKs since January 2025: Backblaze B2 answered
 *   400 InvalidArgument "Unsupported header", R2 501 NotImplemented (aws-sdk-ruby#3167, providers' forums).
 */
export const CHECKSUM_HEADERS = "x-amz-checksum-crc32 / x-amz-sdk-checksum-algorithm";

export const CHECKSUM_FIX =
  "add AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED and AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_REQUIRED to the env (read by the AWS SDK Mastodon loads; harmless where not needed)";

/** A refusal that a header, rather than the credential or the policy, can cause. */
export function headerRefusal(failure: S3Failure): boolean {
  const status = failure.status ?? 0;
  return (
    status === 400 ||
    status === 501 ||
    status === 405 ||
    ["NotImplemented", "InvalidArgument", "InvalidRequest", "AccessControlListNotSupported", "BadRequest"].includes(
      failure.code,
    )
  );
}

/** The writer's client for the next calls: without checksum headers once the server refused them. */
export function writerS3(context: CheckContext): S3Client {
  return context.state.checksumRejected && context.io.s3WhenRequired ? context.io.s3WhenRequired : context.io.s3;
}

/** The ACL Mastodon would send, unless the server refused it already (then later checks test the rest). */
export function effectiveAcl(context: CheckContext): string | undefined {
  return context.state.aclRejected ? undefined : context.target.uploadAcl;
}
