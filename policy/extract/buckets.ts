import { field, text } from "../props";
import { AWS, CLOUDFLARE, DIGITALOCEAN, MINIO } from "../resource-types";
import type { RuleResource } from "../rule";

/** The resources that hold media: one per stack, whichever provider. */
export const BUCKET_TYPES = [
  AWS.bucket,
  AWS.bucketV2,
  CLOUDFLARE.r2Bucket,
  DIGITALOCEAN.spacesBucket,
  MINIO.s3Bucket,
] as const;

/** The bucket's name as the provider knows it (`bucket` on AWS and MinIO, `name` on R2 and Spaces). */
export function bucketNameOf(resource: RuleResource): string | undefined {
  switch (resource.type) {
    case AWS.bucket:
    case AWS.bucketV2:
    case MINIO.s3Bucket:
      return text(field(resource.props, "bucket"));
    case CLOUDFLARE.r2Bucket:
    case DIGITALOCEAN.spacesBucket:
      return text(field(resource.props, "name"));
    default:
      return undefined;
  }
}

export function isBucket(resource: RuleResource): boolean {
  return (BUCKET_TYPES as readonly string[]).includes(resource.type);
}
