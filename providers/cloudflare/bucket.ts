import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "./sdk";
import type { CloudflareStackConfig } from "../../components/config";
import { corsRule } from "../../components/cors";
import { bucketProtection } from "../../components/protection";
import { abortIncompleteMultipartRule, r2CorsRule } from "./bucket-rules";

export interface MediaBucket {
  bucket: cloudflare.R2Bucket;
  cors: cloudflare.R2BucketCors;
  lifecycle: cloudflare.R2BucketLifecycle;
}

/**
 * The R2 bucket with CORS for cross-origin reads and a lifecycle that aborts stale multipart uploads. Every
 * child names the bucket's jurisdiction: R2 addresses a jurisdiction bucket only together with it.
 */
export function createMediaBucket(name: string, config: CloudflareStackConfig, parent: pulumi.Resource): MediaBucket {
  const { accountId, jurisdiction, locationHint } = config.cloudflare;
  // R2Bucket has no forceDestroy: R2 refuses to delete a bucket that still holds objects (docs/cloudflare.md, "Tearing down").
  const protection = bucketProtection(config.environment);

  const bucket = new cloudflare.R2Bucket(
    `${name}-bucket`,
    { accountId, name: config.bucket, jurisdiction, location: locationHint },
    { parent, protect: protection.protect, retainOnDelete: protection.retainOnDelete },
  );
  const bucketName = bucket.name;

  const cors = new cloudflare.R2BucketCors(
    `${name}-cors`,
    { accountId, bucketName, jurisdiction, rules: [r2CorsRule(corsRule(config.corsOrigins))] },
    { parent },
  );

  const lifecycle = new cloudflare.R2BucketLifecycle(
    `${name}-lifecycle`,
    { accountId, bucketName, jurisdiction, rules: [abortIncompleteMultipartRule()] },
    { parent },
  );

  return { bucket, cors, lifecycle };
}
