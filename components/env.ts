import { cacheBusterLines, type CacheBusterFacts } from "./cache-buster";
import { SECRET_MASK } from "./masks";

/**
 * Where anonymous read of public media comes from, a per-provider fact (components/contract.ts `aclMode`):
 *
 * - `no-acl`: a bucket policy or the CDN serves the public prefixes; Mastodon must send no ACL at all
 *   (`S3_PERMISSION=` empty). AWS (ACLs disabled, CloudFront OAC), R2 (no ACLs: 501), MinIO.
 * - `object-acl`: each object carries its own canned ACL, which Mastodon sends (`S3_PERMISSION=public-read`);
 *   the bucket ACL stays private and there is no bucket policy. Spaces, where a per-bucket key and a bucket
 *   policy cannot coexist (DigitalOcean, "How to Configure Bucket Policies"). Mastodon then uploads user
 *   archives `private` (app/models/backup.rb) and makes a suspended account's media private again
 *   (app/services/update_media_attachments_permissions_service.rb), which `no-acl` cannot do.
 */
export type AclMode = "no-acl" | "object-acl";

/** The S3_PERMISSION value of each ACL mode: the canned ACL Mastodon sends with public uploads. */
export const S3_PERMISSION: Readonly<Record<AclMode, string>> = { "no-acl": "", "object-acl": "public-read" };

/**
 * The facts Mastodon needs about a media storage, as plain values. Every provider component produces these;
 * `renderEnv` is the one place that turns them into `.env.production` lines.
 */
export interface EnvFacts {
  bucket: string;
  /** SigV4 region: the AWS region, `auto` on R2, the Spaces slug, the MinIO site region. */
  region: string;
  /** API endpoint URL; absent on AWS, where the SDK's default endpoint is right. */
  endpoint?: string;
  /** Host of the S3 API as Mastodon builds public URLs from it when there is no alias host. */
  hostname: string;
  /** The public media host (S3_ALIAS_HOST). */
  aliasHost?: string;
  /** Scheme of public media URLs: https everywhere but a loopback development server. */
  protocol: "https" | "http";
  keyPrefix?: string;
  extraMediaHosts: readonly string[];
  accessKeyId: string;
  secretAccessKey: string;
  /**
   * Newer AWS SDKs send CRC32 checksums that some S3-compatible servers reject (aws/aws-sdk-ruby#3167; the SDK's AWS_REQUEST_CHECKSUM_CALCULATION setting); the
   * Ruby SDK reads these two variables. Harmless where not needed, so every non-AWS provider sets them.
   */
  checksumsOnlyWhenRequired: boolean;
  /** Where public read comes from, hence the S3_PERMISSION line. */
  aclMode: AclMode;
  /**
   * Mastodon's cache buster, where the media host's edge acts on it (components/cache-buster.ts): the four
   * CACHE_BUSTER_* lines. Absent where nothing would (Spaces, MinIO without the nginx proxy): no line at all.
   */
  cacheBuster?: CacheBusterFacts;
}

/**
 * Renders Mastodon's storage block (config/initializers/paperclip.rb). Decision table:
 *
 * | provider     | S3_ENDPOINT          | S3_HOSTNAME                    | S3_ALIAS_HOST                | ACL mode   | S3_PERMISSION |
 * |--------------|----------------------|--------------------------------|------------------------------|------------|---------------|
 * | aws          | (none)               | s3.REGION.amazonaws.com        | media domain                 | no-acl     | (empty)       |
 * | cloudflare   | https://ACCT.r2...   | ACCT.r2.cloudflarestorage.com  | media domain                 | no-acl     | (empty)       |
 * | digitalocean | https://REGION.dos.. | REGION.digitaloceanspaces.com  | media domain or CDN host     | object-acl | public-read   |
 * | minio        | the MinIO URL        | its host[:port]                | media domain (proxy), if any | no-acl     | (empty)       |
 *
 * - S3_PERMISSION follows the provider's ACL mode, and is always rendered, last. `no-acl` renders it EMPTY:
 *   R2 (501) and AWS buckets with ACLs disabled reject the `x-amz-acl` header Mastodon would otherwise send
 *   (an absent S3_PERMISSION means Mastodon's default, public-read). `object-acl` renders `public-read`.
 * - No other variable is ever rendered as `NAME=`: Mastodon treats a present-but-empty S3_ALIAS_HOST or
 *   S3_ENDPOINT differently from an absent one.
 */
export function renderEnv(facts: EnvFacts): string {
  const lines: [string, string | undefined][] = [
    ["S3_ENABLED", "true"],
    ["S3_BUCKET", facts.bucket],
    ["S3_REGION", facts.region],
    ["S3_PROTOCOL", facts.protocol],
    ["S3_ENDPOINT", facts.endpoint],
    ["S3_HOSTNAME", facts.hostname],
    ["S3_ALIAS_HOST", facts.aliasHost],
    ["S3_KEY_PREFIX", facts.keyPrefix],
    ["EXTRA_MEDIA_HOSTS", facts.extraMediaHosts.length > 0 ? facts.extraMediaHosts.join(",") : undefined],
    ["AWS_ACCESS_KEY_ID", facts.accessKeyId],
    ["AWS_SECRET_ACCESS_KEY", facts.secretAccessKey],
  ];
  if (facts.checksumsOnlyWhenRequired) {
    lines.push(
      ["AWS_REQUEST_CHECKSUM_CALCULATION", "WHEN_REQUIRED"],
      ["AWS_RESPONSE_CHECKSUM_VALIDATION", "WHEN_REQUIRED"],
    );
  }
  if (facts.cacheBuster) lines.push(...cacheBusterLines(facts.cacheBuster));
  const required = ["S3_BUCKET", "S3_REGION", "S3_HOSTNAME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
  for (const [name, value] of lines) {
    if (value !== undefined && /[\s"'#\\]/.test(value)) {
      throw new Error(`renderEnv: ${name} must not contain spaces, quotes, '#' or backslashes`);
    }
    if (required.includes(name) && !value) throw new Error(`renderEnv: ${name} must not be empty`);
  }
  const rendered = lines
    .filter(([, value]) => value !== undefined && value !== "")
    .map(([name, value]) => `${name}=${value}`);
  // The one variable whose empty value means something (no-acl): send no ACL, change no ACL.
  rendered.push(`S3_PERMISSION=${S3_PERMISSION[facts.aclMode]}`);
  return `${rendered.join("\n")}\n`;
}

/**
 * The URL where Mastodon will serve an object: `https://ALIAS/KEY`, or path style on the S3 host when there
 * is no alias (Paperclip's `:s3_path_url`).
 */
export function publicObjectUrl(
  facts: Pick<EnvFacts, "protocol" | "aliasHost" | "hostname" | "bucket">,
  key: string,
): string {
  return facts.aliasHost
    ? `${facts.protocol}://${facts.aliasHost}/${key}`
    : `${facts.protocol}://${facts.hostname}/${facts.bucket}/${key}`;
}

/** The base every media URL starts with (the URL of the empty key, without its trailing slash). */
export function mediaBaseUrl(facts: Pick<EnvFacts, "protocol" | "aliasHost" | "hostname" | "bucket">): string {
  return publicObjectUrl(facts, "").replace(/\/$/, "");
}

/** Env variables whose value is a credential. */
export const SECRET_ENV_KEYS = ["AWS_SECRET_ACCESS_KEY", "CACHE_BUSTER_SECRET"] as const;

/** The env block as a reviewer may see it: credential values replaced by SECRET_MASK (`[secret]`). */
export function maskEnvSecrets(env: string): string {
  return env
    .split("\n")
    .map((line) => {
      const name = line.split("=", 1)[0] ?? "";
      return (SECRET_ENV_KEYS as readonly string[]).includes(name) ? `${name}=${SECRET_MASK}` : line;
    })
    .join("\n");
}
