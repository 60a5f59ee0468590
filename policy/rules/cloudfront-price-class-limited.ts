import { text } from "../props";
import { AWS } from "../resource-types";
import type { ResourceRule } from "../rule";

/**
 * CloudFront defaults to PriceClass_All: every edge location, at the highest per-GB price. Most instances'
 * readers are served well by PriceClass_100 or _200 (CloudFront pricing, "Price classes").
 */
export const cloudfrontPriceClassLimited: ResourceRule = {
  kind: "resource",
  name: "cloudfront-price-class-limited",
  description:
    "Checks whether the media distribution uses every edge location (PriceClass_All, the default), the most expensive choice.",
  enforcementLevel: "advisory",
  severity: "low",
  resourceTypes: [AWS.distribution],
  validate(resource) {
    const priceClass = text(resource.props.priceClass);
    return priceClass === undefined || priceClass === "PriceClass_All"
      ? [
          `The distribution's price class must be a deliberate choice: ${priceClass ?? "the default"} pays for every edge location; PriceClass_100 covers North America and Europe.`,
        ]
      : [];
  },
};
