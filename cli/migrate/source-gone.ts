/**
 * Whether a key the pass listed in the source is gone from it now: Mastodon keeps running during a pass and
 * deletes media all the time (a deleted status, `tootctl media remove` and the remote-media vacuum, an account
 * deleted, a moderator's takedown). rclone given such a key in `--files-from-raw` skips it and exits 0 (measured
 * with rclone 1.60 and 1.75), so the check finds it absent in the destination: not missing, deleted.
 */

/**
 * Whether `error`, thrown by a read of one source key, says the key is not there: a local file removed (`ENOENT`,
 * or `ENOTDIR` when a folder on its path went first), or an S3 `NoSuchKey` (GetObject) or `404 Not Found`
 * (HeadObject, whose answer has no body to name the code: S3 API reference, HeadObject, "Errors"). A missing
 * bucket (`NoSuchBucket`) is not a deleted key.
 */
export function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT" || code === "ENOTDIR") return true;
  const s3 = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (s3?.name === "NoSuchBucket") return false;
  return s3?.name === "NoSuchKey" || s3?.name === "NotFound" || s3?.$metadata?.httpStatusCode === 404;
}
