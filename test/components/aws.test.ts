import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { publicReadPolicy, writerPolicy } from "../../components/policy-documents";
import {
  CACHING_OPTIMIZED_POLICY_ID,
  CORS_S3_ORIGIN_REQUEST_POLICY_ID,
  distributionComment,
} from "../../providers/aws/distribution";
import { jsonInput, planConfig, resourceOf, resourcesOf } from "../helpers/plan";

const config = {
  provider: "aws",
  webDomain: "social.example.com",
  mediaDomain: "files.example.com",
  bucket: "example-social-media",
  environment: "production",
  aws: { region: "eu-central-1", dns: { type: "route53", zoneId: "Z0123456789EXAMPLEABC" } },
};
const DISTRIBUTION_ARN = "arn:aws:cloudfront::123456789012:distribution/E2QWRUHEXAMPLE";
const CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012";

describe("AwsMediaStorage", async () => {
  const plan = await planConfig(config);
  const component = resourceOf(plan, "mastodon-media:aws:MediaStorage");

  it("parents every child to the component and derives every child name from it", () => {
    const children = plan.resources.filter((resource) => resource !== component);
    expect(children.length).toBeGreaterThan(10);
    for (const child of children) {
      expect(child.parent).toBe(component.urn);
      expect(child.name.startsWith("media-")).toBe(true);
    }
  });

  it("creates the named bucket in the configured region, protected and retained in production", () => {
    const bucket = resourceOf(plan, "aws:s3/bucket:Bucket");
    expect(bucket.inputs).toMatchObject({
      bucket: "example-social-media",
      region: "eu-central-1",
      forceDestroy: false,
    });
    expect(bucket.protect).toBe(true);
    expect(bucket.retainOnDelete).toBe(true);
  });

  it("turns ACLs off and blocks every form of public access on the bucket", () => {
    expect(resourceOf(plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule).toEqual({
      objectOwnership: "BucketOwnerEnforced",
    });
    expect(resourceOf(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
      bucket: "example-social-media",
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
  });

  it("encrypts by default and aborts incomplete multipart uploads after seven days", () => {
    const encryption = resourceOf(
      plan,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    );
    // bucketKeyEnabled is an SSE-KMS setting: with AES256 it does nothing and must not be sent.
    expect(encryption.inputs.rules).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
    expect(resourceOf(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules).toEqual([
      {
        id: "abort-incomplete-multipart-uploads",
        status: "Enabled",
        filter: { prefix: "" },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
    ]);
  });

  it("allows cross-origin GET and HEAD only", () => {
    expect(resourceOf(plan, "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration").inputs.corsRules).toEqual([
      {
        allowedMethods: ["GET", "HEAD"],
        allowedOrigins: ["*"],
        allowedHeaders: ["*"],
        exposeHeaders: ["ETag"],
        maxAgeSeconds: 3000,
      },
    ]);
  });

  it("gives the writer exactly the core's policy on this bucket", () => {
    const policy = resourceOf(plan, "aws:iam/userPolicy:UserPolicy");
    expect(jsonInput(policy, "policy")).toEqual(writerPolicy("example-social-media"));
    // The user is autonamed by the provider (mocked as media-writer-<hash>): both attach to that name.
    expect(policy.inputs.user).toMatch(/^media-writer-[0-9a-f]{7}$/);
    expect(resourceOf(plan, "aws:iam/accessKey:AccessKey").inputs.user).toBe(policy.inputs.user);
  });

  it("lets only the distribution read the public prefixes, after the public access block is in place", () => {
    const bucketPolicy = resourceOf(plan, "aws:s3/bucketPolicy:BucketPolicy");
    expect(jsonInput(bucketPolicy, "policy")).toEqual(
      publicReadPolicy("example-social-media", { kind: "cloudfront", distributionArn: DISTRIBUTION_ARN }),
    );
    expect(bucketPolicy.dependsOn).toContain(
      resourceOf(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").urn,
    );
  });

  it("reads the private bucket through Origin Access Control", () => {
    const oac = resourceOf(plan, "aws:cloudfront/originAccessControl:OriginAccessControl", "media-oac");
    expect(oac.inputs).toMatchObject({
      originAccessControlOriginType: "s3",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    });
    const distribution = resourceOf(plan, "aws:cloudfront/distribution:Distribution");
    // The second origin is the cache buster's purge handler (test/components/aws-cache-buster.test.ts).
    expect((distribution.inputs.origins as unknown[])[0]).toEqual({
      originId: "media-bucket",
      domainName: "example-social-media.s3.eu-central-1.amazonaws.com",
      originAccessControlId: "media-oac-id",
    });
  });

  it("serves the media domain over HTTPS only, TLS 1.2 or newer, HTTP/2 and HTTP/3, with a us-east-1 certificate", () => {
    const distribution = resourceOf(plan, "aws:cloudfront/distribution:Distribution");
    expect(distribution.inputs).toMatchObject({
      enabled: true,
      aliases: ["files.example.com"],
      httpVersion: "http2and3",
      isIpv6Enabled: true,
      priceClass: "PriceClass_100",
      viewerCertificate: {
        acmCertificateArn: CERTIFICATE_ARN,
        sslSupportMethod: "sni-only",
        minimumProtocolVersion: "TLSv1.2_2021",
      },
    });
    expect(distribution.inputs.defaultCacheBehavior).toEqual({
      targetOriginId: "media-bucket",
      viewerProtocolPolicy: "redirect-to-https",
      allowedMethods: ["GET", "HEAD", "OPTIONS"],
      cachedMethods: ["GET", "HEAD"],
      cachePolicyId: CACHING_OPTIMIZED_POLICY_ID,
      // Forwards Origin and Access-Control-Request-* so that S3 answers preflights (else 400).
      originRequestPolicyId: "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
      responseHeadersPolicyId: "media-response-headers-id",
      compress: true,
      functionAssociations: [
        {
          eventType: "viewer-request",
          functionArn: expect.stringContaining(":function/media-cache-buster-viewer-request"),
        },
      ],
    });
    // AWS's published id of the managed policy CORS-S3Origin.
    expect(CORS_S3_ORIGIN_REQUEST_POLICY_ID).toBe("88a5eaf4-2fd4-4709-b370-b4c650ea3fcf");
  });

  it("adds CORS and nosniff at the edge", () => {
    const headers = resourceOf(plan, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy");
    expect(headers.inputs.corsConfig).toEqual({
      accessControlAllowCredentials: false,
      accessControlAllowHeaders: { items: ["*"] },
      accessControlAllowMethods: { items: ["GET", "HEAD"] },
      accessControlAllowOrigins: { items: ["*"] },
      accessControlExposeHeaders: { items: ["ETag"] },
      accessControlMaxAgeSec: 3000,
      originOverride: true,
    });
    expect(headers.inputs.securityHeadersConfig).toMatchObject({ contentTypeOptions: { override: true } });
  });

  it("requests and validates the certificate in us-east-1 through Route 53", () => {
    expect(resourceOf(plan, "aws:acm/certificate:Certificate").inputs).toMatchObject({
      domainName: "files.example.com",
      validationMethod: "DNS",
      region: "us-east-1",
    });
    const record = resourceOf(plan, "aws:route53/record:Record", "-certificate-validation-record");
    expect(record.inputs).toMatchObject({
      zoneId: "Z0123456789EXAMPLEABC",
      type: "CNAME",
      name: "_a79865eb4cd1a6ab990a45779b4e0b96.files.example.com.",
      records: ["_424c7224e9b0146f9a8808af955727d0.acm-validations.aws."],
    });
    const validation = resourceOf(plan, "aws:acm/certificateValidation:CertificateValidation");
    expect(validation.inputs).toMatchObject({ region: "us-east-1", certificateArn: CERTIFICATE_ARN });
    expect(validation.dependsOn).toContain(record.urn);
  });

  it("points the media domain at the distribution with A and AAAA alias records", () => {
    for (const suffix of ["-dns-a", "-dns-aaaa"]) {
      expect(resourceOf(plan, "aws:route53/record:Record", suffix).inputs).toMatchObject({
        zoneId: "Z0123456789EXAMPLEABC",
        name: "files.example.com",
        type: suffix === "-dns-a" ? "A" : "AAAA",
        aliases: [{ name: "d111111abcdef8.cloudfront.net", zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false }],
      });
    }
  });

  it("exports the env block as a secret and the rest in the clear", () => {
    expect(plan.outputs.envProduction).toEqual({
      secret: true,
      value: [
        "S3_ENABLED=true",
        "S3_BUCKET=example-social-media",
        "S3_REGION=eu-central-1",
        "S3_PROTOCOL=https",
        "S3_HOSTNAME=s3.eu-central-1.amazonaws.com",
        "S3_ALIAS_HOST=files.example.com",
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "CACHE_BUSTER_ENABLED=true",
        "CACHE_BUSTER_SECRET_HEADER=Mastodon-Cache-Buster",
        "CACHE_BUSTER_SECRET=mockCacheBusterSecretEXAMPLE00000000000000000000",
        "CACHE_BUSTER_HTTP_METHOD=GET",
        "S3_PERMISSION=",
        "",
      ].join("\n"),
    });
    expect(plan.outputs.bucket).toEqual({ value: "example-social-media", secret: false });
    expect(plan.outputs.region).toEqual({ value: "eu-central-1", secret: false });
    expect(plan.outputs.mediaBaseUrl).toEqual({ value: "https://files.example.com", secret: false });
    expect(plan.outputs.cdnDomain).toEqual({ value: "d111111abcdef8.cloudfront.net", secret: false });
    expect(plan.outputs.dnsRecords).toBeUndefined();
  });

  it("checks the live storage after deploying, reading the env block as a secret from stdin", () => {
    const check = resourceOf(plan, "command:local:Command", "-self-check");
    expect(check.inputs.create).toMatch(
      /^npm run --silent verify -- --env - --origin https:\/\/social\.example\.com --retry-for 900; code=\$\?; if \[ "\$code" -eq 4 \]; then .*exit 0; fi; exit "\$code"$/,
    );
    expect(check.secretInputs).toContain("stdin");
    expect(check.additionalSecretOutputs).toEqual(["stdout", "stderr"]);
    const needed = [
      "aws:s3/bucketPolicy:BucketPolicy",
      "aws:cloudfront/distribution:Distribution",
      "aws:iam/userPolicy:UserPolicy",
    ];
    for (const type of needed) expect(check.dependsOn).toContain(resourceOf(plan, type).urn);
    for (const record of resourcesOf(plan, "aws:route53/record:Record").filter((r) => r.name.includes("-dns-"))) {
      expect(check.dependsOn).toContain(record.urn);
    }
  });

  it("re-runs the checks when the bucket policy, distribution, certificate, writer policy or CORS change", () => {
    const check = resourceOf(plan, "command:local:Command", "-self-check");
    expect(check.inputs.triggers).toEqual([
      resourceOf(plan, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy,
      "media-cdn-id",
      CERTIFICATE_ARN,
      resourceOf(plan, "aws:iam/userPolicy:UserPolicy").inputs.policy,
      resourceOf(plan, "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration").inputs.corsRules,
    ]);
  });
});

describe("AwsMediaStorage in a test stack", async () => {
  const plan = await planConfig({ ...config, environment: "test", selfCheck: false });

  it("lets the bucket be destroyed with its objects and protects nothing", () => {
    const bucket = resourceOf(plan, "aws:s3/bucket:Bucket");
    expect(bucket.inputs.forceDestroy).toBe(true);
    expect(plan.resources.filter((resource) => resource.protect || resource.retainOnDelete)).toEqual([]);
  });

  it("skips the self-check when it is switched off", () => {
    expect(
      resourcesOf(plan, "command:local:Command").filter((command) => command.name.endsWith("-self-check")),
    ).toEqual([]);
  });
});

describe("AwsMediaStorage with a key prefix", async () => {
  const plan = await planConfig({ ...config, keyPrefix: "social" });

  it("scopes the writer and the public read to the prefix and renders S3_KEY_PREFIX", () => {
    expect(jsonInput(resourceOf(plan, "aws:iam/userPolicy:UserPolicy"), "policy")).toEqual(
      writerPolicy("example-social-media", "social"),
    );
    expect(jsonInput(resourceOf(plan, "aws:s3/bucketPolicy:BucketPolicy"), "policy")).toEqual(
      publicReadPolicy("example-social-media", { kind: "cloudfront", distributionArn: DISTRIBUTION_ARN }, "social"),
    );
    expect(plan.outputs.envProduction?.value).toContain("\nS3_KEY_PREFIX=social\n");
  });
});

describe("AwsMediaStorage with DNS on Cloudflare", async () => {
  const plan = await planConfig({
    ...config,
    aws: { region: "eu-central-1", dns: { type: "cloudflare", zoneId: "fedcba9876543210fedcba9876543210" } },
  });

  it("creates unproxied CNAMEs without the trailing dots ACM returns", () => {
    expect(resourcesOf(plan, "aws:route53/record:Record")).toEqual([]);
    const records = resourcesOf(plan, "cloudflare:index/dnsRecord:DnsRecord").map((record) => record.inputs);
    expect(records).toEqual([
      {
        zoneId: "fedcba9876543210fedcba9876543210",
        name: "_a79865eb4cd1a6ab990a45779b4e0b96.files.example.com",
        type: "CNAME",
        content: "_424c7224e9b0146f9a8808af955727d0.acm-validations.aws",
        proxied: false,
        ttl: 1,
      },
      {
        zoneId: "fedcba9876543210fedcba9876543210",
        name: "files.example.com",
        type: "CNAME",
        content: "d111111abcdef8.cloudfront.net",
        proxied: false,
        ttl: 1,
      },
    ]);
  });
});

describe("AwsMediaStorage with external DNS", async () => {
  const warnings: string[] = [];
  const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(async (message: string) => void warnings.push(message));
  const plan = await planConfig({ ...config, aws: { region: "eu-central-1", dns: { type: "external" } } });
  warn.mockRestore();
  const commands = resourcesOf(plan, "command:local:Command");
  const named = (suffix: string) => commands.filter((command) => command.name.endsWith(suffix));

  it("shows each record to create as soon as it is known, through a command that runs once, not a log on every up", () => {
    expect(warnings.filter((message) => message.includes("DNS record"))).toEqual([]);
    const [validation] = named("-certificate-validation-notice");
    expect(validation?.inputs).toMatchObject({
      create: "cat",
      stdin:
        "Create the DNS record _a79865eb4cd1a6ab990a45779b4e0b96.files.example.com CNAME _424c7224e9b0146f9a8808af955727d0.acm-validations.aws (ACM certificate validation).\n",
      logging: "stdout",
    });
    // Right after the certificate, in parallel with the validation that waits for the record.
    expect(validation?.dependsOn).not.toContain(
      resourceOf(plan, "aws:acm/certificateValidation:CertificateValidation").urn,
    );
    const [media] = named("-dns-notice");
    expect(media?.inputs).toMatchObject({
      create: "cat",
      stdin:
        "Create the DNS record files.example.com CNAME d111111abcdef8.cloudfront.net (media domain -> CloudFront).\n",
      logging: "stdout",
    });
    // No trigger: the command runs again only when a record (its stdin) changes.
    for (const notice of [validation, media]) expect(notice?.inputs.triggers).toBeUndefined();
  });

  it("lets the self-check report a missing media record as pending, and run again once DNS changes", () => {
    const [check] = named("-self-check");
    expect(String(check?.inputs.create)).toMatch(
      /^npm run --silent verify -- --env - --origin https:\/\/social\.example\.com --retry-for 900 --expect-cname files\.example\.com=d111111abcdef8\.cloudfront\.net; code=\$\?; if \[ "\$code" -eq 4 \]; then .*exit 0; fi; exit "\$code"$/,
    );
    // What DNS said when the program ran is a trigger; the offline plan looks nothing up and says so.
    expect((check?.inputs.triggers as unknown[]).at(-1)).toBe(
      "files.example.com CNAME d111111abcdef8.cloudfront.net: could not be looked up (OFFLINE_PLAN)",
    );
  });

  it("creates no records and lists the ones to create by hand", () => {
    expect(resourcesOf(plan, "aws:route53/record:Record")).toEqual([]);
    expect(
      resourceOf(plan, "aws:acm/certificateValidation:CertificateValidation").inputs.validationRecordFqdns,
    ).toBeUndefined();
    expect(plan.outputs.dnsRecords).toEqual({
      secret: false,
      value: [
        {
          name: "_a79865eb4cd1a6ab990a45779b4e0b96.files.example.com",
          type: "CNAME",
          value: "_424c7224e9b0146f9a8808af955727d0.acm-validations.aws",
          purpose: "ACM certificate validation",
        },
        {
          name: "files.example.com",
          type: "CNAME",
          value: "d111111abcdef8.cloudfront.net",
          purpose: "media domain -> CloudFront",
        },
      ],
    });
  });
});

describe("distributionComment", () => {
  it("names the instance and stays within CloudFront's 128 characters for the longest valid host name", () => {
    expect(distributionComment("social.example.com")).toBe("Mastodon media for social.example.com");
    // 253 characters: four labels of 62 and 61 letters, the longest a host name may be.
    const longest = `${"a".repeat(62)}.${"b".repeat(62)}.${"c".repeat(62)}.${"d".repeat(61)}.${"e".repeat(2)}`.slice(
      0,
      253,
    );
    const comment = distributionComment(longest);
    expect(comment.length).toBe(128);
    expect(comment.startsWith("Mastodon media for ...")).toBe(true);
    expect(comment.endsWith(`${"d".repeat(20)}.ee`)).toBe(true);
    expect(distributionComment("x".repeat(109)).length).toBe(128);
    expect(distributionComment("x".repeat(109))).toBe(`Mastodon media for ${"x".repeat(109)}`);
  });
});

describe("AwsMediaStorage for a web domain of 200 characters", async () => {
  const webDomain = `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.example.com`;
  const plan = await planConfig({ ...config, webDomain, selfCheck: false });

  it("sends a distribution comment CloudFront accepts", () => {
    const comment = String(resourceOf(plan, "aws:cloudfront/distribution:Distribution").inputs.comment);
    expect(comment.length).toBeLessThanOrEqual(128);
    expect(comment).toMatch(/example\.com$/);
  });
});

describe("AwsMediaStorage with an existing certificate", async () => {
  const existing = "arn:aws:acm:us-east-1:123456789012:certificate/abcdefab-1234-1234-1234-abcdefabcdef";
  const plan = await planConfig({ ...config, aws: { ...config.aws, certificateArn: existing } });

  it("requests no certificate and serves with the given one", () => {
    expect(resourcesOf(plan, "aws:acm/certificate:Certificate")).toEqual([]);
    expect(resourcesOf(plan, "aws:acm/certificateValidation:CertificateValidation")).toEqual([]);
    expect(resourceOf(plan, "aws:cloudfront/distribution:Distribution").inputs.viewerCertificate).toMatchObject({
      acmCertificateArn: existing,
    });
  });
});
