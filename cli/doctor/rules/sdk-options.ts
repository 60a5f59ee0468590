import { rubyToI } from "../../../mastodon-env/model";
import { finding, type Finding, type Rule } from "../finding";

/** DeleteObjects takes at most 1000 keys (S3 API reference, "DeleteObjects"); more is refused with MalformedXML. */
const MAX_DELETE_KEYS = 1000;

/**
 * The SDK options Mastodon reads besides the storage location.
 * - app/lib/attachment_batch.rb: `LIMIT = ENV.fetch('S3_BATCH_DELETE_LIMIT', 1000).to_i` keys per DeleteObjects, and
 *   `MAX_RETRY = ENV.fetch('S3_BATCH_DELETE_RETRY', 3).to_i` tries (a failure is retried while `retries < MAX_RETRY`).
 *   `keys.each_slice(LIMIT)` raises ArgumentError for 0 or less (an empty value is `"".to_i` = 0): every batch
 *   delete fails and deleted media stays stored. Above 1000 the provider refuses the call.
 * - paperclip.rb: `s3_storage_class: ENV['S3_STORAGE_CLASS']` on every upload. GLACIER and DEEP_ARCHIVE objects
 *   cannot be read without a restore (AWS S3 user guide, "Understanding archival storage"): every image breaks.
 *   STANDARD_IA, ONEZONE_IA and GLACIER_IR bill at least 128 KB per object and 30 (GLACIER_IR 90) days
 *   (AWS S3 pricing, "Storage classes"), while Mastodon deletes cached remote media after days (Admin > Content
 *   retention, `tootctl media remove`).
 * - paperclip.rb: `retry_limit: ENV.fetch('S3_RETRY_LIMIT'){ 0 }.to_i` (mastodon/mastodon#23215): by default the SDK does
 *   not retry, so a provider's 503 SlowDown fails the upload. `http_open_timeout` / `http_read_timeout` come from
 *   S3_OPEN_TIMEOUT / S3_READ_TIMEOUT (default 5 s each, mastodon/mastodon#9842, #12459): a read timeout of a few
 *   seconds cuts off large video uploads and downloads on a slow link.
 */
export const sdkOptions: Rule = ({ values }) => {
  const found: Finding[] = [];
  const limitRaw = values.get("S3_BATCH_DELETE_LIMIT");
  if (limitRaw !== undefined) {
    const limit = rubyToI(limitRaw);
    if (limit <= 0) {
      found.push(
        finding(
          "batch-delete-limit",
          "error",
          "S3_BATCH_DELETE_LIMIT",
          `S3_BATCH_DELETE_LIMIT=${limitRaw} is read with to_i as ${limit}: Mastodon's batch delete slices the keys by it and raises on ${limit}, so no media is ever deleted from the bucket (removed posts, expired cache)`,
          "remove the line (default 1000), or write a number from 1 to 1000",
          ["writer-delete"],
        ),
      );
    } else if (limit > MAX_DELETE_KEYS) {
      found.push(
        finding(
          "batch-delete-limit",
          "error",
          "S3_BATCH_DELETE_LIMIT",
          `S3_BATCH_DELETE_LIMIT=${limit} is above the 1000 keys a DeleteObjects call may carry: large deletes are refused, and that media stays stored`,
          "write S3_BATCH_DELETE_LIMIT=1000 or less",
          ["writer-delete"],
        ),
      );
    }
  }
  const retryRaw = values.get("S3_BATCH_DELETE_RETRY");
  if (retryRaw !== undefined && rubyToI(retryRaw) <= 1) {
    found.push(
      finding(
        "batch-delete-retry",
        "warning",
        "S3_BATCH_DELETE_RETRY",
        `S3_BATCH_DELETE_RETRY=${retryRaw} is read as ${rubyToI(retryRaw)}: the first failed batch delete is never retried, and its files stay stored`,
        "remove the line (default 3 tries)",
      ),
    );
  }
  const storageClass = values.get("S3_STORAGE_CLASS")?.trim().toUpperCase();
  if (storageClass === "GLACIER" || storageClass === "DEEP_ARCHIVE") {
    found.push(
      finding(
        "storage-class-archive",
        "error",
        "S3_STORAGE_CLASS",
        `S3_STORAGE_CLASS=${storageClass}: every upload goes to archival storage, which cannot be read without a restore request; every image and video fails to load`,
        "remove the S3_STORAGE_CLASS line (STANDARD), or write INTELLIGENT_TIERING",
      ),
    );
  } else if (storageClass === "STANDARD_IA" || storageClass === "ONEZONE_IA" || storageClass === "GLACIER_IR") {
    found.push(
      finding(
        "storage-class-minimums",
        "warning",
        "S3_STORAGE_CLASS",
        `S3_STORAGE_CLASS=${storageClass} bills at least 128 KB per object and ${storageClass === "GLACIER_IR" ? 90 : 30} days, while Mastodon stores many small thumbnails and deletes cached remote media after days: the bill rises instead of falling`,
        "remove the S3_STORAGE_CLASS line, or use a lifecycle rule that moves only old media_attachments/ objects",
      ),
    );
  }
  const retryLimit = values.get("S3_RETRY_LIMIT");
  if (retryLimit !== undefined && rubyToI(retryLimit) < 0) {
    found.push(
      finding(
        "retry-limit",
        "warning",
        "S3_RETRY_LIMIT",
        `S3_RETRY_LIMIT=${retryLimit} is negative: the SDK never retries, so a provider's 503 SlowDown fails the upload`,
        "write S3_RETRY_LIMIT=3 (the SDK then retries throttling and 5xx answers with backoff)",
      ),
    );
  }
  for (const name of ["S3_READ_TIMEOUT", "S3_OPEN_TIMEOUT"]) {
    const raw = values.get(name);
    if (raw === undefined) continue;
    const seconds = rubyToI(raw);
    if (seconds <= 0) {
      found.push(
        finding(
          "timeout-value",
          "error",
          name,
          `${name}=${raw} is read with to_i as ${seconds} seconds: every storage call times out at once`,
          `remove the line (default 5), or write a number of seconds, e.g. ${name}=30`,
          ["writer-upload"],
        ),
      );
    } else if (name === "S3_READ_TIMEOUT" && seconds < 5) {
      found.push(
        finding(
          "timeout-value",
          "warning",
          name,
          `${name}=${seconds} s is below Mastodon's default of 5: large video uploads and downloads time out on a slow link`,
          `remove the line, or write ${name}=30 or more for large videos`,
        ),
      );
    }
  }
  return found;
};
