import { diagnoseS3 } from "./diagnose";
import { describeFailure, formatFailure } from "./io/s3";
import { writerS3 } from "./writer-headers";
import { uploadLikeMastodon } from "./upload";
import { fail, type CheckContext, type CheckOutcome } from "./check";

/** IAM changes and new keys take seconds to propagate (AWS IAM user guide, "eventual consistency"). */
export const CREDENTIAL_RETRY_SECONDS = 120;

/** Uploads a probe as Mastodon would (threshold, headers), with true bookkeeping; for the checks that need more probes. */
export function putProbe(context: CheckContext, key: string, body: Buffer, acl: string | undefined) {
  return uploadLikeMastodon(context, { key, body, acl, s3: writerS3(context) });
}

/** A failed writer call as a check outcome, with the diagnosis of its S3 error. */
export function s3Failure(context: CheckContext, error: unknown, what: string, action: string): CheckOutcome {
  const failure = describeFailure(error, context.redact);
  const diagnosis = diagnoseS3(failure, context.target, action);
  return fail([`${what}: ${formatFailure(failure)}`], diagnosis.cause, diagnosis.fix, diagnosis.transient);
}
