import * as pulumi from "@pulumi/pulumi";
import * as digitalocean from "./sdk";
import type { DigitalOceanStackConfig } from "../../components/config";
import { corsRule } from "../../components/cors";
import { ABORT_INCOMPLETE_MULTIPART_DAYS, ABORT_INCOMPLETE_MULTIPART_RULE_ID } from "../../components/lifecycle";
import { bucketProtection } from "../../components/protection";

export interface SpacesMediaBucket {
  bucket: digitalocean.SpacesBucket;
  cors: digitalocean.SpacesBucketCorsConfiguration;
}

/**
 * A Spaces bucket that lists nothing to anonymous callers (ACL `private`: "file listing restricted"), with CORS
 * for cross-origin reads and stale multipart uploads aborted.
 *
 * No bucket policy: DigitalOcean refuses a bucket policy on a bucket that has a limited-access key, and a
 * limited-access key for a bucket that has a policy ("How to Configure Bucket Policies"), and the writer is
 * such a key. Public read comes from the objects' own ACLs instead: Mastodon uploads media `public-read` and
 * user archives `private` (S3_PERMISSION=public-read; app/models/backup.rb), and makes a suspended account's
 * media private again (app/services/update_media_attachments_permissions_service.rb).
 */
export function createSpacesBucket(
  name: string,
  config: DigitalOceanStackConfig,
  parent: pulumi.Resource,
): SpacesMediaBucket {
  // The side resources require the region and take it as a plain input (bucket.region may be undefined).
  const region = config.digitalocean.region;
  const protection = bucketProtection(config.environment);

  const bucket = new digitalocean.SpacesBucket(
    `${name}-bucket`,
    {
      name: config.bucket,
      region,
      // `public-read` on the bucket would let anyone list every key, `backups/` included. Objects are public
      // by their own ACL, not the bucket's.
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

  return { bucket, cors };
}
