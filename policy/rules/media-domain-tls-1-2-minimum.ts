import { field, text, texts } from "../props";
import { AWS, CLOUDFLARE } from "../resource-types";
import type { ResourceRule } from "../rule";

/**
 * The media domain refuses TLS below 1.2 (TLS 1.0 and 1.1 are deprecated by RFC 8996). CloudFront security
 * policies from TLSv1.2_2018 on qualify; an R2 custom domain defaults to minTls 1.0, so it must be set.
 */
export const mediaDomainTls12Minimum: ResourceRule = {
  kind: "resource",
  name: "media-domain-tls-1-2-minimum",
  description: "Checks whether the custom media domain (CloudFront alias, R2 custom domain) requires TLS 1.2 or later.",
  enforcementLevel: "mandatory",
  severity: "high",
  resourceTypes: [AWS.distribution, CLOUDFLARE.r2CustomDomain],
  validate(resource) {
    const { props } = resource;
    if (resource.type === CLOUDFLARE.r2CustomDomain) {
      const minTls = text(props.minTls);
      return minTls === "1.2" || minTls === "1.3"
        ? []
        : [
            `The R2 custom domain ${text(props.domain) ?? ""} must set minTls 1.2 or 1.3: found ${minTls ?? "none (Cloudflare's default is 1.0)"}.`,
          ];
    }
    // Without an alias the distribution is only reached on *.cloudfront.net, whose TLS settings CloudFront owns.
    if (texts(props.aliases).length === 0) return [];
    const version = text(field(props, "viewerCertificate", "minimumProtocolVersion"));
    return version && /^TLSv1\.[23]_\d{4}$/.test(version)
      ? []
      : [
          `The distribution must require TLS 1.2 or later (minimumProtocolVersion TLSv1.2_2021): found ${version ?? "none"}.`,
        ];
  },
};
