import { describe, expect, it } from "vitest";
import { parseStackConfig, safeParseStackConfig } from "../../../components/config";
import { projectConfigObject } from "../../../components/config/raw";
import { ConfigError } from "../../../components/errors";

const aws = {
  provider: "aws",
  webDomain: "social.example.com",
  mediaDomain: "files.example.com",
  bucket: "example-social-media",
  aws: { region: "eu-central-1", dns: { type: "route53", zoneId: "Z0123456789EXAMPLEABC" } },
};
const cloudflare = {
  provider: "cloudflare",
  webDomain: "social.example.com",
  mediaDomain: "files.example.com",
  bucket: "example-social-media",
  cloudflare: { accountId: "0123456789abcdef0123456789abcdef", zoneId: "fedcba9876543210fedcba9876543210" },
};
const digitalocean = {
  provider: "digitalocean",
  webDomain: "social.example.com",
  bucket: "example-social-media",
  digitalocean: { region: "ams3" },
};
const minio = {
  provider: "minio",
  webDomain: "social.example.com",
  bucket: "mastodon-media",
  minio: { endpoint: "http://127.0.0.1:9000" },
};

function issuesOf(raw: Record<string, unknown>) {
  const result = safeParseStackConfig(raw);
  if (result.success) throw new Error("expected the config to be rejected");
  return result.issues.map((issue) => [issue.path, issue.message]);
}

describe("parseStackConfig", () => {
  it("accepts a minimal config of each provider and fills the defaults", () => {
    const parsed = parseStackConfig(aws);
    expect(parsed).toMatchObject({
      environment: "production",
      corsOrigins: ["*"],
      extraMediaHosts: [],
      selfCheck: true,
      aws: { priceClass: "PriceClass_100" },
    });
    expect(parseStackConfig(cloudflare)).toMatchObject({
      cloudflare: { jurisdiction: "default", r2DevDomain: false, cacheBuster: false },
    });
    expect(parseStackConfig(digitalocean)).toMatchObject({ digitalocean: { region: "ams3", cdnTtl: 86400 } });
    expect(parseStackConfig(minio)).toMatchObject({ minio: { region: "us-east-1" } });
  });

  it("reads booleans and numbers that Pulumi passes as text", () => {
    expect(parseStackConfig({ ...aws, selfCheck: "false" }).selfCheck).toBe(false);
    const parsed = parseStackConfig({ ...digitalocean, digitalocean: { region: "ams3", cdnTtl: "3600" } });
    expect(parsed.provider === "digitalocean" && parsed.digitalocean.cdnTtl).toBe(3600);
  });

  it("throws a ConfigError whose message names every bad key with its value", () => {
    const bad = { ...aws, bucket: "Bad_Bucket", mediaDomain: "https://files.example.com/media" };
    expect(() => parseStackConfig(bad)).toThrowError(ConfigError);
    expect(() => parseStackConfig(bad)).toThrowError(
      [
        "The stack config has 2 problems; nothing was created:",
        '  - mastodon-media:mediaDomain: must be a host name without a scheme, e.g. files.example.com (got "https://files.example.com/media")',
        '  - mastodon-media:bucket: may contain only lowercase letters, digits, dots and hyphens (got "Bad_Bucket")',
      ].join("\n"),
    );
  });

  const rejected: [string, Record<string, unknown>, [string, string][]][] = [
    [
      "a missing provider",
      { webDomain: "social.example.com", bucket: "example-social-media" },
      [["provider", "is required: one of aws, cloudflare, digitalocean, minio"]],
    ],
    [
      "an unknown provider",
      { ...aws, provider: "gcs" },
      [["provider", "must be one of aws, cloudflare, digitalocean, minio"]],
    ],
    ["a missing web domain", { ...aws, webDomain: undefined }, [["webDomain", "is required"]]],
    ["a bucket name that is too short", { ...aws, bucket: "ab" }, [["bucket", "must be 3 to 63 characters long"]]],
    [
      "a bucket name shaped like an IP address",
      { ...aws, bucket: "192.168.1.1" },
      [["bucket", "must not look like an IP address"]],
    ],
    [
      "a bucket name with a reserved prefix",
      { ...aws, bucket: "xn--media" },
      [["bucket", "must not start with xn--, sthree- or amzn-s3-demo- (reserved by AWS)"]],
    ],
    [
      "a dotted bucket name on R2",
      { ...cloudflare, bucket: "media.example" },
      [["bucket", "may contain only lowercase letters, digits and hyphens"]],
    ],
    [
      "a media domain with a port",
      { ...aws, mediaDomain: "files.example.com:8443" },
      [["mediaDomain", "must be a host name without port or path, e.g. files.example.com"]],
    ],
    ["an uppercase media domain", { ...aws, mediaDomain: "Files.example.com" }, [["mediaDomain", "must be lowercase"]]],
    [
      "a single-label media domain",
      { ...aws, mediaDomain: "files" },
      [["mediaDomain", "must be a fully qualified host name, e.g. files.example.com"]],
    ],
    [
      "a media domain equal to the web domain",
      { ...aws, mediaDomain: "social.example.com" },
      [["mediaDomain", "must differ from webDomain: media needs its own host (S3_ALIAS_HOST)"]],
    ],
    [
      "an AWS stack without a media domain",
      { ...aws, mediaDomain: undefined },
      [["mediaDomain", "is required for aws: media URLs must live on a host you own, chosen once"]],
    ],
    [
      "an unknown environment",
      { ...aws, environment: "staging" },
      [["environment", "must be one of production, test"]],
    ],
    [
      "a key prefix with a leading slash",
      { ...aws, keyPrefix: "/social" },
      [
        [
          "keyPrefix",
          "must be path segments of letters, digits, '.', '_' or '-' joined by '/', without a leading or trailing '/'",
        ],
      ],
    ],
    [
      "a key prefix with a parent segment",
      { ...aws, keyPrefix: "a/../b" },
      [["keyPrefix", "must not contain '.' or '..' segments"]],
    ],
    [
      "a CORS origin with a path",
      { ...aws, corsOrigins: ["https://social.example.com/"] },
      [["corsOrigins.0", "must be '*' or an origin like https://social.example.com (no path)"]],
    ],
    [
      "a plain-http CORS origin",
      { ...aws, corsOrigins: ["http://social.example.com"] },
      [["corsOrigins.0", "must be '*' or an origin like https://social.example.com (no path)"]],
    ],
    [
      "'*' listed with other origins",
      { ...aws, corsOrigins: ["*", "https://social.example.com"] },
      [["corsOrigins", "'*' already allows every origin: list it alone"]],
    ],
    [
      "a misspelt key",
      { ...aws, mediaDomian: "files.example.com" },
      [["mediaDomian", "is not a known key (check its spelling and the list in docs/configuration.md)"]],
    ],
    [
      "a misspelt key in a provider block",
      { ...aws, aws: { ...aws.aws, regoin: "x" } },
      [["aws.regoin", "is not a known key (check its spelling and the list in docs/configuration.md)"]],
    ],
    [
      "a malformed AWS region",
      { ...aws, aws: { ...aws.aws, region: "Frankfurt" } },
      [["aws.region", "must be an AWS region that @pulumi/aws knows, such as eu-central-1"]],
    ],
    [
      "a Route 53 zone without its id",
      { ...aws, aws: { region: "eu-central-1", dns: { type: "route53" } } },
      [["aws.dns.zoneId", "is required"]],
    ],
    [
      "a certificate outside us-east-1",
      {
        ...aws,
        aws: {
          ...aws.aws,
          certificateArn: "arn:aws:acm:eu-central-1:123456789012:certificate/12345678-1234-1234-1234-123456789012",
        },
      },
      [
        [
          "aws.certificateArn",
          "must be an ACM certificate ARN in us-east-1 (CloudFront only uses certificates from us-east-1)",
        ],
      ],
    ],
    [
      "an R2 account id that is not 32 hex characters",
      { ...cloudflare, cloudflare: { ...cloudflare.cloudflare, accountId: "acct-123" } },
      [["cloudflare.accountId", "must be a Cloudflare account id: 32 lowercase hexadecimal characters"]],
    ],
    [
      "an unknown R2 jurisdiction",
      { ...cloudflare, cloudflare: { ...cloudflare.cloudflare, jurisdiction: "apac" } },
      [["cloudflare.jurisdiction", "must be one of default, eu, fedramp, us"]],
    ],
    [
      "r2.dev on a production stack",
      { ...cloudflare, cloudflare: { ...cloudflare.cloudflare, r2DevDomain: true } },
      [
        [
          "cloudflare.r2DevDomain",
          "may only be true on test stacks: the r2.dev URL is rate-limited and bypasses the media host's guards",
        ],
      ],
    ],
    [
      "a cache buster flag that is not a boolean",
      { ...cloudflare, cloudflare: { ...cloudflare.cloudflare, cacheBuster: "yes" } },
      [["cloudflare.cacheBuster", "must be a boolean"]],
    ],
    [
      "an unknown Spaces region",
      { ...digitalocean, digitalocean: { region: "us-east-1" } },
      [
        [
          "digitalocean.region",
          "must be a Spaces region: nyc3, sfo2, sfo3, ams3, fra1, lon1, sgp1, syd1, blr1, tor1, atl1",
        ],
      ],
    ],
    [
      "a CDN TTL the API refuses",
      { ...digitalocean, digitalocean: { region: "ams3", cdnTtl: 1000 } },
      [["digitalocean.cdnTtl", "must be one of 60, 600, 3600, 86400, 604800"]],
    ],
    [
      "a Spaces media domain without a certificate",
      { ...digitalocean, mediaDomain: "files.example.com" },
      [
        [
          "digitalocean.certificate",
          "is required when mediaDomain is set: { type: lets_encrypt } or { type: existing, name: ... }",
        ],
      ],
    ],
    [
      "a Spaces certificate without a media domain",
      { ...digitalocean, digitalocean: { region: "ams3", certificate: { type: "lets_encrypt" } } },
      [["digitalocean.certificate", "is only used with mediaDomain: set mediaDomain too, or remove the certificate"]],
    ],
    [
      "a MinIO endpoint over http outside loopback",
      { ...minio, minio: { endpoint: "http://minio.example.com:9000" } },
      [["minio.endpoint", "must use https outside loopback: the writer credential crosses it"]],
    ],
    [
      "a MinIO endpoint with a path",
      { ...minio, minio: { endpoint: "https://minio.example.com/s3" } },
      [["minio.endpoint", "must be scheme, host and port only, with no path or credentials"]],
    ],
    [
      "a MinIO endpoint that is not a URL",
      { ...minio, minio: { endpoint: "127.0.0.1:9000" } },
      [["minio.endpoint", "must be a URL such as https://minio.example.com:9000"]],
    ],
    [
      "a MinIO endpoint without a scheme",
      { ...minio, minio: { endpoint: "localhost:9000" } },
      [["minio.endpoint", "must start with https:// (or http:// on loopback), e.g. https://minio.example.com:9000"]],
    ],
  ];

  it.each(rejected)("rejects %s, naming the key", (_case, raw, expected) => {
    expect(issuesOf(raw)).toEqual(expected);
  });

  it("reports problems in several keys at once", () => {
    const issues = issuesOf({ ...aws, bucket: "A", webDomain: "x", aws: { region: "nowhere" } });
    expect(issues.map(([path]) => path).sort()).toEqual(["aws.region", "bucket", "webDomain"]);
  });
});

describe("projectConfigObject", () => {
  it("keeps this project's keys and parses structured values", () => {
    const raw = projectConfigObject(
      {
        "aws:region": "eu-central-1",
        "mastodon-media:bucket": "example-social-media",
        "mastodon-media:aws": '{"region":"eu-central-1"}',
        "mastodon-media:corsOrigins": '["*"]',
        "mastodon-media:selfCheck": "false",
      },
      "mastodon-media",
    );
    expect(raw).toEqual({
      bucket: "example-social-media",
      aws: { region: "eu-central-1" },
      corsOrigins: ["*"],
      selfCheck: "false",
    });
  });
});
