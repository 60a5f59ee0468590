import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { safeParseStackConfig } from "../../components/config";
import {
  awsBucketNameProblem,
  minioBucketNameProblem,
  r2BucketNameProblem,
  spacesBucketNameProblem,
} from "../../components/config/bucket-names";
import { planStack } from "../../offline-plan/run";

/**
 * The providers' documented rules a mock cannot see, checked by the config schema before anything is
 * registered (docs/configuration.md, "Provider rules the plan checks"). Each rule has a passing and a failing case.
 */

const base = { webDomain: "social.example.com", bucket: "example-social-media" };
const aws = { ...base, provider: "aws", mediaDomain: "files.example.com", aws: { region: "eu-central-1" } };
const cloudflare = {
  ...base,
  provider: "cloudflare",
  mediaDomain: "files.example.com",
  cloudflare: { accountId: "0123456789abcdef0123456789abcdef", zoneId: "fedcba9876543210fedcba9876543210" },
};
const minio = { ...base, provider: "minio", minio: { endpoint: "http://127.0.0.1:9000" } };

function issuesOf(raw: Record<string, unknown>): [string, string][] {
  const result = safeParseStackConfig(raw);
  return result.success ? [] : result.issues.map((issue) => [issue.path, issue.message]);
}

describe("AWS regions", () => {
  it("accepts a region of the installed @pulumi/aws Region enum", () => {
    expect(issuesOf({ ...aws, aws: { region: "ap-southeast-7" } })).toEqual([]);
  });

  it("rejects a region-shaped name the SDK does not know", () => {
    expect(issuesOf({ ...aws, aws: { region: "us-east-9" } })).toEqual([
      ["aws.region", "must be an AWS region that @pulumi/aws knows, such as eu-central-1"],
    ]);
  });

  it.each(["cn-north-1", "us-gov-west-1", "us-iso-east-1", "eusc-de-east-1"])(
    "rejects %s, outside the commercial partition",
    (region) => {
      expect(issuesOf({ ...aws, aws: { region } })).toEqual([
        [
          "aws.region",
          "must be a region of the commercial aws partition: this stack's ARNs, S3 host names and CloudFront certificate do not exist in the others",
        ],
      ]);
    },
  );
});

describe("the media domain", () => {
  it.each(["192.0.2.10", "files.203"])(
    "rejects %s, an IP address no certificate or CDN alias accepts",
    (mediaDomain) => {
      expect(issuesOf({ ...aws, mediaDomain })).toEqual([
        ["mediaDomain", "must be a domain name, not an IP address: no certificate or CDN alias accepts an IP address"],
      ]);
    },
  );

  it("accepts digits inside labels", () => {
    expect(issuesOf({ ...aws, mediaDomain: "files2.example123.com" })).toEqual([]);
  });

  it("on AWS, must fit the 64 characters of an ACM certificate's first name unless a certificate is given", () => {
    const long = `${"m".repeat(52)}.example.com`;
    expect(long.length).toBe(64);
    expect(issuesOf({ ...aws, mediaDomain: long })).toEqual([]);
    expect(issuesOf({ ...aws, mediaDomain: `x${long}` })).toEqual([
      [
        "mediaDomain",
        "must be at most 64 characters for ACM to issue its certificate (the first name of a certificate); or give aws.certificateArn",
      ],
    ]);
    const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012";
    expect(issuesOf({ ...aws, mediaDomain: `x${long}`, aws: { region: "eu-central-1", certificateArn } })).toEqual([]);
  });
});

describe("bucket names", () => {
  it("AWS: refuses dots, which break TLS on virtual-hosted endpoints, and reserved forms", () => {
    expect(awsBucketNameProblem("example-social-media")).toBeUndefined();
    expect(awsBucketNameProblem("media.example.com")).toMatch(
      /^must not contain dots: a dotted bucket name breaks TLS/,
    );
    expect(issuesOf({ ...aws, bucket: "media.example.com" })[0]?.[0]).toBe("bucket");
    expect(awsBucketNameProblem("sthree-media")).toBe(
      "must not start with xn--, sthree- or amzn-s3-demo- (reserved by AWS)",
    );
    expect(awsBucketNameProblem("media--table-s3")).toBe(
      "must not end with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3 (reserved by AWS)",
    );
    expect(awsBucketNameProblem("media-123456789012-eu-central-1-an")).toMatch(/account regional namespace/);
    expect(awsBucketNameProblem("media-2024-an")).toBeUndefined();
  });

  it("R2 and Spaces: letters, digits and hyphens only", () => {
    for (const problemOf of [r2BucketNameProblem, spacesBucketNameProblem]) {
      expect(problemOf("example-social-media")).toBeUndefined();
      expect(problemOf("media.example")).toBe("may contain only lowercase letters, digits and hyphens");
      expect(problemOf("-media")).toBe("must begin and end with a letter or digit");
      expect(problemOf("m".repeat(64))).toBe("must be 3 to 63 characters long");
    }
  });

  it("MinIO: dots allowed, but not next to a hyphen, and not the reserved name minio", () => {
    expect(minioBucketNameProblem("media.example")).toBeUndefined();
    expect(minioBucketNameProblem("media.-example")).toBe("must not have a dot next to a hyphen (.- or -.)");
    expect(minioBucketNameProblem("minio")).toBe("must not be minio: MinIO reserves that name for its own APIs");
    expect(issuesOf({ ...minio, bucket: "minio" })).toEqual([
      ["bucket", "must not be minio: MinIO reserves that name for its own APIs"],
    ]);
  });
});

describe("R2 jurisdictions", () => {
  it.each(["default", "eu", "fedramp", "us"])(
    "accepts %s, as the installed @pulumi/cloudflare lists it",
    (jurisdiction) => {
      expect(issuesOf({ ...cloudflare, cloudflare: { ...cloudflare.cloudflare, jurisdiction } })).toEqual([]);
    },
  );
});

describe("a key prefix with a private segment (backups, imports)", () => {
  const digitalocean = { ...base, provider: "digitalocean", digitalocean: { region: "ams3" } };
  const waf =
    "must not contain a backups or imports segment (Mastodon's private classes): the media host's WAF rule blocks every path with such a segment, so all media would answer 403";
  const policy =
    "must not contain a backups or imports segment (Mastodon's private classes): every key under such a segment counts as private, so the bucket policy could grant no public read";

  it.each([
    ["cloudflare", cloudflare, waf],
    ["aws", aws, policy],
    ["minio", minio, policy],
  ] as const)(
    "is refused by the config on %s, whose public read is prefix-based, with the key named",
    (_name, stack, message) => {
      for (const keyPrefix of ["backups", "social/backups", "imports/x"]) {
        expect(issuesOf({ ...stack, keyPrefix })).toEqual([["keyPrefix", message]]);
      }
      expect(issuesOf({ ...stack, keyPrefix: "social/backup" })).toEqual([]);
    },
  );

  it("passes on DigitalOcean, where each object's ACL decides (object-ACL mode)", () => {
    expect(issuesOf({ ...digitalocean, keyPrefix: "backups" })).toEqual([]);
  });
});

describe("MinIO site regions", () => {
  it.each(["us-east-1", "EU1", "my_region"])("accepts %s, as MinIO does", (region) => {
    expect(issuesOf({ ...minio, minio: { ...minio.minio, region } })).toEqual([]);
  });

  it.each(["1eu", "e", "eu.1"])("rejects %s", (region) => {
    expect(issuesOf({ ...minio, minio: { ...minio.minio, region } })[0]?.[0]).toBe("minio.region");
  });

  it("plans the case17 stack (site region EU1) cleanly", async () => {
    const root = path.join(__dirname, "../fixtures/cases/stacks");
    expect(readFileSync(path.join(root, "Pulumi.case17.yaml"), "utf8")).toContain("region: EU1");
    const plan = await planStack("case17", root);
    expect(plan.violations.filter((violation) => violation.level === "mandatory")).toEqual([]);
    expect(String(plan.outputs.envProduction?.value)).toContain("\nS3_REGION=EU1\n");
  });
});
