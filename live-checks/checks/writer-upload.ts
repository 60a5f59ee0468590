import { aclRejected, diagnoseS3 } from "../diagnose";
import { describeFailure, formatFailure, type S3Failure } from "../io/s3";
import { CHECKSUM_FIX, CHECKSUM_HEADERS, headerRefusal } from "../writer-headers";
import { describeUpload, multipartFailure } from "../upload";
import { MASTODON_CACHE_CONTROL, MultipartStepFailed, PROBE_CONTENT_TYPE, uploadLikeMastodon } from "../upload";
import { type CheckContext, type CheckOutcome, defineCheck, fail, pass } from "../check";
import { CREDENTIAL_RETRY_SECONDS } from "../writer";

function aclNote(acl: string | undefined, context: CheckContext): string {
  if (!acl) return "no x-amz-acl (S3_PERMISSION empty)";
  return `x-amz-acl: ${acl}${context.target.aclIsDefault ? " (S3_PERMISSION unset: Mastodon's default)" : ""}`;
}

function failureOf(error: unknown, context: CheckContext): S3Failure {
  return error instanceof MultipartStepFailed ? error.failure : describeFailure(error, context.redact);
}

export const writerUpload = defineCheck({
  id: "writer-upload",
  title: "the writer can upload under media_attachments/ with the headers Mastodon sends",
  retry: CREDENTIAL_RETRY_SECONDS,
  async run(context) {
    const { target, probes, io } = context;
    const key = probes.key("media_attachments/", "probe.txt");
    const body = Buffer.from(`mastodon-media verify probe ${probes.runId}\n`);
    const checksums = target.requestChecksumCalculation === "WHEN_SUPPORTED" && io.s3WhenRequired !== undefined;
    const how = describeUpload(context, body.length);
    const sent = (acl: string | undefined, crc: boolean) =>
      `${how} ${key} with Cache-Control: ${MASTODON_CACHE_CONTROL}, Content-Type: ${PROBE_CONTENT_TYPE}, ${aclNote(acl, context)}${crc ? `, ${CHECKSUM_HEADERS}` : ""}`;
    const attempt = async (acl: string | undefined, crc: boolean) => {
      const result = await uploadLikeMastodon(context, {
        key,
        body,
        acl,
        s3: crc ? io.s3 : (io.s3WhenRequired ?? io.s3),
      });
      context.state.probe = { key, body, contentType: PROBE_CONTENT_TYPE };
      context.state.uploadWasMultipart = result.multipart;
    };
    try {
      await attempt(target.uploadAcl, checksums);
      return pass(`${sent(target.uploadAcl, checksums)}: 200`);
    } catch (error) {
      const failure = failureOf(error, context);
      const observed = [
        `${sent(target.uploadAcl, checksums)}: ${error instanceof MultipartStepFailed ? `${error.step} ` : ""}${formatFailure(failure)}`,
      ];
      {
        // The same upload without one header, then the other, then both: only a success names a header. An ACL
        // may also be refused by a bucket policy (403), so it is always tried; checksums only on a header-shaped
        // refusal (400/501), since a 403 is never about them.
        const variants: [string | undefined, boolean, "acl" | "checksum" | "both"][] = [];
        const checksumSuspect = checksums && headerRefusal(failure);
        if (target.uploadAcl) variants.push([undefined, checksums, "acl"]);
        if (checksumSuspect) variants.push([target.uploadAcl, false, "checksum"]);
        if (target.uploadAcl && checksumSuspect) variants.push([undefined, false, "both"]);
        for (const [acl, crc, culprit] of variants) {
          try {
            await attempt(acl, crc);
          } catch (retryError) {
            observed.push(
              `the same upload without ${culprit === "acl" ? "x-amz-acl" : culprit === "checksum" ? "the checksum headers" : "either"}: ${formatFailure(failureOf(retryError, context))}`,
            );
            continue;
          }
          observed.push(
            `the same upload without ${culprit === "acl" ? "x-amz-acl" : culprit === "checksum" ? "the checksum headers" : "x-amz-acl and the checksum headers"}: 200`,
          );
          if (culprit !== "checksum") context.state.aclRejected = true;
          if (culprit !== "acl") context.state.checksumRejected = true;
          return headerFailure(context, observed, culprit, failure);
        }
      }
      if (error instanceof MultipartStepFailed) return multipartFailure(context, observed, error);
      const diagnosis = diagnoseS3(failure, target, "s3:PutObject", target.uploadAcl !== undefined);
      return fail(observed, diagnosis.cause, diagnosis.fix, diagnosis.transient);
    }
  },
});

function headerFailure(
  context: CheckContext,
  observed: string[],
  culprit: "acl" | "checksum" | "both",
  failure: S3Failure,
): CheckOutcome {
  const acl = aclRejected(context.target, failure);
  const checksum = {
    cause: `the server refuses the checksum headers (${CHECKSUM_HEADERS}) that AWS SDKs send on uploads since January 2025 (it answered ${formatFailure(failure)}): every upload fails ("Media could not be stored") after a Mastodon upgrade`,
    fix: CHECKSUM_FIX,
  };
  if (culprit === "acl") return fail(observed, acl.cause, acl.fix);
  if (culprit === "checksum") return fail(observed, checksum.cause, checksum.fix);
  return fail(observed, `${acl.cause}; and ${checksum.cause}`, `${acl.fix}; and ${checksum.fix}`);
}
