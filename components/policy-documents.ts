import { publicPrefixes, withKeyPrefix } from "./prefixes";

/** An AWS-language policy document (IAM, S3 bucket policies, Spaces, MinIO, Ceph RGW). */
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | { AWS?: string | string[]; Service?: string | string[] };
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/**
 * What Mastodon does to objects (config/initializers/paperclip.rb, app/lib/attachment_batch.rb, lib/mastodon/cli/media.rb): uploads (multipart above S3_MULTIPART_THRESHOLD, hence
 * AbortMultipartUpload to clean up a failed one), reads for video processing and archives, deletes.
 * No PutObjectAcl: the providers whose writer has such a policy (AWS, MinIO) are in no-ACL mode (S3_PERMISSION
 * empty), so Mastodon never changes ACLs; Spaces, in object-ACL mode, has a per-bucket key instead. No CreateBucket, ever.
 */
export const WRITER_OBJECT_ACTIONS = [
  "s3:PutObject",
  "s3:GetObject",
  "s3:DeleteObject",
  "s3:AbortMultipartUpload",
] as const;

/** Listing is only used by `tootctl media remove-orphans`. */
export const WRITER_BUCKET_ACTIONS = ["s3:ListBucket"] as const;

export const WRITER_ACTIONS = [...WRITER_OBJECT_ACTIONS, ...WRITER_BUCKET_ACTIONS] as const;

/** What anonymous readers (or the CDN reading for them) may do, on the public prefixes only. */
export const PUBLIC_READ_ACTIONS = ["s3:GetObject"] as const;

export function bucketArn(bucket: string): string {
  return `arn:aws:s3:::${bucket}`;
}

export function objectArn(bucket: string, keyPattern: string): string {
  return `arn:aws:s3:::${bucket}/${keyPattern}`;
}

/**
 * The writer's policy: the five actions on this bucket (under the key prefix when one is set), nothing else.
 *
 * Batch deletes: Mastodon deletes media only through DeleteObjects (app/lib/attachment_batch.rb). AWS IAM and MinIO
 * authorize that call per key, against `BUCKET/KEY`, which the object statement covers. Ceph RGW evaluates it against
 * the BUCKET's ARN (src/rgw/rgw_op.cc, RGWDeleteMultiObj::verify_permission), but this document is applied only by
 * AWS IAM (providers/aws) and MinIO (providers/minio); Spaces keys use grants, not documents. So s3:DeleteObject is
 * NOT granted on the bucket ARN here: on AWS it would be an object action on a bucket resource (a no-op that IAM
 * Access Analyzer flags). An admin applying this document to RGW adds it (test/e2e/server.ts withRgwBatchDelete),
 * and `verify`'s writer-delete check names the missing grant.
 */
export function writerPolicy(bucket: string, keyPrefix?: string): PolicyDocument {
  const listing: PolicyStatement = {
    Sid: "ListMediaBucket",
    Effect: "Allow",
    Action: [...WRITER_BUCKET_ACTIONS],
    Resource: bucketArn(bucket),
  };
  if (keyPrefix) listing.Condition = { StringLike: { "s3:prefix": [`${keyPrefix}/*`] } };
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadWriteMediaObjects",
        Effect: "Allow",
        Action: [...WRITER_OBJECT_ACTIONS],
        Resource: objectArn(bucket, withKeyPrefix("*", keyPrefix)),
      },
      listing,
    ],
  };
}

/** Who reads public media: everyone (Spaces, MinIO, RGW) or one CloudFront distribution (AWS with OAC). */
export type PublicReader = { kind: "anonymous" } | { kind: "cloudfront"; distributionArn: string };

/**
 * The bucket policy that makes media public: GetObject on the public prefixes only. Never listing, never
 * `backups/` or `imports/`, never writes.
 */
export function publicReadPolicy(bucket: string, reader: PublicReader, keyPrefix?: string): PolicyDocument {
  const resources = publicPrefixes(keyPrefix).map((prefix) => objectArn(bucket, `${prefix}*`));
  const statement: PolicyStatement =
    reader.kind === "anonymous"
      ? {
          Sid: "PublicReadMedia",
          Effect: "Allow",
          Principal: { AWS: ["*"] },
          Action: [...PUBLIC_READ_ACTIONS],
          Resource: resources,
        }
      : {
          Sid: "CloudFrontReadsMedia",
          Effect: "Allow",
          Principal: { Service: "cloudfront.amazonaws.com" },
          Action: [...PUBLIC_READ_ACTIONS],
          Resource: resources,
          Condition: { StringEquals: { "AWS:SourceArn": reader.distributionArn } },
        };
  return { Version: "2012-10-17", Statement: [statement] };
}
