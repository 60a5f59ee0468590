/**
 * The type tokens the rules look at (each SDK class's `__pulumiType`; test/policy/resource-types.test.ts checks
 * them against the installed SDKs). Tokens rather than classes, so that the pack and the offline plan load no
 * provider SDK.
 */
export const AWS = {
  bucket: "aws:s3/bucket:Bucket",
  // Deprecated in @pulumi/aws 7 but still accepted: a program could use it, so the rules cover it too.
  bucketV2: "aws:s3/bucketV2:BucketV2",
  bucketAcl: "aws:s3/bucketAcl:BucketAcl",
  bucketAclV2: "aws:s3/bucketAclV2:BucketAclV2",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  bucketCors: "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
  bucketCorsV2: "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2",
  bucketLifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  bucketLifecycleV2: "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
  userPolicy: "aws:iam/userPolicy:UserPolicy",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  groupPolicy: "aws:iam/groupPolicy:GroupPolicy",
  policy: "aws:iam/policy:Policy",
  userPolicyAttachment: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  groupPolicyAttachment: "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
  distribution: "aws:cloudfront/distribution:Distribution",
  responseHeadersPolicy: "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
} as const;

export const CLOUDFLARE = {
  r2Bucket: "cloudflare:index/r2Bucket:R2Bucket",
  r2BucketCors: "cloudflare:index/r2BucketCors:R2BucketCors",
  r2BucketLifecycle: "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle",
  r2CustomDomain: "cloudflare:index/r2CustomDomain:R2CustomDomain",
  r2ManagedDomain: "cloudflare:index/r2ManagedDomain:R2ManagedDomain",
  accountToken: "cloudflare:index/accountToken:AccountToken",
  apiToken: "cloudflare:index/apiToken:ApiToken",
  ruleset: "cloudflare:index/ruleset:Ruleset",
  workersRoute: "cloudflare:index/workersRoute:WorkersRoute",
} as const;

export const DIGITALOCEAN = {
  spacesBucket: "digitalocean:index/spacesBucket:SpacesBucket",
  spacesBucketPolicy: "digitalocean:index/spacesBucketPolicy:SpacesBucketPolicy",
  spacesBucketCors: "digitalocean:index/spacesBucketCorsConfiguration:SpacesBucketCorsConfiguration",
  spacesKey: "digitalocean:index/spacesKey:SpacesKey",
  cdn: "digitalocean:index/cdn:Cdn",
} as const;

export const MINIO = {
  s3Bucket: "minio:index/s3Bucket:S3Bucket",
  s3BucketPolicy: "minio:index/s3BucketPolicy:S3BucketPolicy",
  ilmPolicy: "minio:index/ilmPolicy:IlmPolicy",
  iamPolicy: "minio:index/iamPolicy:IamPolicy",
  iamGroupPolicy: "minio:index/iamGroupPolicy:IamGroupPolicy",
  iamServiceAccount: "minio:index/iamServiceAccount:IamServiceAccount",
  iamUserPolicyAttachment: "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment",
  iamGroupPolicyAttachment: "minio:index/iamGroupPolicyAttachment:IamGroupPolicyAttachment",
} as const;

export const COMMAND = {
  localCommand: "command:local:Command",
} as const;
