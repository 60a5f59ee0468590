import { PRIVATE_PREFIXES, PUBLIC_PREFIXES } from "../../components/prefixes";
import { literalPrefix } from "./patterns";

/** An S3 resource pattern split into bucket and key: `arn:aws:s3:::BUCKET` or `arn:aws:s3:::BUCKET/KEY`. */
export interface S3Target {
  bucket: string;
  /** Absent for the bucket itself (ListBucket, PutBucketPolicy...); a key pattern for objects. */
  key?: string;
}

/** Parses an S3 ARN pattern; anything else (`*`, another service's ARN) gives undefined. */
export function parseS3Arn(pattern: string): S3Target | undefined {
  const match = /^arn:aws:s3:::([^/]+)(?:\/(.*))?$/s.exec(pattern);
  if (!match) return undefined;
  const bucket = match[1] as string;
  return match[2] === undefined ? { bucket } : { bucket, key: match[2] };
}

/**
 * Whether an object key pattern stays inside one of Mastodon's public prefixes: its literal start (before any
 * wildcard) is `[KEY_PREFIX/]PUBLIC_PREFIX`, where the optional S3_KEY_PREFIX is itself literal and does not
 * start inside a private prefix. `backups/*`, `*`, `media_attachments*` (which also matches
 * `media_attachments_old/`) and `backups/cache/*` are all refused.
 */
export function isPublicKeyPattern(key: string): boolean {
  const segments = literalPrefix(key).split("/");
  // The last segment is incomplete (it is followed by a wildcard or is the file name): only whole ones count.
  const whole = segments.slice(0, -1);
  const index = whole.findIndex((segment) => (PUBLIC_PREFIXES as readonly string[]).includes(`${segment}/`));
  if (index === -1) return false;
  return !whole.slice(0, index).some((segment) => (PRIVATE_PREFIXES as readonly string[]).includes(`${segment}/`));
}
