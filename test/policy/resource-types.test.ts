// Service by service: the whole of @pulumi/aws would double the typecheck (its declarations are about 2,700 files).
import * as cloudfront from "@pulumi/aws/cloudfront";
import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import * as cloudflare from "../../providers/cloudflare/sdk";
import * as digitalocean from "../../providers/digitalocean/sdk";
import { local } from "@pulumi/command";
import * as minio from "@pulumi/minio";
import { describe, expect, it } from "vitest";
import { AWS, CLOUDFLARE, COMMAND, DIGITALOCEAN, MINIO } from "../../policy/resource-types";

const token = (resourceClass: unknown) => (resourceClass as { __pulumiType: string }).__pulumiType;

describe("resource type tokens", () => {
  it("match the installed SDKs' classes", () => {
    expect(AWS).toEqual({
      bucket: token(s3.Bucket),
      bucketV2: token(s3.BucketV2),
      bucketAcl: token(s3.BucketAcl),
      bucketAclV2: token(s3.BucketAclV2),
      bucketPolicy: token(s3.BucketPolicy),
      bucketCors: token(s3.BucketCorsConfiguration),
      bucketCorsV2: token(s3.BucketCorsConfigurationV2),
      bucketLifecycle: token(s3.BucketLifecycleConfiguration),
      bucketLifecycleV2: token(s3.BucketLifecycleConfigurationV2),
      userPolicy: token(iam.UserPolicy),
      rolePolicy: token(iam.RolePolicy),
      groupPolicy: token(iam.GroupPolicy),
      policy: token(iam.Policy),
      userPolicyAttachment: token(iam.UserPolicyAttachment),
      rolePolicyAttachment: token(iam.RolePolicyAttachment),
      groupPolicyAttachment: token(iam.GroupPolicyAttachment),
      policyAttachment: token(iam.PolicyAttachment),
      distribution: token(cloudfront.Distribution),
      responseHeadersPolicy: token(cloudfront.ResponseHeadersPolicy),
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
      workersRoute: token(cloudflare.WorkersRoute),
    });
    expect(DIGITALOCEAN).toEqual({
      spacesBucket: token(digitalocean.SpacesBucket),
      spacesBucketPolicy: token(digitalocean.SpacesBucketPolicy),
      spacesBucketCors: token(digitalocean.SpacesBucketCorsConfiguration),
      spacesKey: token(digitalocean.SpacesKey),
      cdn: token(digitalocean.Cdn),
    });
    expect(COMMAND).toEqual({ localCommand: token(local.Command) });
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
