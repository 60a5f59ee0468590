import { text } from "../props";
import { AWS } from "../resource-types";
import type { StackRule } from "../rule";

/**
 * The bucket's region hints where the instance's readers are. PriceClass_100 has edges in North America,
 * Europe and Israel only; PriceClass_200 adds Asia, the Middle East and Africa but not South America or
 * Oceania (CloudFront pricing, "Price classes"). Readers outside the class are served from far-away edges.
 */
const PRICE_CLASS_REGIONS: Record<string, RegExp> = {
  PriceClass_100: /^(us|ca|mx|eu|il)-/,
  PriceClass_200: /^(us|ca|mx|eu|il|me|af)-|^ap-(?!southeast-(2|4|6)$)/,
};

export const cloudfrontPriceClassCoversBucketRegion: StackRule = {
  kind: "stack",
  name: "cloudfront-price-class-covers-bucket-region",
  description:
    "Checks whether the distribution's price class has edge locations near the bucket's region, where the readers likely are.",
  enforcementLevel: "advisory",
  severity: "low",
  validate(resources) {
    const regions = resources
      .filter((resource) => resource.type === AWS.bucket || resource.type === AWS.bucketV2)
      .map((bucket) => text(bucket.props.region))
      .filter((region): region is string => region !== undefined);
    return resources
      .filter((resource) => resource.type === AWS.distribution)
      .flatMap((distribution) => {
        const priceClass = text(distribution.props.priceClass) ?? "PriceClass_All";
        const covered = PRICE_CLASS_REGIONS[priceClass];
        const far = covered ? regions.filter((region) => !covered.test(region)) : [];
        return far.length === 0
          ? []
          : [
              {
                urn: distribution.urn,
                message: `The price class must cover the readers' area: ${priceClass} has no edge near ${far.join(", ")}; consider PriceClass_200 or PriceClass_All.`,
              },
            ];
      });
  },
};
