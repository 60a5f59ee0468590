/**
 * How rclone's DST remote names its provider when it talks to migrate's ACL-dropping front (s3-front/acl-front.ts) on
 * `http://127.0.0.1:PORT`, given the provider rclone would use for the target itself ("AWS", "Cloudflare",
 * "DigitalOcean", "Other": ./rclone.ts).
 *
 * rclone ignores `force_path_style = true` for providers whose addressing is virtual-hosted (AWS, DigitalOcean,
 * Alibaba, ...: backend/s3/s3.go `setQuirks`, "if virtualHostStyle ... opt.ForcePathStyle = false", in every line
 * from 1.60 to the current one; provider/*.yaml `force_path_style` quirks from 1.72). rclone 1.60's SDK (aws-sdk-go
 * v1) then sends `BUCKET.127.0.0.1:PORT`, which no resolver answers: every copy into an AWS bucket through the
 * front failed ("dial tcp: lookup BUCKET.127.0.0.1: no such host"; seen in test/e2e/migrate-rclone-version.test.ts).
 * aws-sdk-go-v2 (rclone 1.68+) falls back to path style for an IP endpoint, which hid it there.
 *
 * So the front's remote is provider "Other" (path style in every line) for those, with the provider's own listing
 * and ETag quirks set as options (`rclone help backend s3`: list_version, list_url_encode, use_multipart_etag,
 * might_gzip, all present from 1.60 on), so that rclone reads the target's answers as it would without the front.
 * Providers that are path style already (Cloudflare, Other) keep their name.
 */
export function frontRemoteProvider(provider: string): Record<string, string> {
  switch (provider) {
    case "AWS":
      // setQuirks "AWS": ListObjectsV2, URL-encoded listings, MD5-of-parts multipart ETags, never gzips.
      return {
        provider: "Other",
        list_version: "2",
        list_url_encode: "true",
        use_multipart_etag: "true",
        might_gzip: "false",
      };
    case "DigitalOcean":
      // setQuirks "DigitalOcean": ListObjectsV2, listings not URL-encoded, multipart ETags as AWS's.
      return { provider: "Other", list_version: "2", list_url_encode: "false", use_multipart_etag: "true" };
    default:
      return { provider };
  }
}
