/**
 * Value lists the installed provider SDKs ship, copied here so that validating a stack's config loads no
 * provider SDK (a stack loads only its own SDK, and only when it creates resources). test/components/config/sdk-lists.test.ts
 * fails as soon as an upgraded SDK lists something else: update the copy from the message it prints.
 */

/** @pulumi/aws 7.48.0, `types/enums` `Region`: every region the AWS provider can target. */
export const AWS_REGIONS = [
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "mx-central-1",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "cn-north-1",
  "cn-northwest-1",
  "eusc-de-east-1",
  "us-gov-east-1",
  "us-gov-west-1",
  "us-iso-east-1",
  "us-iso-west-1",
  "us-isob-east-1",
  "us-isob-west-1",
  "eu-isoe-west-1",
  "us-isof-east-1",
  "us-isof-south-1",
] as const;

/**
 * @pulumi/cloudflare 6.22.1, `R2Bucket` `jurisdiction` ("Available values"). `us` is also in Cloudflare's
 * changelog "New `us` jurisdiction for R2" (2026-08-17), with the endpoint `ACCOUNT.us.r2.cloudflarestorage.com`.
 */
export const R2_JURISDICTIONS = ["default", "eu", "fedramp", "us"] as const;

/** @pulumi/digitalocean 4.80.1, `types/enums` `Region`: the droplet regions the SDK knows. */
export const DIGITALOCEAN_REGIONS = [
  "nyc1",
  "nyc2",
  "nyc3",
  "sgp1",
  "lon1",
  "ams2",
  "ams3",
  "fra1",
  "tor1",
  "sfo1",
  "sfo2",
  "sfo3",
  "blr1",
  "syd1",
] as const;
