import { diagnoseS3 } from "../diagnose";
import { formatFailure } from "../io/s3";
import { effectiveAcl, headerRefusal, writerS3 } from "./headers";
import { MultipartStepFailed, uploadLikeMastodon } from "./upload";
import { fail, pass, skip, type Check, type CheckContext, type CheckOutcome } from "./types";

const MIB = 1024 * 1024;
/** Largest probe verify sends to test multipart: beyond it the check says it did not test (a skip, never a pass). */
export const MAX_MULTIPART_PROBE_BYTES = 64 * MIB;

/** How an upload of `size` bytes goes, for the report line. */
export function describeUpload(context: CheckContext, size: number): string {
  return size >= context.target.multipartThresholdBytes
    ? `multipart upload (${size} bytes >= S3_MULTIPART_THRESHOLD ${context.target.multipartThresholdBytes} bytes)`
    : "PUT";
}

/** A multipart upload failed: the server refuses multipart, or one of its steps was refused for another reason. */
export function multipartFailure(context: CheckContext, observed: string[], error: MultipartStepFailed): CheckOutcome {
  const threshold = context.target.multipartThresholdBytes;
  const { failure } = error;
  if (headerRefusal(failure) || failure.code === "MethodNotAllowed") {
    const small = threshold < 5 * MIB;
    return fail(
      observed,
      `the server refuses multipart uploads (${error.step}: ${formatFailure(failure)}): every upload of ${threshold} bytes or more fails ("Media could not be stored")${small ? `; S3_MULTIPART_THRESHOLD is read in BYTES, so ${threshold} means ${threshold} bytes and nearly every upload goes multipart` : ""}`,
      small && threshold > 0
        ? `write S3_MULTIPART_THRESHOLD=${threshold * MIB} (${threshold} MB in bytes); uploads above it still go multipart, so also use a storage that supports multipart uploads`
        : "use a storage (or gateway) that supports multipart uploads; raising S3_MULTIPART_THRESHOLD (in bytes) above Mastodon's largest media only hides it",
    );
  }
  const diagnosis = diagnoseS3(failure, context.target, error.step === "CreateMultipartUpload" ? "s3:PutObject" : "s3:PutObject (multipart)");
  return fail(observed, diagnosis.cause, diagnosis.fix, diagnosis.transient);
}

export const writerMultipart: Check = {
  id: "writer-multipart",
  title: "an upload at S3_MULTIPART_THRESHOLD goes multipart, as Mastodon's uploads of large media do",
  needs: ["probe"],
  async run(context) {
    const threshold = context.target.multipartThresholdBytes;
    if (context.state.uploadWasMultipart) return pass(`writer-upload already went multipart (its probe is at least S3_MULTIPART_THRESHOLD, ${threshold} bytes) and succeeded`);
    if (threshold > MAX_MULTIPART_PROBE_BYTES) {
      return skip(`not tested: S3_MULTIPART_THRESHOLD is ${threshold} bytes, above the ${MAX_MULTIPART_PROBE_BYTES}-byte probe verify sends`);
    }
    const key = context.probes.key("media_attachments/", "multipart.bin");
    const body = Buffer.alloc(threshold, 0x6d);
    const line = `${describeUpload(context, body.length)} ${key}`;
    try {
      await uploadLikeMastodon(context, { key, body, acl: effectiveAcl(context), s3: writerS3(context) });
      return pass(`${line}: 200`);
    } catch (error) {
      if (error instanceof MultipartStepFailed) return multipartFailure(context, [`${line}: ${error.step} ${formatFailure(error.failure)}`], error);
      throw error;
    }
  },
};
