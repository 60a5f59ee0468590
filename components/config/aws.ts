import { z } from "zod";
import { lowercaseHex32, providerBucketName } from "./validators";
import { commonShape } from "./common";
import { awsBucketNameProblem } from "./bucket-names";
import { AWS_REGIONS } from "./sdk-lists";

/**
 * A region the installed @pulumi/aws knows (its `Region` enum), in the commercial `aws` partition: this stack
 * writes `arn:aws:` ARNs, renders S3_HOSTNAME as s3.REGION.amazonaws.com and serves media through CloudFront
 * with an ACM certificate from us-east-1, none of which exist in the China, GovCloud, ISO or European Sovereign
 * Cloud partitions (AWS General Reference, "Amazon Resource Names": the partition is part of every ARN).
 */
const region = z.string().superRefine((value, ctx) => {
  if (!(AWS_REGIONS as readonly string[]).includes(value)) {
    ctx.addIssue({ code: "custom", message: "must be an AWS region that @pulumi/aws knows, such as eu-central-1" });
  } else if (/^(cn-|us-gov-|us-iso|eu-isoe-|eusc-)/.test(value)) {
    ctx.addIssue({
      code: "custom",
      message:
        "must be a region of the commercial aws partition: this stack's ARNs, S3 host names and CloudFront certificate do not exist in the others",
    });
  }
});

/**
 * ACM, RequestCertificate `DomainName`: the first domain name of a certificate (its Common Name) is at most 64
 * octets (RFC 5280). The stack requests the certificate for the media domain unless certificateArn is given.
 */
export const ACM_DOMAIN_NAME_MAX = 64;

const dns = z.discriminatedUnion(
  "type",
  [
    z.strictObject({
      type: z.literal("route53"),
      zoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ"),
    }),
    z.strictObject({ type: z.literal("cloudflare"), zoneId: lowercaseHex32("Cloudflare zone id") }),
    z.strictObject({ type: z.literal("external") }),
  ],
  { error: "must be one of: route53 (with zoneId), cloudflare (with zoneId), external" },
);

export const awsBlock = z.strictObject({
  /** Region of the bucket; CloudFront and IAM are global, the certificate is always in us-east-1. */
  region,
  /** Who answers DNS for the media domain: certificate validation and the alias record go there. */
  dns: dns.default({ type: "external" }),
  /** CloudFront price class: PriceClass_100 (North America, Europe) is the cheapest. */
  priceClass: z.enum(["PriceClass_100", "PriceClass_200", "PriceClass_All"]).default("PriceClass_100"),
  /** An existing ACM certificate for the media domain; CloudFront only accepts certificates in us-east-1. */
  certificateArn: z
    .string()
    .regex(
      /^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/,
      "must be an ACM certificate ARN in us-east-1 (CloudFront only uses certificates from us-east-1)",
    )
    .optional(),
});

export const awsStack = z
  .strictObject({
    provider: z.literal("aws"),
    ...commonShape,
    bucket: providerBucketName(awsBucketNameProblem),
    aws: awsBlock,
  })
  .superRefine((config, ctx) => {
    if (
      config.mediaDomain !== undefined &&
      config.mediaDomain.length > ACM_DOMAIN_NAME_MAX &&
      !config.aws.certificateArn
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["mediaDomain"],
        message: `must be at most ${ACM_DOMAIN_NAME_MAX} characters for ACM to issue its certificate (the first name of a certificate); or give aws.certificateArn`,
      });
    }
  });
