import { DeleteObjectCommand, DeleteObjectsCommand } from "@aws-sdk/client-s3";
import { exists } from "../probes";
import { describeFailure, formatFailure } from "../io/s3";
import { CHECKSUM_HEADERS, headerRefusal, writerS3 } from "../writer-headers";
import { s3Failure } from "../writer";
import { type CheckContext, type CheckOutcome, defineCheck, fail, pass } from "../check";

/**
 * Deletes the probe as Mastodon deletes media: in batches through DeleteObjects (app/lib/attachment_batch.rb:
 * `bucket.delete_objects(delete: { objects: keys, quiet: true })`), which every current AWS SDK sends with a
 * CRC32 checksum header even with AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED (the operation requires a
 * checksum; aws-sdk-ruby#3167). Per-key errors come back in a 200 answer, so they are read too.
 */
export const writerDelete = defineCheck({
  id: "writer-delete",
  title: "the writer can delete the probe through DeleteObjects, as Mastodon's batch deletes do, and it is gone",
  needs: ["probe"],
  retry: 120,
  async run(context) {
    const probe = context.state.probe!;
    const { bucket } = context.target.facts;
    const s3 = writerS3(context);
    const what = `DeleteObjects [${probe.key}] (quiet, with ${CHECKSUM_HEADERS})`;
    try {
      const answer = await s3.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: probe.key }], Quiet: true } }),
        { abortSignal: context.signal },
      );
      const error = answer.Errors?.find((e) => e.Key === probe.key);
      if (error) {
        return fail(
          [`${what}: 200 with an error for the key: ${error.Code ?? "?"}`],
          `the server refuses to delete the key in a batch (${error.Code ?? "?"}): deleted media is never removed`,
          `grant the writer s3:DeleteObject on arn:aws:s3:::${bucket}/*`,
        );
      }
      return await confirmGone(context, [`${what}: 200`]);
    } catch (error) {
      return batchRefused(context, error, what);
    }
  },
});

/** After a 2xx delete: the probe must be gone. A 403 (no s3:ListBucket) hides absence, and is not a failure. */
async function confirmGone(context: CheckContext, observed: string[]): Promise<CheckOutcome> {
  const probe = context.state.probe!;
  const presence = await exists(writerS3(context), context.target.facts.bucket, probe.key, context.signal);
  if (presence === "present") {
    return fail(
      [...observed, "HEAD afterwards: 200, still there"],
      "the server keeps deleted objects (versioning or object lock?)",
      "Mastodon's deletes must remove media: disable object lock, expire non-current versions",
    );
  }
  context.probes.removed(probe.key);
  return pass(
    ...observed,
    presence === "absent"
      ? "afterwards: gone (404 / not listed)"
      : "afterwards: HEAD 403, the writer may not list, so the server hides absence; the delete answered 2xx",
  );
}

/** The batch failed as a whole: a single DeleteObject tells a batch-only refusal apart from no delete right at all. */
async function batchRefused(context: CheckContext, error: unknown, what: string): Promise<CheckOutcome> {
  const probe = context.state.probe!;
  const { bucket } = context.target.facts;
  const failure = describeFailure(error, context.redact);
  const observed = [`${what}: ${formatFailure(failure)}`];
  try {
    await writerS3(context).send(new DeleteObjectCommand({ Bucket: bucket, Key: probe.key }), {
      abortSignal: context.signal,
    });
  } catch (single) {
    const outcome = s3Failure(context, single, `DeleteObject ${probe.key}`, "s3:DeleteObject");
    return { ...outcome, observed: [...observed, ...outcome.observed] };
  }
  observed.push(`DeleteObject ${probe.key} (one key, no checksum): 204`);
  const gone = await confirmGone(context, observed);
  if (gone.status === "fail") return gone;
  if (failure.code === "AccessDenied" || failure.status === 403) {
    // Ceph RGW (and DigitalOcean Spaces, built on it) evaluates s3:DeleteObject of a DeleteObjects request against
    // the BUCKET's ARN (src/rgw/rgw_op.cc, RGWDeleteMultiObj::verify_permission), AWS and MinIO per key.
    return fail(
      gone.observed,
      "batch deletes are refused while single deletes work: the server authorizes DeleteObjects against the bucket, not each key (Ceph RGW, DigitalOcean Spaces); Mastodon deletes media only in batches, so deleted media is never removed and storage only grows",
      `grant the writer s3:DeleteObject on the bucket too: add arn:aws:s3:::${bucket} to the Resource of its s3:DeleteObject statement (besides arn:aws:s3:::${bucket}/*)`,
      true,
    );
  }
  if (headerRefusal(failure)) {
    return fail(
      gone.observed,
      `the server refuses DeleteObjects (${formatFailure(failure)}), most likely its ${CHECKSUM_HEADERS} header, which current AWS SDKs always send on DeleteObjects (the operation requires a checksum; AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED does not remove it): Mastodon's batch deletes fail and deleted media is never removed`,
      "upgrade the storage server to one that accepts CRC32 checksums on DeleteObjects (the env cannot turn this header off); until then, deleted media stays in the bucket",
    );
  }
  return fail(
    gone.observed,
    `DeleteObjects failed (${formatFailure(failure)}) while a single DeleteObject works: Mastodon's batch deletes fail`,
    "check the server's support for DeleteObjects (POST /?delete)",
  );
}
