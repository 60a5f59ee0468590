import { describe, expect, it } from "vitest";
import { bucketLifecycleKeepsMedia } from "../../../policy/rules/bucket-lifecycle-keeps-media";
import { bucketNameAndLocationAccepted } from "../../../policy/rules/bucket-name-and-location-accepted";
import { bucketPolicyPrincipalsLimited } from "../../../policy/rules/bucket-policy-principals-limited";
import { writerScopedToStackBucket } from "../../../policy/rules/writer-scoped-to-stack-bucket";
import {
  ACCOUNT_ID,
  aws,
  BUCKET,
  cloudflare,
  cloudFrontReadDocument,
  digitalocean,
  DISTRIBUTION_ARN,
  minio,
  PUBLIC_RESOURCES,
} from "../fixtures";
import { validateResource, validateStack } from "../helpers";

/** The holes issue 9 found by mutation testing, each with a passing and a failing resource. */

describe("bucket-lifecycle-keeps-media", () => {
  const rule = bucketLifecycleKeepsMedia;
  const message = (id: string, problem: string) =>
    `Lifecycle rule ${id} must not ${problem}: the bucket is Mastodon's only copy of its media, so every file past that age would be lost. Only the rule aborting incomplete multipart uploads belongs here.`;

  it("passes the abort-incomplete-multipart rule of each provider", async () => {
    for (const resource of [aws.lifecycle(), cloudflare.lifecycle(), digitalocean.bucket()])
      expect(await validateResource(rule, resource)).toEqual([]);
  });

  it("fails an AWS rule expiring current objects or moving them to Glacier, and passes a disabled one or an Infrequent Access move", async () => {
    const lifecycle = aws.lifecycle();
    const rules = lifecycle.props.rules as Record<string, unknown>[];
    rules.push({ id: "expire", status: "Enabled", expiration: { days: 30 } });
    rules.push({ id: "archive", status: "Enabled", transitions: [{ days: 90, storageClass: "DEEP_ARCHIVE" }] });
    rules.push({ id: "off", status: "Disabled", expiration: { days: 1 } });
    rules.push({ id: "cheaper", status: "Enabled", transitions: [{ days: 90, storageClass: "STANDARD_IA" }] });
    rules.push({ id: "markers", status: "Enabled", expiration: { days: 0, expiredObjectDeleteMarker: true } });
    expect(await validateResource(rule, lifecycle)).toEqual([
      message("expire", "expire current objects (expiration after 30 days)"),
      message("archive", "move current objects to DEEP_ARCHIVE, which S3 does not serve without a restore"),
    ]);
  });

  it("fails a Spaces expiration, an R2 delete transition and a MinIO ILM expiration", async () => {
    const bucket = digitalocean.bucket();
    (bucket.props.lifecycleRules as Record<string, unknown>[]).push({
      id: "expire",
      enabled: true,
      expiration: { date: "2027-01-01" },
    });
    expect(await validateResource(rule, bucket)).toEqual([
      message("expire", "expire current objects (expiration on 2027-01-01)"),
    ]);
    const r2 = cloudflare.lifecycle([
      {
        id: "expire",
        enabled: true,
        conditions: { prefix: "cache/" },
        deleteObjectsTransition: { condition: { type: "Age", maxAge: 86400 } },
      },
    ]);
    expect(await validateResource(rule, r2)).toEqual([
      message("expire", "delete current objects (deleteObjectsTransition)"),
    ]);
    const ilm = {
      type: "minio:index/ilmPolicy:IlmPolicy",
      props: { bucket: BUCKET, rules: [{ id: "expire", expiration: "7d" }] },
    };
    expect(await validateResource(rule, ilm)).toEqual([message("expire", "expire current objects (expiration 7d)")]);
    const noncurrent = {
      type: "minio:index/ilmPolicy:IlmPolicy",
      props: { bucket: BUCKET, rules: [{ id: "old-versions", noncurrentVersionExpirationDays: 7 }] },
    };
    expect(await validateResource(rule, noncurrent)).toEqual([]);
  });
});

describe("bucket-policy-principals-limited", () => {
  const rule = bucketPolicyPrincipalsLimited;
  const distribution = (arn?: string) => ({
    ...aws.distribution(),
    props: { ...aws.distribution().props, ...(arn ? { arn } : {}) },
  });
  const withStatement = (statement: Record<string, unknown>) => {
    const document = cloudFrontReadDocument();
    document.Statement.push({
      Sid: "Extra",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: PUBLIC_RESOURCES[0],
      ...statement,
    });
    return aws.bucketPolicy(document);
  };
  const awsMessage = (problem: string) =>
    `Bucket policy statement Extra must name only this stack's CloudFront distribution (the CloudFront service principal with AWS:SourceArn): ${problem}.`;

  it("passes this stack's distribution on AWS, in the plan (no ARN known) and in CrossGuard (ARN known)", async () => {
    expect(await validateStack(rule, [distribution(), aws.bucketPolicy()])).toEqual([]);
    expect(await validateStack(rule, [distribution(DISTRIBUTION_ARN), aws.bucketPolicy()])).toEqual([]);
  });

  it("passes anonymous read on MinIO and Spaces", async () => {
    expect(await validateStack(rule, [minio.bucketPolicy(), digitalocean.bucketPolicy()])).toEqual([]);
  });

  it.each([
    [{ Principal: { AWS: "arn:aws:iam::999999999999:root" } }, "it also grants arn:aws:iam::999999999999:root"],
    [{ Principal: { AWS: "*" } }, "it grants anyone (*)"],
    [{ Principal: "*" }, "it grants anyone (*)"],
    [
      { Principal: { Service: "cloudfront.amazonaws.com" } },
      "the CloudFront service principal has no AWS:SourceArn condition (StringEquals or ArnEquals), so any distribution of any account could read through it",
    ],
    [
      {
        Principal: { Service: "cloudfront.amazonaws.com" },
        Condition: { StringEquals: { "AWS:SourceAccount": "123456789012" } },
      },
      "the CloudFront service principal has no AWS:SourceArn condition (StringEquals or ArnEquals), so any distribution of any account could read through it",
    ],
    [
      {
        Principal: { Service: "cloudfront.amazonaws.com" },
        Condition: { StringLike: { "AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/*" } },
      },
      "the CloudFront service principal has no AWS:SourceArn condition (StringEquals or ArnEquals), so any distribution of any account could read through it",
    ],
    [{ Principal: { Service: "logging.s3.amazonaws.com" } }, "it also grants logging.s3.amazonaws.com"],
  ])("fails on AWS: %j", async (statement, problem) => {
    expect(
      await validateStack(rule, [distribution(), { ...withStatement(statement), name: "media-bucket-policy" }]),
    ).toEqual([{ name: "media-bucket-policy", message: awsMessage(problem) }]);
  });

  it("fails another distribution: by ARN when CrossGuard knows this stack's, by count in the plan", async () => {
    const other = {
      Principal: { Service: "cloudfront.amazonaws.com" },
      Condition: { StringEquals: { "AWS:SourceArn": "arn:aws:cloudfront::999999999999:distribution/EOTHER" } },
    };
    expect(
      (await validateStack(rule, [distribution(DISTRIBUTION_ARN), withStatement(other)])).map(
        (finding) => finding.message,
      ),
    ).toEqual([
      awsMessage(
        "AWS:SourceArn arn:aws:cloudfront::999999999999:distribution/EOTHER is not a distribution of this stack",
      ),
    ]);
    expect(
      (await validateStack(rule, [distribution(), withStatement(other)])).map((finding) => finding.message),
    ).toEqual([
      `Bucket policies must name only this stack's CloudFront distribution: they name 2 distributions (${DISTRIBUTION_ARN}, arn:aws:cloudfront::999999999999:distribution/EOTHER) while the stack has 1.`,
    ]);
  });

  it("fails a named principal on MinIO", async () => {
    const document = cloudFrontReadDocument();
    document.Statement = [
      {
        Sid: "Reader",
        Effect: "Allow",
        Principal: { AWS: ["arn:aws:iam::999999999999:user/reader"] },
        Action: "s3:GetObject",
        Resource: PUBLIC_RESOURCES,
      },
    ];
    expect((await validateStack(rule, [minio.bucketPolicy(document)])).map((finding) => finding.message)).toEqual([
      'Bucket policy statement Reader must name only anonymous readers (Principal "*"): it grants arn:aws:iam::999999999999:user/reader.',
    ]);
  });
});

describe("writer-scoped-to-stack-bucket, R2 jurisdictions", () => {
  const rule = writerScopedToStackBucket;
  const key = (jurisdiction: string) => ({
    [`com.cloudflare.edge.r2.bucket.${ACCOUNT_ID}_${jurisdiction}_${BUCKET}`]: "*",
  });

  it("passes a token for the stack's bucket in its jurisdiction, us included", async () => {
    expect(await validateStack(rule, [cloudflare.bucket(), cloudflare.token(key("default"))])).toEqual([]);
    const usBucket = { ...cloudflare.bucket(), props: { ...cloudflare.bucket().props, jurisdiction: "us" } };
    expect(await validateStack(rule, [usBucket, cloudflare.token(key("us"))])).toEqual([]);
  });

  it("fails a token for the bucket's name in another jurisdiction", async () => {
    expect(
      (await validateStack(rule, [cloudflare.bucket(), cloudflare.token(key("eu"))])).map((finding) => finding.message),
    ).toEqual([
      `The R2 writer token must be scoped to this stack's bucket ${BUCKET} (jurisdiction default, account ${ACCOUNT_ID}): it names ${BUCKET} (jurisdiction eu, account ${ACCOUNT_ID}).`,
    ]);
  });
});

describe("bucket-name-and-location-accepted", () => {
  const rule = bucketNameAndLocationAccepted;

  it("passes each provider's bucket as the components create it", async () => {
    for (const bucket of [aws.bucket(), cloudflare.bucket(), digitalocean.bucket(), minio.bucket()])
      expect(await validateResource(rule, bucket)).toEqual([]);
  });

  it("fails a dotted S3 name, an unknown AWS region and an R2 jurisdiction the SDK does not list", async () => {
    const bucket = {
      ...aws.bucket(),
      props: { ...aws.bucket().props, bucket: "media.example.com", region: "us-east-9" },
    };
    expect(await validateResource(rule, bucket)).toEqual([
      "The bucket name media.example.com must not contain dots: a dotted bucket name breaks TLS on S3's virtual-hosted endpoints (BUCKET.s3.REGION.amazonaws.com), which Mastodon and CloudFront use; use hyphens instead.",
      "The bucket region us-east-9 must be a region @pulumi/aws knows (its Region enum).",
    ]);
    const r2 = { ...cloudflare.bucket(), props: { ...cloudflare.bucket().props, jurisdiction: "apac" } };
    expect(await validateResource(rule, r2)).toEqual([
      "The R2 jurisdiction apac must be one of default, eu, fedramp, us.",
    ]);
    const spaces = { ...digitalocean.bucket(), props: { ...digitalocean.bucket().props, name: "media.example" } };
    expect(await validateResource(rule, spaces)).toEqual([
      "The bucket name media.example may contain only lowercase letters, digits and hyphens.",
    ]);
  });
});
