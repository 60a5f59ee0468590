import { z } from "zod";
import { bucketName, lowercaseHex32 } from "./validators";
import { commonShape } from "./common";

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
  region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/, "must be an AWS region such as eu-central-1"),
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

export const awsStack = z.strictObject({
  provider: z.literal("aws"),
  ...commonShape,
  bucket: bucketName({ allowDots: true }),
  aws: awsBlock,
});
