/**
 * The @pulumi/aws services this provider uses, imported service by service. The package's index loads every
 * service's index (about 316 modules in the plan of the aws stack, measured with require.cache), where these
 * load only their own (a few dozen @pulumi/aws modules in all); classes inside a service still load lazily.
 * Use it as the package itself: `import * as aws from "./sdk"`, then `aws.s3.Bucket`.
 */
export * as acm from "@pulumi/aws/acm";
export * as cloudfront from "@pulumi/aws/cloudfront";
export * as iam from "@pulumi/aws/iam";
export * as lambda from "@pulumi/aws/lambda";
export * as route53 from "@pulumi/aws/route53";
export * as s3 from "@pulumi/aws/s3";
