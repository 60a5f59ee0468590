import * as pulumi from "@pulumi/pulumi";
import * as minio from "@pulumi/minio";
import type { MinioStackConfig } from "../../components/config";
import { publicReadPolicy } from "../../components/policy-documents";
import { bucketProtection } from "../../components/protection";

export interface MediaBucket {
  bucket: minio.S3Bucket;
  policy: minio.S3BucketPolicy;
}

/**
 * The media bucket and its policy: anonymous GetObject on the public prefixes only, so `backups/` stays
 * private and nobody lists or writes anonymously.
 *
 * No CORS resource: CORS is server-wide in MinIO (`api cors_allow_origin`, default `*`), not per bucket.
 * No IlmPolicy: MinIO rejects AbortIncompleteMultipartUpload in bucket lifecycles (and @pulumi/minio 0.17.1
 * has no field for it); the server purges incomplete multipart uploads itself after `api stale_uploads_expiry`
 * (default 24h, swept every 6h: minio/docs#1216). Expiring media such as `cache/` behind Mastodon's back would
 * leave rows pointing at missing files: that is `tootctl media remove`'s job.
 */
export function createMediaBucket(name: string, config: MinioStackConfig, parent: pulumi.Resource): MediaBucket {
  const protection = bucketProtection(config.environment);
  const bucket = new minio.S3Bucket(
    `${name}-bucket`,
    {
      bucket: config.bucket,
      // The provider implements `acl` by writing the bucket policy: anything but private would fight the policy below.
      acl: "private",
      forceDestroy: protection.forceDestroy,
    },
    { parent, protect: protection.protect, retainOnDelete: protection.retainOnDelete },
  );
  const policy = new minio.S3BucketPolicy(
    `${name}-bucket-policy`,
    {
      bucket: bucket.bucket,
      policy: JSON.stringify(publicReadPolicy(config.bucket, { kind: "anonymous" }, config.keyPrefix)),
    },
    { parent },
  );
  return { bucket, policy };
}
