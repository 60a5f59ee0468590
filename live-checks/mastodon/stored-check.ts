import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { fail, pass, skip, type CheckContext, type CheckOutcome } from "../check";
import { diagnoseS3 } from "../diagnose";
import { describeFailure, formatFailure } from "../io/s3";
import { RESTART } from "./diagnose";
import type { RoundTripState } from "./state";

/**
 * mastodon-object-stored: HEAD of both keys of mastodon-media-url with the writer's key. A 404 means Mastodon
 * wrote the files to another bucket or endpoint than the env verified; any other refusal is diagnosed as
 * verify's own S3 calls are (live-checks/diagnose.ts, as s3:GetObject).
 */
export async function storedCheck(state: RoundTripState, context: CheckContext): Promise<CheckOutcome> {
  if (state.keys.length < 2) return skip("skipped: needs mastodon-media-url to pass first");
  const observed: string[] = [];
  for (const key of state.keys) {
    try {
      await context.io.s3.send(new HeadObjectCommand({ Bucket: context.target.facts.bucket, Key: key }), {
        abortSignal: context.signal,
      });
      observed.push(`HEAD ${key}: 200`);
    } catch (error) {
      const failure = describeFailure(error, context.redact);
      observed.push(`HEAD ${key}: ${formatFailure(failure)}`);
      if (failure.status === 404 || failure.code === "NotFound" || failure.code === "NoSuchKey") {
        return fail(
          observed,
          "Mastodon links the media host but wrote the file elsewhere: another bucket or endpoint than the env verified here",
          `put the verified block in the env Mastodon reads, then ${RESTART}`,
        );
      }
      const diagnosis = diagnoseS3(failure, context.target, "s3:GetObject");
      return fail(observed, `could not look in the bucket: ${diagnosis.cause}`, diagnosis.fix);
    }
  }
  return pass(...observed);
}
