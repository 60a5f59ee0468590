import { finding, type Finding, type Rule } from "../finding";

/** Canned ACLs S3 defines (S3 API reference, "PutObject", x-amz-acl). */
const CANNED_ACLS = [
  "private",
  "public-read",
  "public-read-write",
  "authenticated-read",
  "aws-exec-read",
  "bucket-owner-read",
  "bucket-owner-full-control",
];

const EMPTY_FIX =
  "write the line S3_PERMISSION= with nothing after the '=' (present and empty: Mastodon then sends no x-amz-acl header); public reads come from the bucket policy or the CDN";

/**
 * S3_PERMISSION (paperclip.rb: `s3_permissions: ENV.fetch('S3_PERMISSION') { 'public-read' }`, and no ACL at all
 * when it is present and empty). Absent means `x-amz-acl: public-read` on every upload.
 * - R2 implements no ACLs (Cloudflare R2 docs, "S3 API compatibility"). What is proven: `x-amz-acl: public-read` is
 *   answered 501 NotImplemented, the message naming the value. `private` is reported to work by admins from 2022 to
 *   2025 (mastodon/mastodon#34602, PR #20510's thread, humanmade/S3-Uploads#576, pixelfed/pixelfed#3775): a
 *   warning that advises the empty value Cloudflare's Mastodon guide gives; verify decides live.
 * - AWS buckets created since April 2023 have Object Ownership "bucket owner enforced": ACL headers other than
 *   bucket-owner-full-control are refused with 400 AccessControlListNotSupported (AWS S3 user guide,
 *   "Controlling ownership of objects and disabling ACLs for your bucket").
 */
export const permission: Rule = ({ env, values, provider }) => {
  const found: Finding[] = [];
  const raw = values.get("S3_PERMISSION");
  const sent = env.aclIsDefault
    ? "S3_PERMISSION is absent, so Mastodon sends its default x-amz-acl: public-read"
    : `S3_PERMISSION=${raw} makes Mastodon send x-amz-acl: ${raw}`;
  if (raw && !CANNED_ACLS.includes(raw)) {
    found.push(
      finding(
        "permission-invalid",
        "error",
        "S3_PERMISSION",
        `S3_PERMISSION=${raw} is not a canned ACL: every upload is refused ("Media could not be stored")`,
        `${EMPTY_FIX}; or one of ${CANNED_ACLS.join(", ")}`,
        ["writer-upload"],
      ),
    );
    return found;
  }
  if (raw === "public-read-write") {
    found.push(
      finding(
        "permission-public-write",
        "error",
        "S3_PERMISSION",
        "S3_PERMISSION=public-read-write lets anyone overwrite each uploaded file",
        EMPTY_FIX,
      ),
    );
    return found;
  }
  if (!env.uploadAcl) return found;
  const { acl } = provider.provider.quirks;
  const { name } = provider.provider;
  if (acl === "refused" && env.uploadAcl === "public-read") {
    found.push(
      finding(
        "permission-refused",
        "error",
        "S3_PERMISSION",
        `${sent}; ${name} implements no ACLs and answers x-amz-acl: public-read with 501 NotImplemented (its error names the value): every upload fails ("Media could not be stored")`,
        EMPTY_FIX,
        ["writer-upload"],
      ),
    );
  } else if (acl === "refused") {
    const reported = provider.provider.quirks.aclReportedWorking?.includes(env.uploadAcl) ?? false;
    found.push(
      finding(
        "permission-unsupported",
        "warning",
        "S3_PERMISSION",
        `${sent}; ${name} implements no ACLs: ${reported ? `admins report uploads with ${env.uploadAcl} to work (mastodon/mastodon#34602, humanmade/S3-Uploads#576), but the header does nothing there` : `whether it accepts ${env.uploadAcl} is not known (it refuses public-read with 501)`}; the empty value sends no header at all`,
        `${EMPTY_FIX} (the value Cloudflare's Mastodon guide gives); verify shows whether this server accepts the current one`,
        ["writer-upload"],
      ),
    );
  } else if (acl === "bucket-setting") {
    found.push(
      finding(
        "permission-acls-disabled",
        "warning",
        "S3_PERMISSION",
        `${sent}; AWS buckets created since April 2023 have ACLs disabled (Object Ownership: bucket owner enforced) and refuse that header with 400 AccessControlListNotSupported: every upload fails ("Media could not be stored"). Doctor cannot see the bucket's setting offline (verify can)`,
        `${EMPTY_FIX}; keep ${raw ?? "public-read"} only if the bucket's Object Ownership is "ACLs enabled"`,
        ["writer-upload"],
      ),
    );
  }
  return found;
};
