/**
 * Hand-built resource shapes as each provider's component sends them (the inputs of the committed stacks'
 * plans): the passing case of every rule test. Each function returns a fresh object, so a test can break one
 * thing.
 */

export const BUCKET = "example-social-media";
export const ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
export const ZONE_ID = "fedcba9876543210fedcba9876543210";
export const DISTRIBUTION_ARN = "arn:aws:cloudfront::123456789012:distribution/E2QWRUHEXAMPLE";
export const R2_ITEM_WRITE = "2efd5506f9c8494dacb1fa10a3e7d5b6";

export const PUBLIC_RESOURCES = [
  "media_attachments",
  "accounts",
  "custom_emojis",
  "site_uploads",
  "preview_card_providers",
  "preview_cards",
  "cache",
].map((prefix) => `arn:aws:s3:::${BUCKET}/${prefix}/*`);

export interface Doc {
  Version: string;
  Statement: Record<string, unknown>[];
}

export function anonymousReadDocument(): Doc {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "PublicReadMedia",
        Effect: "Allow",
        Principal: { AWS: ["*"] },
        Action: ["s3:GetObject"],
        Resource: [...PUBLIC_RESOURCES],
      },
    ],
  };
}

export function cloudFrontReadDocument(): Doc {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "CloudFrontReadsMedia",
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: ["s3:GetObject"],
        Resource: [...PUBLIC_RESOURCES],
        Condition: { StringEquals: { "AWS:SourceArn": DISTRIBUTION_ARN } },
      },
    ],
  };
}

export function writerDocument(bucket = BUCKET): Doc {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadWriteMediaObjects",
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
        Resource: `arn:aws:s3:::${bucket}/*`,
      },
      { Sid: "ListMediaBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: `arn:aws:s3:::${bucket}` },
    ],
  };
}

export const json = (document: unknown) => JSON.stringify(document);

export const aws = {
  bucket: () => ({
    type: "aws:s3/bucket:Bucket",
    props: { bucket: BUCKET, forceDestroy: false, region: "eu-central-1" } as Record<string, unknown>,
  }),
  bucketPolicy: (document: Doc = cloudFrontReadDocument()) => ({
    type: "aws:s3/bucketPolicy:BucketPolicy",
    props: { bucket: BUCKET, region: "eu-central-1", policy: json(document) } as Record<string, unknown>,
  }),
  userPolicy: (document: Doc = writerDocument()) => ({
    type: "aws:iam/userPolicy:UserPolicy",
    props: { user: "media-writer-bbf2b67", policy: json(document) } as Record<string, unknown>,
  }),
  cors: (methods = ["GET", "HEAD"], origins = ["*"]) => ({
    type: "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
    props: {
      bucket: BUCKET,
      region: "eu-central-1",
      corsRules: [
        {
          allowedHeaders: ["*"],
          allowedMethods: methods,
          allowedOrigins: origins,
          exposeHeaders: ["ETag"],
          maxAgeSeconds: 3000,
        },
      ],
    } as Record<string, unknown>,
  }),
  lifecycle: () => ({
    type: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    props: {
      bucket: BUCKET,
      region: "eu-central-1",
      rules: [
        {
          id: "abort-incomplete-multipart-uploads",
          status: "Enabled",
          filter: { prefix: "" },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
      ],
    } as Record<string, unknown>,
  }),
  responseHeaders: (methods = ["GET", "HEAD"], origins = ["*"]) => ({
    type: "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
    props: {
      corsConfig: {
        accessControlAllowCredentials: false,
        accessControlAllowHeaders: { items: ["*"] },
        accessControlAllowMethods: { items: methods },
        accessControlAllowOrigins: { items: origins },
        accessControlExposeHeaders: { items: ["ETag"] },
        accessControlMaxAgeSec: 3000,
        originOverride: true,
      },
    } as Record<string, unknown>,
  }),
  distribution: () => ({
    type: "aws:cloudfront/distribution:Distribution",
    props: {
      aliases: ["files.example.com"],
      enabled: true,
      priceClass: "PriceClass_100",
      defaultCacheBehavior: {
        allowedMethods: ["GET", "HEAD", "OPTIONS"],
        cachedMethods: ["GET", "HEAD"],
        targetOriginId: "media-bucket",
        viewerProtocolPolicy: "redirect-to-https",
        originRequestPolicyId: "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
      },
      origins: [
        {
          domainName: `${BUCKET}.s3.eu-central-1.amazonaws.com`,
          originAccessControlId: "media-oac-id",
          originId: "media-bucket",
        },
      ],
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: {
        acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012",
        minimumProtocolVersion: "TLSv1.2_2021",
        sslSupportMethod: "sni-only",
      },
    } as Record<string, unknown>,
  }),
};

export const cloudflare = {
  bucket: () => ({
    type: "cloudflare:index/r2Bucket:R2Bucket",
    props: { accountId: ACCOUNT_ID, jurisdiction: "default", location: "weur", name: BUCKET } as Record<
      string,
      unknown
    >,
  }),
  token: (
    resources: Record<string, unknown> = { [`com.cloudflare.edge.r2.bucket.${ACCOUNT_ID}_default_${BUCKET}`]: "*" },
    groups = [R2_ITEM_WRITE],
  ) => ({
    type: "cloudflare:index/accountToken:AccountToken",
    props: {
      accountId: ACCOUNT_ID,
      name: `mastodon-media writer for R2 bucket ${BUCKET}`,
      policies: [
        { effect: "allow", permissionGroups: groups.map((id) => ({ id })), resources: JSON.stringify(resources) },
      ],
    } as Record<string, unknown>,
  }),
  /** `null` leaves minTls out, as a program that forgets it would. */
  customDomain: (minTls: string | null = "1.2") => ({
    type: "cloudflare:index/r2CustomDomain:R2CustomDomain",
    props: {
      accountId: ACCOUNT_ID,
      bucketName: BUCKET,
      domain: "files.example.com",
      enabled: true,
      jurisdiction: "default",
      zoneId: ZONE_ID,
      ...(minTls === null ? {} : { minTls }),
    } as Record<string, unknown>,
  }),
  managedDomain: (enabled: boolean) => ({
    type: "cloudflare:index/r2ManagedDomain:R2ManagedDomain",
    props: { accountId: ACCOUNT_ID, bucketName: BUCKET, enabled, jurisdiction: "default" } as Record<string, unknown>,
  }),
  guard: (
    expression = '(lower(http.host) in {"files.example.com" "files.example.com."} and (http.request.uri.path contains "/backups/" or ' +
      'http.request.uri.path contains "/imports/" or url_decode(http.request.uri.path) contains "/backups/" or ' +
      'url_decode(http.request.uri.path) contains "/imports/"))',
  ) => ({
    type: "cloudflare:index/ruleset:Ruleset",
    props: {
      kind: "zone",
      name: "Zone custom rules (managed by mastodon-media)",
      phase: "http_request_firewall_custom",
      zoneId: ZONE_ID,
      rules: [{ action: "block", enabled: true, expression, ref: "mastodon_media_private_keys" }],
    } as Record<string, unknown>,
  }),
  cors: (methods = ["GET", "HEAD"]) => ({
    type: "cloudflare:index/r2BucketCors:R2BucketCors",
    props: {
      accountId: ACCOUNT_ID,
      bucketName: BUCKET,
      jurisdiction: "default",
      rules: [{ allowed: { headers: ["*"], methods, origins: ["*"] }, exposeHeaders: ["ETag"], maxAgeSeconds: 3000 }],
    } as Record<string, unknown>,
  }),
  lifecycle: (
    rules: Record<string, unknown>[] = [
      {
        id: "abort-incomplete-multipart-uploads",
        enabled: true,
        conditions: { prefix: "" },
        abortMultipartUploadsTransition: { condition: { maxAge: 604800, type: "Age" } },
      },
    ],
  ) => ({
    type: "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle",
    props: { accountId: ACCOUNT_ID, bucketName: BUCKET, jurisdiction: "default", rules } as Record<string, unknown>,
  }),
};

export const digitalocean = {
  bucket: () => ({
    type: "digitalocean:index/spacesBucket:SpacesBucket",
    props: {
      acl: "private",
      forceDestroy: false,
      lifecycleRules: [
        { abortIncompleteMultipartUploadDays: 7, enabled: true, id: "abort-incomplete-multipart-uploads" },
      ],
      name: BUCKET,
      region: "fra1",
    } as Record<string, unknown>,
  }),
  bucketPolicy: (document: Doc = anonymousReadDocument()) => ({
    type: "digitalocean:index/spacesBucketPolicy:SpacesBucketPolicy",
    props: { bucket: BUCKET, region: "fra1", policy: json(document) } as Record<string, unknown>,
  }),
  key: (grants: { bucket: string; permission: string }[] = [{ bucket: BUCKET, permission: "readwrite" }]) => ({
    type: "digitalocean:index/spacesKey:SpacesKey",
    props: { grants } as Record<string, unknown>,
  }),
  cdn: () => ({
    type: "digitalocean:index/cdn:Cdn",
    props: {
      certificateName: "media-certificate-42cc0d2",
      customDomain: "files.example.com",
      origin: `${BUCKET}.fra1.digitaloceanspaces.com`,
      ttl: 86400,
    } as Record<string, unknown>,
  }),
};

export const minio = {
  bucket: () => ({
    type: "minio:index/s3Bucket:S3Bucket",
    props: { acl: "private", bucket: BUCKET, forceDestroy: true } as Record<string, unknown>,
  }),
  bucketPolicy: (document: Doc = anonymousReadDocument()) => ({
    type: "minio:index/s3BucketPolicy:S3BucketPolicy",
    props: { bucket: BUCKET, policy: json(document) } as Record<string, unknown>,
  }),
  iamPolicy: (document: Doc = writerDocument()) => ({
    type: "minio:index/iamPolicy:IamPolicy",
    props: { policy: json(document) } as Record<string, unknown>,
  }),
  attachment: (policyName = "media-writer-policy-c8ac55a") => ({
    type: "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment",
    props: { policyName, userName: "media-writer-bbf2b67" } as Record<string, unknown>,
  }),
};
