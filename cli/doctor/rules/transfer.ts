import { DEFAULT_MULTIPART_THRESHOLD_BYTES } from "../../../mastodon-env/model";
import { finding, type Finding, type Rule } from "../finding";

const MIB = 1024 * 1024;
/** Below this a threshold cannot be a deliberate byte count: S3's minimum part size is 5 MiB (S3 API, "UploadPart"). */
const MIN_PART_BYTES = 5 * MIB;

/**
 * S3_MULTIPART_THRESHOLD is read in BYTES: paperclip.rb `ENV.fetch('S3_MULTIPART_THRESHOLD') { 15.megabytes }.to_i`
 * (Mastodon's docs say megabytes). An empty value is `"".to_i` = 0: every upload goes multipart. S3_FORCE_SINGLE_REQUEST
 * (`== 'true'`) only changes downloads (the paperclip.rb patch for mastodon/mastodon#16822 and #26394): uploads above
 * the threshold are still multipart.
 */
export const transfer: Rule = ({ env, values, provider }) => {
  const found: Finding[] = [];
  const raw = values.get("S3_MULTIPART_THRESHOLD");
  if (raw !== undefined) {
    const bytes = env.multipartThresholdBytes;
    if (raw.trim() === "") {
      found.push(
        finding(
          "multipart-threshold-empty",
          "error",
          "S3_MULTIPART_THRESHOLD",
          "S3_MULTIPART_THRESHOLD is present but empty: Mastodon reads it with to_i as 0 bytes, so EVERY upload goes multipart (providers that mishandle multipart then refuse them all)",
          `remove the line (default 15 MB), or write a byte count, e.g. S3_MULTIPART_THRESHOLD=${50 * MIB} for 50 MB`,
          ["writer-multipart"],
        ),
      );
    } else if (bytes < MIN_PART_BYTES) {
      const meant = bytes > 0 ? bytes * MIB : undefined;
      found.push(
        finding(
          "multipart-threshold-bytes",
          "error",
          "S3_MULTIPART_THRESHOLD",
          `S3_MULTIPART_THRESHOLD is read in bytes: ${JSON.stringify(raw)} means ${bytes} bytes${!/^\d+$/.test(raw.trim()) ? ` (Ruby's to_i stops at the first non-digit)` : ""}, so nearly every upload goes multipart${meant ? `; ${bytes} megabytes is ${meant} bytes` : ""}`,
          `write S3_MULTIPART_THRESHOLD=${meant ?? DEFAULT_MULTIPART_THRESHOLD_BYTES}${meant ? ` (${bytes} MB in bytes)` : ""}`,
          ["writer-multipart"],
        ),
      );
    }
  }
  const force = values.get("S3_FORCE_SINGLE_REQUEST");
  if (force !== undefined && force !== "true") {
    found.push(
      finding(
        "force-single-request-value",
        "warning",
        "S3_FORCE_SINGLE_REQUEST",
        `S3_FORCE_SINGLE_REQUEST is compared with the string "true": this value leaves it off`,
        "write S3_FORCE_SINGLE_REQUEST=true, or remove the line",
      ),
    );
  }
  if (provider.provider.quirks.needsForceSingleRequest && !env.forceSingleRequest) {
    found.push(
      finding(
        "force-single-request",
        "warning",
        "S3_FORCE_SINGLE_REQUEST",
        `${provider.provider.name} mishandles the ranged multi-request downloads the SDK makes for large files (mastodon/mastodon#16822, #26394): video processing and archive exports fail`,
        "add S3_FORCE_SINGLE_REQUEST=true",
      ),
    );
  }
  return found;
};
