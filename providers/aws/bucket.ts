import * as pulumi from "@pulumi/pulumi";
import * as aws from "./sdk";
import { corsRule } from "../../components/cors";
import { ABORT_INCOMPLETE_MULTIPART_DAYS, ABORT_INCOMPLETE_MULTIPART_RULE_ID } from "../../components/lifecycle";
import { bucketProtection } from "../../components/protection";
import type { AwsStackConfig } from "../../components/config";

export interface PrivateBucket {
  bucket: aws.s3.Bucket;
  publicAccessBlock: aws.s3.BucketPublicAccessBlock;
  cors: aws.s3.BucketCorsConfiguration;
}

/**
 * A bucket nobody reads directly: ACLs off (BucketOwnerEnforced), all four public access blocks on, SSE-S3,
 * incomplete multipart uploads aborted, CORS for direct API reads. CloudFront reads it through OAC.
 */
export function createPrivateBucket(name: string, config: AwsStackConfig, parent: pulumi.Resource): PrivateBucket {
  const region = config.aws.region;
  const protection = bucketProtection(config.environment);
  const child = { parent };

  const bucket = new aws.s3.Bucket(
    `${name}-bucket`,
    { bucket: config.bucket, region, forceDestroy: protection.forceDestroy },
    { ...child, protect: protection.protect, retainOnDelete: protection.retainOnDelete },
  );
  const bucketName = bucket.bucket;

  // Mastodon must then be told not to send ACLs: renderEnv writes S3_PERMISSION= (empty).
  new aws.s3.BucketOwnershipControls(
    `${name}-ownership`,
    { bucket: bucketName, region, rule: { objectOwnership: "BucketOwnerEnforced" } },
    child,
  );

  const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access-block`,
    {
      bucket: bucketName,
      region,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    child,
  );

  // No bucketKeyEnabled: S3 Bucket Keys apply to SSE-KMS only (S3 API reference, "ServerSideEncryptionRule":
  // "use an S3 Bucket Key with server-side encryption using KMS (SSE-KMS)"). With AES256 it changes nothing, and
  // the value S3 reports back may differ from the one sent, a diff on every preview.
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    { bucket: bucketName, region, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    child,
  );

  new aws.s3.BucketLifecycleConfiguration(
    `${name}-lifecycle`,
    {
      bucket: bucketName,
      region,
      rules: [
        {
          id: ABORT_INCOMPLETE_MULTIPART_RULE_ID,
          status: "Enabled",
          // An empty prefix filter, not a missing one: the provider warns on a rule without a filter.
          filter: { prefix: "" },
          abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_INCOMPLETE_MULTIPART_DAYS },
        },
      ],
    },
    child,
  );

  const cors = new aws.s3.BucketCorsConfiguration(
    `${name}-cors`,
    { bucket: bucketName, region, corsRules: [corsRule(config.corsOrigins)] },
    child,
  );

  return { bucket, publicAccessBlock, cors };
}
