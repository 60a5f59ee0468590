import * as pulumi from "@pulumi/pulumi";
import * as aws from "./sdk";
import { CORS_EXPOSE_HEADERS, CORS_MAX_AGE_SECONDS, CORS_METHODS } from "../../components/cors";
import type { AwsStackConfig } from "../../components/config";
import type { CacheBusterEdge } from "./cache-buster";

/**
 * AWS managed cache policy "CachingOptimized": honours the origin's Cache-Control up to one year (max TTL
 * 31536000 s), which Mastodon sets to `public, max-age=315576000, immutable`. A fixed, documented id (CloudFront
 * developer guide, "Use managed cache policies"), so no lookup is needed.
 */
export const CACHING_OPTIMIZED_POLICY_ID = "658327ea-f89d-4fab-a63d-7e88639e58f6";

/**
 * AWS managed origin request policy "CORS-S3Origin": forwards `Origin`, `Access-Control-Request-Headers` and
 * `Access-Control-Request-Method` to S3 (CloudFront developer guide, "Use managed origin request policies").
 * Without an origin request policy CloudFront forwards only what the cache policy names (CachingOptimized names
 * no header), and S3 answers a preflight that lacks them with 400 (S3 API reference, "OPTIONS object"); the
 * response headers policy adds headers but never changes that status. Id as published by AWS (also
 * `OriginRequestPolicy.CORS_S3_ORIGIN` in aws-cdk-lib).
 */
export const CORS_S3_ORIGIN_REQUEST_POLICY_ID = "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf";

/** CloudFront's limit on a distribution's `Comment` (CloudFront API reference, "DistributionConfig"). */
export const DISTRIBUTION_COMMENT_MAX = 128;

/**
 * The distribution's comment, `Mastodon media for WEB_DOMAIN`, cut to CloudFront's 128 characters (a valid
 * host name may have 253): the domain keeps its end, the part that names the instance, after an ellipsis.
 */
export function distributionComment(webDomain: string): string {
  const prefix = "Mastodon media for ";
  const room = DISTRIBUTION_COMMENT_MAX - prefix.length;
  return webDomain.length <= room
    ? `${prefix}${webDomain}`
    : `${prefix}...${webDomain.slice(webDomain.length - (room - 3))}`;
}

/** HSTS for the media host: two years. */
const HSTS_MAX_AGE_SECONDS = 63072000;

export interface MediaDistributionArgs {
  config: AwsStackConfig;
  mediaDomain: string;
  bucket: aws.s3.Bucket;
  certificateArn: pulumi.Input<string>;
  /** Mastodon's cache buster on the media behaviour (providers/aws/cache-buster.ts). */
  cacheBuster?: Pick<CacheBusterEdge, "origin" | "functionAssociation">;
}

/**
 * CloudFront in front of the private bucket: Origin Access Control signs its reads, HTTPS only with TLS 1.2+,
 * HTTP/2 and HTTP/3, CORS and nosniff added at the edge.
 */
export function createDistribution(name: string, args: MediaDistributionArgs, parent: pulumi.Resource) {
  const child = { parent };
  const originAccessControl = new aws.cloudfront.OriginAccessControl(
    `${name}-oac`,
    {
      description: `Reads the ${args.config.bucket} media bucket for Mastodon`,
      originAccessControlOriginType: "s3",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    },
    child,
  );

  const responseHeaders = new aws.cloudfront.ResponseHeadersPolicy(
    `${name}-response-headers`,
    {
      comment: "Mastodon media: CORS for cross-origin clients, nosniff, HSTS",
      corsConfig: {
        accessControlAllowCredentials: false,
        accessControlAllowHeaders: { items: ["*"] },
        accessControlAllowMethods: { items: [...CORS_METHODS] },
        accessControlAllowOrigins: { items: [...args.config.corsOrigins] },
        accessControlExposeHeaders: { items: [...CORS_EXPOSE_HEADERS] },
        accessControlMaxAgeSec: CORS_MAX_AGE_SECONDS,
        originOverride: true,
      },
      securityHeadersConfig: {
        contentTypeOptions: { override: true },
        strictTransportSecurity: {
          accessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS,
          override: true,
          includeSubdomains: false,
        },
      },
    },
    child,
  );

  const originId = "media-bucket";
  const distribution = new aws.cloudfront.Distribution(
    `${name}-cdn`,
    {
      enabled: true,
      comment: distributionComment(args.config.webDomain),
      aliases: [args.mediaDomain],
      isIpv6Enabled: true,
      httpVersion: "http2and3",
      priceClass: args.config.aws.priceClass,
      // No s3OriginConfig with OAC: the provider sends an empty one itself, and an explicit one diffs forever.
      origins: [
        { originId, domainName: args.bucket.bucketRegionalDomainName, originAccessControlId: originAccessControl.id },
        ...(args.cacheBuster ? [args.cacheBuster.origin] : []),
      ],
      defaultCacheBehavior: {
        targetOriginId: originId,
        viewerProtocolPolicy: "redirect-to-https",
        // OPTIONS so that CORS preflights reach an answer; nothing that writes.
        allowedMethods: ["GET", "HEAD", "OPTIONS"],
        cachedMethods: ["GET", "HEAD"],
        cachePolicyId: CACHING_OPTIMIZED_POLICY_ID,
        originRequestPolicyId: CORS_S3_ORIGIN_REQUEST_POLICY_ID,
        responseHeadersPolicyId: responseHeaders.id,
        compress: true,
        functionAssociations: args.cacheBuster ? [args.cacheBuster.functionAssociation] : [],
      },
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: {
        acmCertificateArn: args.certificateArn,
        sslSupportMethod: "sni-only",
        minimumProtocolVersion: "TLSv1.2_2021",
      },
    },
    child,
  );
  return { distribution, originAccessControl, responseHeaders };
}
