import * as pulumi from "@pulumi/pulumi";
import * as digitalocean from "@pulumi/digitalocean";
import type { DigitalOceanStackConfig } from "../../components/config";
import { corsRule } from "../../components/cors";
import { ABORT_INCOMPLETE_MULTIPART_DAYS, ABORT_INCOMPLETE_MULTIPART_RULE_ID } from "../../components/lifecycle";
import { publicReadPolicy } from "../../components/policy-documents";
import { bucketProtection } from "../../components/protection";

export interface SpacesMediaBucket {
  bucket: digitalocean.SpacesBucket;
  cors: digitalocean.SpacesBucketCorsConfiguration;
  policy: digitalocean.SpacesBucketPolicy;
}

/**
 * A Spaces bucket that lists nothing to anonymous callers (ACL `private`: "file listing restricted"), whose
 * public prefixes anyone may read through the bucket policy, with CORS for cross-origin reads and stale
 * multipart uploads aborted. Objects carry no ACL: Mastodon is told to send none (S3_PERMISSION empty).
 */
export function createSpacesBucket(name: string, config: DigitalOceanStackConfig, parent: pulumi.Resource): SpacesMediaBucket {
  // The side resources require the region and take it as a plain input (bucket.region may be undefined).
  const region = config.digitalocean.region;
  const protection = bucketProtection(config.environment);

  const bucket = new digitalocean.SpacesBucket(
    `${name}-bucket`,
    {
      name: config.bucket,
      region,
      // `public-read` on the bucket would let anyone list every key, `backups/` included.
      acl: "private",
      forceDestroy: protection.forceDestroy,
      // Lifecycle exists only as this argument on Spaces; Spaces itself purges them after 30 days ("Spaces limits").
      lifecycleRules: [
        {
          id: ABORT_INCOMPLETE_MULTIPART_RULE_ID,
          enabled: true,
          abortIncompleteMultipartUploadDays: ABORT_INCOMPLETE_MULTIPART_DAYS,
        },
      ],
    },
    { parent, protect: protection.protect, retainOnDelete: protection.retainOnDelete },
  );

  const cors = new digitalocean.SpacesBucketCorsConfiguration(
    `${name}-cors`,
    { bucket: bucket.name, region, corsRules: [corsRule(config.corsOrigins)] },
    { parent },
  );

  const policy = new digitalocean.SpacesBucketPolicy(
    `${name}-bucket-policy`,
    {
      bucket: bucket.name,
      region,
      policy: JSON.stringify(publicReadPolicy(config.bucket, { kind: "anonymous" }, config.keyPrefix)),
    },
    { parent },
  );

  return { bucket, cors, policy };
}
