import { describe, expect, it } from "vitest";
import { corsReadOnlyMethods } from "../../../policy/rules/cors-read-only-methods";
import { mediaDomainHttpsOnly } from "../../../policy/rules/media-domain-https-only";
import { mediaDomainTls12Minimum } from "../../../policy/rules/media-domain-tls-1-2-minimum";
import { aws, cloudflare, digitalocean } from "../fixtures";
import { validateResource } from "../helpers";

describe("cors-read-only-methods", () => {
  const rule = corsReadOnlyMethods;

  it("passes GET and HEAD on S3, R2, Spaces, and GET, HEAD, OPTIONS at the CloudFront edge", async () => {
    expect(await validateResource(rule, aws.cors())).toEqual([]);
    expect(await validateResource(rule, cloudflare.cors())).toEqual([]);
    expect(
      await validateResource(rule, {
        type: "digitalocean:index/spacesBucketCorsConfiguration:SpacesBucketCorsConfiguration",
        props: aws.cors().props,
      }),
    ).toEqual([]);
    expect(await validateResource(rule, aws.responseHeaders(["GET", "HEAD", "OPTIONS"]))).toEqual([]);
  });

  it("fails PUT in S3 and R2 CORS", async () => {
    expect(await validateResource(rule, aws.cors(["GET", "HEAD", "PUT"]))).toEqual([
      "CORS must allow only GET and HEAD: found PUT.",
    ]);
    expect(await validateResource(rule, cloudflare.cors(["GET", "PUT", "DELETE"]))).toEqual([
      "CORS must allow only GET and HEAD: found PUT, DELETE.",
    ]);
  });

  it("fails ALL at the CloudFront edge and POST in a Spaces bucket's deprecated inline rules", async () => {
    expect(await validateResource(rule, aws.responseHeaders(["ALL"]))).toEqual([
      "CORS must allow only GET and HEAD: found ALL.",
    ]);
    const bucket = digitalocean.bucket();
    bucket.props.corsRules = [{ allowedMethods: ["GET", "POST"], allowedOrigins: ["*"] }];
    expect(await validateResource(rule, bucket)).toEqual(["CORS must allow only GET and HEAD: found POST."]);
  });
});

describe("media-domain-https-only", () => {
  const rule = mediaDomainHttpsOnly;

  it("passes CloudFront redirecting to HTTPS with an ACM certificate from us-east-1, and a Spaces CDN with a certificate", async () => {
    expect(await validateResource(rule, aws.distribution())).toEqual([]);
    expect(await validateResource(rule, digitalocean.cdn())).toEqual([]);
  });

  it("fails a cache behaviour that serves plain HTTP", async () => {
    const distribution = aws.distribution();
    distribution.props.orderedCacheBehaviors = [
      { pathPattern: "cache/*", viewerProtocolPolicy: "allow-all", targetOriginId: "media-bucket" },
    ];
    expect(await validateResource(rule, distribution)).toEqual([
      "The cache/* cache behaviour must redirect HTTP to HTTPS (viewerProtocolPolicy redirect-to-https or https-only): found allow-all.",
    ]);
  });

  it("fails the default certificate on a custom domain and a certificate from another region", async () => {
    const defaultCertificate = aws.distribution();
    defaultCertificate.props.viewerCertificate = { cloudfrontDefaultCertificate: true };
    expect(await validateResource(rule, defaultCertificate)).toEqual([
      "The distribution must use a certificate for files.example.com (acmCertificateArn), not CloudFront's default one.",
    ]);
    const wrongRegion = aws.distribution();
    (wrongRegion.props.viewerCertificate as { acmCertificateArn: string }).acmCertificateArn =
      "arn:aws:acm:eu-central-1:123456789012:certificate/x";
    expect(await validateResource(rule, wrongRegion)).toEqual([
      "The distribution's certificate must come from ACM in us-east-1: found arn:aws:acm:eu-central-1:123456789012:certificate/x.",
    ]);
  });

  it("fails a Spaces CDN custom domain without a certificate", async () => {
    const cdn = digitalocean.cdn();
    delete cdn.props.certificateName;
    expect(await validateResource(rule, cdn)).toEqual([
      "The CDN must have a certificate for files.example.com (certificateName).",
    ]);
  });
});

describe("media-domain-tls-1-2-minimum", () => {
  const rule = mediaDomainTls12Minimum;

  it("passes TLSv1.2_2021 on CloudFront and minTls 1.2 on an R2 custom domain", async () => {
    expect(await validateResource(rule, aws.distribution())).toEqual([]);
    expect(await validateResource(rule, cloudflare.customDomain("1.2"))).toEqual([]);
    expect(await validateResource(rule, cloudflare.customDomain("1.3"))).toEqual([]);
  });

  it("fails TLS 1.0 on CloudFront", async () => {
    const distribution = aws.distribution();
    (distribution.props.viewerCertificate as { minimumProtocolVersion: string }).minimumProtocolVersion = "TLSv1";
    expect(await validateResource(rule, distribution)).toEqual([
      "The distribution must require TLS 1.2 or later (minimumProtocolVersion TLSv1.2_2021): found TLSv1.",
    ]);
    (distribution.props.viewerCertificate as { minimumProtocolVersion: string }).minimumProtocolVersion =
      "TLSv1.1_2016";
    expect(await validateResource(rule, distribution)).toHaveLength(1);
  });

  it("fails an R2 custom domain with minTls 1.0 or with Cloudflare's default", async () => {
    expect(await validateResource(rule, cloudflare.customDomain("1.0"))).toEqual([
      "The R2 custom domain files.example.com must set minTls 1.2 or 1.3: found 1.0.",
    ]);
    expect(await validateResource(rule, cloudflare.customDomain(null))).toEqual([
      "The R2 custom domain files.example.com must set minTls 1.2 or 1.3: found none (Cloudflare's default is 1.0).",
    ]);
  });
});
