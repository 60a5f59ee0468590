import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as digitalocean from "@pulumi/digitalocean";
import * as minio from "@pulumi/minio";
import { describe, expect, it } from "vitest";
import { AWS, CLOUDFLARE, DIGITALOCEAN, MINIO } from "../../policy/resource-types";

const token = (resourceClass: unknown) => (resourceClass as { __pulumiType: string }).__pulumiType;

describe("resource type tokens", () => {
  it("match the installed SDKs' classes", () => {
    expect(AWS).toEqual({
      bucket: token(aws.s3.Bucket),
      bucketV2: token(aws.s3.BucketV2),
      bucketAcl: token(aws.s3.BucketAcl),
      bucketAclV2: token(aws.s3.BucketAclV2),
      bucketPolicy: token(aws.s3.BucketPolicy),
      bucketCors: token(aws.s3.BucketCorsConfiguration),
      bucketCorsV2: token(aws.s3.BucketCorsConfigurationV2),
      bucketLifecycle: token(aws.s3.BucketLifecycleConfiguration),
      bucketLifecycleV2: token(aws.s3.BucketLifecycleConfigurationV2),
      userPolicy: token(aws.iam.UserPolicy),
      rolePolicy: token(aws.iam.RolePolicy),
      groupPolicy: token(aws.iam.GroupPolicy),
      policy: token(aws.iam.Policy),
      userPolicyAttachment: token(aws.iam.UserPolicyAttachment),
      rolePolicyAttachment: token(aws.iam.RolePolicyAttachment),
      groupPolicyAttachment: token(aws.iam.GroupPolicyAttachment),
      policyAttachment: token(aws.iam.PolicyAttachment),
      distribution: token(aws.cloudfront.Distribution),
      responseHeadersPolicy: token(aws.cloudfront.ResponseHeadersPolicy),
    });
    expect(CLOUDFLARE).toEqual({
      r2Bucket: token(cloudflare.R2Bucket),
      r2BucketCors: token(cloudflare.R2BucketCors),
      r2BucketLifecycle: token(cloudflare.R2BucketLifecycle),
      r2CustomDomain: token(cloudflare.R2CustomDomain),
      r2ManagedDomain: token(cloudflare.R2ManagedDomain),
      accountToken: token(cloudflare.AccountToken),
      apiToken: token(cloudflare.ApiToken),
      ruleset: token(cloudflare.Ruleset),
    });
    expect(DIGITALOCEAN).toEqual({
      spacesBucket: token(digitalocean.SpacesBucket),
      spacesBucketPolicy: token(digitalocean.SpacesBucketPolicy),
      spacesBucketCors: token(digitalocean.SpacesBucketCorsConfiguration),
      spacesKey: token(digitalocean.SpacesKey),
      cdn: token(digitalocean.Cdn),
    });
    expect(MINIO).toEqual({
      s3Bucket: token(minio.S3Bucket),
      s3BucketPolicy: token(minio.S3BucketPolicy),
      ilmPolicy: token(minio.IlmPolicy),
      iamPolicy: token(minio.IamPolicy),
      iamGroupPolicy: token(minio.IamGroupPolicy),
      iamServiceAccount: token(minio.IamServiceAccount),
      iamUserPolicyAttachment: token(minio.IamUserPolicyAttachment),
      iamGroupPolicyAttachment: token(minio.IamGroupPolicyAttachment),
    });
  });
});
