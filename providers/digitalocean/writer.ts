import * as pulumi from "@pulumi/pulumi";
import * as digitalocean from "./sdk";

/**
 * Read, write, list and delete in the granted bucket. Never `fullaccess`, which reaches every bucket of the
 * account. A limited-access key like this one rules out a bucket policy on its bucket (DigitalOcean, "How to
 * Configure Bucket Policies"), hence object ACLs for public read.
 */
export const WRITER_PERMISSION = "readwrite";

export interface SpacesWriter {
  key: digitalocean.SpacesKey;
  accessKeyId: pulumi.Output<string>;
  secretAccessKey: pulumi.Output<string>;
}

/**
 * The Spaces key Mastodon signs with, granted on the media bucket only. Spaces grants are per bucket: with a
 * key prefix the key can still reach the rest of the bucket (docs/digitalocean.md says so).
 */
export function createWriter(name: string, bucket: digitalocean.SpacesBucket, parent: pulumi.Resource): SpacesWriter {
  const key = new digitalocean.SpacesKey(
    `${name}-writer`,
    { grants: [{ bucket: bucket.name, permission: WRITER_PERMISSION }] },
    { parent },
  );
  return {
    key,
    accessKeyId: key.accessKey,
    // The provider marks it secret in the engine only; say so here too, so nothing downstream can leak it.
    secretAccessKey: pulumi.secret(key.secretKey),
  };
}
