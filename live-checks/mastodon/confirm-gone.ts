import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { fail, pass, type CheckContext, type CheckOutcome } from "../check";
import { diagnoseS3 } from "../diagnose";
import { describeFailure, formatFailure } from "../io/s3";
import type { MastodonApi } from "./api";

/**
 * After `DELETE /api/v1/media/:id` answered 200: Mastodon no longer returns the attachment (GET answers 404) and
 * its files left the bucket (HEAD with the writer's key answers 404 for each): Paperclip removes an attachment's
 * files when its record is destroyed, so a file still there means the writer cannot delete.
 */
export async function confirmGone(
  context: CheckContext,
  api: MastodonApi,
  id: string,
  keys: readonly string[],
): Promise<CheckOutcome> {
  const observed = [`DELETE /api/v1/media/${id}: 200`];
  const after = await api.get(id);
  observed.push(`GET /api/v1/media/${id}: ${after.status}${after.error ? ` "${after.error}"` : ""}`);
  if (after.status !== 404) {
    return fail(
      observed,
      "Mastodon still returns the attachment after deleting it",
      "run verify again; if it persists, report it with this output",
    );
  }
  for (const key of keys) {
    try {
      await context.io.s3.send(new HeadObjectCommand({ Bucket: context.target.facts.bucket, Key: key }), {
        abortSignal: context.signal,
      });
      observed.push(`HEAD ${key}: 200 (still in the bucket)`);
      return fail(
        observed,
        "Mastodon forgot the attachment but could not delete its files: the writer cannot delete (s3:DeleteObject), so every deleted media file leaks",
        "re-run `pulumi up` so that the writer gets DeleteObject back; see the writer-delete check",
      );
    } catch (error) {
      const failure = describeFailure(error, context.redact);
      if (!(failure.status === 404 || failure.code === "NotFound")) {
        observed.push(`HEAD ${key}: ${formatFailure(failure)}`);
        return fail(
          observed,
          "could not confirm that the files left the bucket",
          diagnoseS3(failure, context.target, "s3:GetObject").fix,
        );
      }
      observed.push(`HEAD ${key}: 404`);
    }
  }
  return pass(...observed);
}
