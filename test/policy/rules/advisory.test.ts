import { describe, expect, it } from "vitest";
import { bucketAbortsIncompleteMultipartUploads } from "../../../policy/rules/bucket-aborts-incomplete-multipart-uploads";
import { cloudfrontPriceClassCoversBucketRegion } from "../../../policy/rules/cloudfront-price-class-covers-bucket-region";
import { cloudfrontPriceClassLimited } from "../../../policy/rules/cloudfront-price-class-limited";
import { corsAllowsAnyOrigin } from "../../../policy/rules/cors-allows-any-origin";
import { aws, BUCKET, cloudflare, digitalocean, minio } from "../fixtures";
import { validateResource, validateStack } from "../helpers";

describe("cors-allows-any-origin", () => {
  it("passes '*'", async () => {
    expect(await validateResource(corsAllowsAnyOrigin, aws.cors())).toEqual([]);
  });

  it("advises against a list of origins, which third-party clients are not on", async () => {
    expect(
      await validateResource(corsAllowsAnyOrigin, aws.responseHeaders(["GET", "HEAD"], ["https://social.example.com"])),
    ).toEqual([
      "CORS must allow any origin ('*') unless losing third-party clients (Elk, Phanpy...) is intended: found https://social.example.com.",
    ]);
  });
});

describe("bucket-aborts-incomplete-multipart-uploads", () => {
  const rule = bucketAbortsIncompleteMultipartUploads;
  const advice = `The bucket ${BUCKET} must abort incomplete multipart uploads with a lifecycle rule (e.g. after 7 days).`;

  it("passes S3 with its lifecycle resource, Spaces with its inline rule, R2 with its default or an explicit rule, and MinIO", async () => {
    expect(await validateStack(rule, [aws.bucket(), aws.lifecycle()])).toEqual([]);
    expect(await validateStack(rule, [digitalocean.bucket()])).toEqual([]);
    expect(await validateStack(rule, [cloudflare.bucket()])).toEqual([]);
    expect(await validateStack(rule, [cloudflare.bucket(), cloudflare.lifecycle()])).toEqual([]);
    expect(await validateStack(rule, [minio.bucket()])).toEqual([]);
  });

  it("advises on an S3 bucket without lifecycle and on a Spaces bucket without the abort rule", async () => {
    expect(await validateStack(rule, [{ ...aws.bucket(), name: "media-bucket" }])).toEqual([
      { name: "media-bucket", message: advice },
    ]);
    const spaces = digitalocean.bucket();
    spaces.props.lifecycleRules = [];
    expect((await validateStack(rule, [spaces])).map((finding) => finding.message)).toEqual([advice]);
  });

  it("advises on an R2 lifecycle that replaced the default rule without the abort transition", async () => {
    const lifecycle = cloudflare.lifecycle([
      {
        id: "expire-cache",
        enabled: true,
        conditions: { prefix: "cache/" },
        deleteObjectsTransition: { condition: { type: "Age", maxAge: 2592000 } },
      },
    ]);
    expect((await validateStack(rule, [cloudflare.bucket(), lifecycle])).map((finding) => finding.message)).toEqual([
      advice,
    ]);
  });
});

describe("cloudfront-price-class-limited", () => {
  it("passes PriceClass_100", async () => {
    expect(await validateResource(cloudfrontPriceClassLimited, aws.distribution())).toEqual([]);
  });

  it("advises on PriceClass_All and on the default, which is the same", async () => {
    const distribution = aws.distribution();
    distribution.props.priceClass = "PriceClass_All";
    expect(await validateResource(cloudfrontPriceClassLimited, distribution)).toEqual([
      "The distribution's price class must be a deliberate choice: PriceClass_All pays for every edge location; PriceClass_100 covers North America and Europe.",
    ]);
    delete distribution.props.priceClass;
    expect(await validateResource(cloudfrontPriceClassLimited, distribution)).toHaveLength(1);
  });
});

describe("cloudfront-price-class-covers-bucket-region", () => {
  const rule = cloudfrontPriceClassCoversBucketRegion;
  const inRegion = (region: string) => {
    const bucket = aws.bucket();
    bucket.props.region = region;
    return bucket;
  };

  it("passes PriceClass_100 with a bucket in Europe, and PriceClass_200 with one in Tokyo", async () => {
    expect(await validateStack(rule, [inRegion("eu-central-1"), aws.distribution()])).toEqual([]);
    const distribution = aws.distribution();
    distribution.props.priceClass = "PriceClass_200";
    expect(await validateStack(rule, [inRegion("ap-northeast-1"), distribution])).toEqual([]);
  });

  it("advises when the price class has no edge near the bucket's region", async () => {
    expect(
      await validateStack(rule, [inRegion("ap-southeast-2"), { ...aws.distribution(), name: "media-cdn" }]),
    ).toEqual([
      {
        name: "media-cdn",
        message:
          "The price class must cover the readers' area: PriceClass_100 has no edge near ap-southeast-2; consider PriceClass_200 or PriceClass_All.",
      },
    ]);
    const distribution = aws.distribution();
    distribution.props.priceClass = "PriceClass_200";
    expect(await validateStack(rule, [inRegion("sa-east-1"), distribution])).toHaveLength(1);
  });
});
