import { PRIVATE_PREFIXES } from "../prefixes";
import type { ConfigIssue } from "../errors";
import type { ProviderName } from "./common";

/** The private classes as path segments: `backups`, `imports`. */
export const PRIVATE_SEGMENTS = PRIVATE_PREFIXES.map((prefix) => prefix.replace(/\/$/, ""));

/**
 * Providers whose public read is decided by the key's path, and why a key prefix with a private segment breaks
 * it there. DigitalOcean Spaces is not listed: in object-ACL mode each object's own ACL decides
 * (providers/digitalocean/bucket.ts), whatever its path.
 */
export const PREFIX_BASED_PUBLIC_READ: Partial<Record<ProviderName, string>> = {
  // providers/cloudflare/guard-expression.ts: the WAF rule blocks the segment under any key prefix.
  cloudflare: "the media host's WAF rule blocks every path with such a segment, so all media would answer 403",
  // policy/analysis/s3-arn.ts isPublicKeyPattern: every key under such a segment is private, so the public
  // grants of the bucket policy (components/policy-documents.ts) would be refused by the policy pack.
  aws: "every key under such a segment counts as private, so the bucket policy could grant no public read",
  minio: "every key under such a segment counts as private, so the bucket policy could grant no public read",
};

/**
 * The key prefix rule of every provider whose public read is prefix-based: no `backups` or `imports` segment
 * (Mastodon's private classes, components/prefixes.ts). Returns the issue naming `keyPrefix`, or none.
 */
export function keyPrefixSegmentIssues(provider: ProviderName, keyPrefix: string | undefined): ConfigIssue[] {
  const reason = PREFIX_BASED_PUBLIC_READ[provider];
  if (reason === undefined || keyPrefix === undefined) return [];
  const segment = keyPrefix.split("/").find((part) => PRIVATE_SEGMENTS.includes(part));
  if (segment === undefined) return [];
  return [
    {
      path: "keyPrefix",
      message: `must not contain a ${PRIVATE_SEGMENTS.join(" or ")} segment (Mastodon's private classes): ${reason}`,
      value: keyPrefix,
    },
  ];
}
