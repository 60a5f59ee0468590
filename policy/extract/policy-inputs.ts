import { AWS, DIGITALOCEAN, MINIO } from "../resource-types";
import type { RuleResource } from "../rule";

/**
 * Where AWS-language documents live in each provider's resources: bucket policies (who may read the bucket)
 * and identity policies (what the writer may do). The value is the raw input: JSON text, or an object.
 */

export const BUCKET_POLICY_TYPES = [
  AWS.bucketPolicy,
  // The deprecated inline `policy` argument of the bucket itself.
  AWS.bucket,
  AWS.bucketV2,
  DIGITALOCEAN.spacesBucketPolicy,
  MINIO.s3BucketPolicy,
] as const;

export const IDENTITY_POLICY_TYPES = [
  AWS.userPolicy,
  AWS.rolePolicy,
  AWS.groupPolicy,
  AWS.policy,
  MINIO.iamPolicy,
  MINIO.iamGroupPolicy,
  // An optional inline policy narrowing the service account's user.
  MINIO.iamServiceAccount,
] as const;

/** The `policy` input, when the resource is one of the types above and sets it. */
export function policyInputOf(resource: RuleResource, types: readonly string[]): unknown {
  if (!types.includes(resource.type)) return undefined;
  return resource.props.policy;
}
