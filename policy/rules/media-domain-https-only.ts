import { field, list, text, texts } from "../props";
import { AWS, DIGITALOCEAN } from "../resource-types";
import type { ResourceRule } from "../rule";

/** CloudFront viewer protocol policies that never serve media over plain HTTP. */
const HTTPS_POLICIES = ["https-only", "redirect-to-https"];

/**
 * The media domain is served over HTTPS only (S3_PROTOCOL=https): every CloudFront cache behaviour redirects
 * or refuses HTTP, and a custom domain carries its own certificate. CloudFront takes certificates only from
 * ACM in us-east-1 (CloudFront developer guide, "Requirements for using SSL/TLS certificates with
 * CloudFront"); the default *.cloudfront.net certificate does not cover a custom domain. DigitalOcean's CDN
 * needs a certificate for a custom domain.
 */
export const mediaDomainHttpsOnly: ResourceRule = {
  kind: "resource",
  name: "media-domain-https-only",
  description: "Checks whether the CDN serves media over HTTPS only, with a certificate for the custom media domain.",
  enforcementLevel: "mandatory",
  severity: "high",
  resourceTypes: [AWS.distribution, DIGITALOCEAN.cdn],
  validate(resource) {
    const { props } = resource;
    if (resource.type === DIGITALOCEAN.cdn) {
      const customDomain = text(props.customDomain);
      return customDomain && !text(props.certificateName) && !text(props.certificateId)
        ? [`The CDN must have a certificate for ${customDomain} (certificateName).`]
        : [];
    }
    const messages: string[] = [];
    const behaviours = [field(props, "defaultCacheBehavior"), ...list(props.orderedCacheBehaviors)];
    for (const behaviour of behaviours) {
      const policy = text(field(behaviour, "viewerProtocolPolicy"));
      const path = text(field(behaviour, "pathPattern")) ?? "default";
      if (!policy || !HTTPS_POLICIES.includes(policy)) {
        messages.push(
          `The ${path} cache behaviour must redirect HTTP to HTTPS (viewerProtocolPolicy redirect-to-https or https-only): found ${policy ?? "none"}.`,
        );
      }
    }
    const aliases = texts(props.aliases);
    if (aliases.length > 0) {
      const certificate = field(props, "viewerCertificate");
      const acmArn = text(field(certificate, "acmCertificateArn"));
      if (
        field(certificate, "cloudfrontDefaultCertificate") === true ||
        (!acmArn && !text(field(certificate, "iamCertificateId")))
      ) {
        messages.push(
          `The distribution must use a certificate for ${aliases.join(", ")} (acmCertificateArn), not CloudFront's default one.`,
        );
      } else if (acmArn && !acmArn.startsWith("arn:aws:acm:us-east-1:")) {
        messages.push(`The distribution's certificate must come from ACM in us-east-1: found ${acmArn}.`);
      }
    }
    return messages;
  },
};
