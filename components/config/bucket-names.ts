import { AWS_REGIONS } from "./sdk-lists";

/**
 * Bucket naming rules of each provider, as its documentation states them. Each function returns the first
 * problem with a name (a sentence completing "mastodon-media:bucket ..."), or undefined when the provider
 * accepts it. A name is chosen once: the provider refuses the wrong one only at `pulumi up`, the mock never.
 */

const IPV4_SHAPE = /^\d+\.\d+\.\d+\.\d+$/;

/**
 * AWS S3 user guide, "General purpose bucket naming rules": 3-63 characters of lowercase letters, digits, dots
 * and hyphens, beginning and ending with a letter or digit, no two adjacent dots, not shaped like an IP address,
 * none of the reserved prefixes (xn--, sthree-, amzn-s3-demo-) and suffixes (-s3alias, --ol-s3, .mrap, --x-s3,
 * --table-s3), and not the account-regional-namespace form NAME-ACCOUNTID-REGION-an, which only
 * CreateBucket with the account-regional namespace may create.
 *
 * Dots are refused although S3 allows them: the same guide says a name with dots cannot be used with
 * virtual-hosted-style requests over HTTPS (the certificate `*.s3.REGION.amazonaws.com` covers one label),
 * and Mastodon's SDK (no S3_ENDPOINT on AWS) and the CloudFront origin both address the bucket that way.
 */
export function awsBucketNameProblem(name: string): string | undefined {
  const shape = s3ShapeProblem(name, { dots: true });
  if (shape) return shape;
  if (name.includes(".")) {
    return (
      "must not contain dots: a dotted bucket name breaks TLS on S3's virtual-hosted endpoints " +
      "(BUCKET.s3.REGION.amazonaws.com), which Mastodon and CloudFront use; use hyphens instead"
    );
  }
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name))
    return "must not start with xn--, sthree- or amzn-s3-demo- (reserved by AWS)";
  if (/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) {
    return "must not end with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3 (reserved by AWS)";
  }
  const namespaced = /-\d{12}-([a-z0-9-]+)-an$/.exec(name);
  if (namespaced && (AWS_REGIONS as readonly string[]).includes(namespaced[1] as string)) {
    return "must not end with -ACCOUNTID-REGION-an: that form belongs to an account regional namespace, which this stack does not create buckets in";
  }
  return undefined;
}

/**
 * Cloudflare R2 docs, "Create new buckets" (bucket names): only lowercase letters, digits and hyphens, not
 * beginning or ending with a hyphen, 3-63 characters.
 */
export function r2BucketNameProblem(name: string): string | undefined {
  return s3ShapeProblem(name, { dots: false });
}

/**
 * DigitalOcean "How to Create Spaces Buckets": 3-63 characters of lowercase letters, digits and dashes,
 * beginning and ending with a letter or digit. Dots are refused: "Spaces Limits" says SSL wildcard certificates
 * do not match a bucket whose name has a period, and the CDN and Mastodon reach BUCKET.REGION.digitaloceanspaces.com.
 */
export function spacesBucketNameProblem(name: string): string | undefined {
  return s3ShapeProblem(name, { dots: false });
}

/**
 * MinIO's rules (minio-go `s3utils.CheckValidBucketNameStrict`, which the server applies on MakeBucket):
 * `^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`, not an IP address, no `..`, `.-` or `-.`. The name `minio` is reserved
 * by the server (its admin and health APIs live under /minio/). Mastodon reaches MinIO path-style (S3_ENDPOINT
 * is set), so dots are harmless there.
 */
export function minioBucketNameProblem(name: string): string | undefined {
  const shape = s3ShapeProblem(name, { dots: true });
  if (shape) return shape;
  if (/\.-|-\./.test(name)) return "must not have a dot next to a hyphen (.- or -.)";
  if (name === "minio") return "must not be minio: MinIO reserves that name for its own APIs";
  return undefined;
}

function s3ShapeProblem(name: string, { dots }: { dots: boolean }): string | undefined {
  if (name.length < 3 || name.length > 63) return "must be 3 to 63 characters long";
  const allowed = dots ? /^[a-z0-9.-]+$/ : /^[a-z0-9-]+$/;
  if (!allowed.test(name)) {
    return dots
      ? "may contain only lowercase letters, digits, dots and hyphens"
      : "may contain only lowercase letters, digits and hyphens";
  }
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return "must begin and end with a letter or digit";
  if (name.includes("..")) return "must not contain two adjacent dots";
  if (IPV4_SHAPE.test(name)) return "must not look like an IP address";
  return undefined;
}
