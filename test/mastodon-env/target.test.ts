import { describe, expect, it } from "vitest";
import { apiObjectUrl, mediaHostVariable, mediaUrl, readTarget, type VerifyTarget } from "../../mastodon-env/target";
import { envValues, targetOf } from "../helpers/target";

const awsEnv = {
  S3_ENABLED: "true",
  S3_BUCKET: "example-social-media",
  S3_REGION: "eu-central-1",
  S3_PROTOCOL: "https",
  S3_HOSTNAME: "s3.eu-central-1.amazonaws.com",
  S3_ALIAS_HOST: "files.example.com",
  AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  S3_PERMISSION: "",
};

const spacesEnv = {
  ...awsEnv,
  S3_REGION: "fra1",
  S3_ENDPOINT: "https://fra1.digitaloceanspaces.com",
  S3_HOSTNAME: "fra1.digitaloceanspaces.com",
  AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
  AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
};

function target(env: Record<string, string | undefined>): VerifyTarget {
  return targetOf(env);
}

function problems(env: Record<string, string | undefined>, malformed: string[] = []): string[] {
  const result = readTarget(envValues(env), new Set(malformed));
  return result.ok ? [] : result.problems;
}

describe("readTarget", () => {
  // config/initializers/paperclip.rb: `s3_host_alias: ENV['S3_ALIAS_HOST'] || ENV['S3_CLOUDFRONT_HOST']`.
  it("serves media from S3_CLOUDFRONT_HOST when S3_ALIAS_HOST is absent, as Mastodon does", () => {
    const t = target({ ...awsEnv, S3_ALIAS_HOST: undefined, S3_CLOUDFRONT_HOST: "d111111abcdef8.cloudfront.net" });
    expect(t.mediaBase.href).toBe("https://d111111abcdef8.cloudfront.net/");
    expect(mediaUrl(t, "media_attachments/files/1/original/a.png")).toBe(
      "https://d111111abcdef8.cloudfront.net/media_attachments/files/1/original/a.png",
    );
    expect(mediaHostVariable(t)).toBe("S3_CLOUDFRONT_HOST");
  });

  it("prefers S3_ALIAS_HOST over S3_CLOUDFRONT_HOST, and names S3_HOSTNAME when neither is set", () => {
    const both = target({ ...awsEnv, S3_CLOUDFRONT_HOST: "d111111abcdef8.cloudfront.net" });
    expect(both.mediaBase.href).toBe("https://files.example.com/");
    expect(mediaHostVariable(both)).toBe("S3_ALIAS_HOST");
    expect(mediaHostVariable(target({ ...awsEnv, S3_ALIAS_HOST: undefined }))).toBe("S3_HOSTNAME");
  });

  it("names S3_CLOUDFRONT_HOST when it is the media host and is empty or not a host", () => {
    expect(problems({ ...awsEnv, S3_ALIAS_HOST: undefined, S3_CLOUDFRONT_HOST: "" })).toContain(
      "S3_CLOUDFRONT_HOST is present but empty: remove the line or give it a value (Mastodon uses it as S3_ALIAS_HOST when that is absent: media URLs would start with https:///)",
    );
    expect(problems({ ...awsEnv, S3_ALIAS_HOST: undefined, S3_CLOUDFRONT_HOST: "https://cdn.example.com" })).toEqual([
      'S3_CLOUDFRONT_HOST must be a host name without a scheme, e.g. files.example.com (got "https://cdn.example.com")',
    ]);
  });

  it("reads an AWS env: the regional AWS endpoint, virtual-host calls, no ACL header, media on the alias", () => {
    const t = target(awsEnv);
    expect(t.apiEndpoint.origin).toBe("https://s3.eu-central-1.amazonaws.com");
    expect(t.forcePathStyle).toBe(false);
    expect(t.uploadAcl).toBeUndefined();
    expect(t.aclIsDefault).toBe(false);
    expect(t.mediaBase.href).toBe("https://files.example.com/");
    expect(t.requestChecksumCalculation).toBe("WHEN_SUPPORTED");
    expect(t.facts.endpoint).toBeUndefined();
  });

  it("reads an S3-compatible env: path-style calls because S3_ENDPOINT is set, checksums only when required", () => {
    const t = target(spacesEnv);
    expect(t.apiEndpoint.origin).toBe("https://fra1.digitaloceanspaces.com");
    expect(t.forcePathStyle).toBe(true);
    expect(t.requestChecksumCalculation).toBe("WHEN_REQUIRED");
    expect(t.responseChecksumValidation).toBe("WHEN_REQUIRED");
    expect(target({ ...spacesEnv, S3_OVERRIDE_PATH_STYLE: "true" }).forcePathStyle).toBe(false);
  });

  it("sends Mastodon's default public-read ACL when S3_PERMISSION is absent, and the given one when set", () => {
    const absent = target({ ...awsEnv, S3_PERMISSION: undefined });
    expect(absent.uploadAcl).toBe("public-read");
    expect(absent.aclIsDefault).toBe(true);
    expect(target({ ...awsEnv, S3_PERMISSION: "private" }).uploadAcl).toBe("private");
  });

  it("names each missing key with why Mastodon needs it", () => {
    expect(problems({ S3_HOSTNAME: "files.example.com" })).toEqual([
      "S3_ENABLED is missing: Mastodon ignores every S3_ variable unless S3_ENABLED=true",
      "S3_BUCKET is missing: the bucket Mastodon writes to",
      "S3_REGION is missing: Mastodon would sign for us-east-1, which only some providers accept",
      "AWS_ACCESS_KEY_ID is missing: the access key Mastodon signs with (a stack of this project renders it in envProduction)",
      "AWS_SECRET_ACCESS_KEY is missing: the secret key Mastodon signs with (a stack of this project renders it in envProduction)",
    ]);
  });

  it("does not report a key as missing when its line was malformed (it was reported there)", () => {
    const rest = { ...awsEnv, S3_REGION: undefined };
    expect(problems(rest, ["S3_REGION"])).toEqual([]);
    expect(problems(rest)).toEqual([
      "S3_REGION is missing: Mastodon would sign for us-east-1, which only some providers accept",
    ]);
  });

  it("reports present-but-empty variables Mastodon would misuse", () => {
    expect(problems({ ...spacesEnv, S3_ENDPOINT: "", S3_ALIAS_HOST: "" })).toEqual([
      "S3_ENDPOINT is present but empty: remove the line or give it a value (an empty S3_ENDPOINT still switches Mastodon to path-style calls)",
      "S3_ALIAS_HOST is present but empty: remove the line or give it a value (an empty S3_ALIAS_HOST makes media URLs start with https:///)",
    ]);
  });

  it("reports a disabled S3, a bad protocol, a scheme in a host name and a bucket path in the endpoint", () => {
    expect(
      problems({
        ...spacesEnv,
        S3_ENABLED: "false",
        S3_PROTOCOL: "ftp",
        S3_ALIAS_HOST: "https://files.example.com",
        S3_ENDPOINT: "https://fra1.digitaloceanspaces.com/example-social-media",
      }),
    ).toEqual([
      'S3_ENABLED must be exactly true (got "false"): Mastodon ignores every S3_ variable otherwise',
      'S3_PROTOCOL must be https (got "ftp")',
      'S3_ENDPOINT must be scheme, host and port only, without a path or the bucket (got "https://fra1.digitaloceanspaces.com/example-social-media")',
      'S3_ALIAS_HOST must be a host name without a scheme, e.g. files.example.com (got "https://files.example.com")',
    ]);
  });

  it("accepts plain http only for loopback hosts", () => {
    const local = {
      ...awsEnv,
      S3_REGION: "us-east-1",
      S3_PROTOCOL: "http",
      S3_ENDPOINT: "http://127.0.0.1:40080",
      S3_HOSTNAME: "127.0.0.1:40080",
      S3_ALIAS_HOST: undefined,
    };
    expect(problems(local)).toEqual([]);
    expect(problems({ ...local, S3_ENDPOINT: "http://minio.example.com:9000" })).toEqual([
      'S3_ENDPOINT must use https: the writer\'s credential crosses it (http is accepted only on loopback; got "http://minio.example.com:9000")',
    ]);
    expect(problems({ ...local, S3_HOSTNAME: "files.example.com" })).toEqual([
      "S3_PROTOCOL=http serves media from files.example.com without TLS: browsers block it on an https instance; set S3_PROTOCOL=https (http is accepted only for loopback test servers)",
    ]);
  });

  it("rejects an invalid key prefix and unknown checksum modes", () => {
    expect(problems({ ...awsEnv, S3_KEY_PREFIX: "/social/", AWS_REQUEST_CHECKSUM_CALCULATION: "SOMETIMES" })).toEqual([
      `S3_KEY_PREFIX must be path segments of letters, digits, '.', '_' or '-' joined by '/', without a leading or trailing '/' (got "/social/")`,
      'AWS_REQUEST_CHECKSUM_CALCULATION must be WHEN_REQUIRED or WHEN_SUPPORTED (got "SOMETIMES")',
    ]);
  });

  it("needs a media host: an alias or a hostname", () => {
    expect(problems({ ...awsEnv, S3_ALIAS_HOST: undefined, S3_HOSTNAME: undefined })).toEqual([
      "S3_ALIAS_HOST and S3_HOSTNAME are both missing: media URLs and the browser's CSP need one of them",
    ]);
  });
});

describe("mediaUrl and apiObjectUrl", () => {
  it("link media on the alias host and address the API virtual-host style on AWS", () => {
    const t = target({ ...awsEnv, S3_KEY_PREFIX: "social" });
    expect(mediaUrl(t, "social/media_attachments/a.txt")).toBe(
      "https://files.example.com/social/media_attachments/a.txt",
    );
    expect(apiObjectUrl(t, "social/media_attachments/a.txt")).toBe(
      "https://example-social-media.s3.eu-central-1.amazonaws.com/social/media_attachments/a.txt",
    );
  });

  it("use path style on the API when S3_ENDPOINT is set, and on the S3 host when there is no alias", () => {
    const t = target({ ...spacesEnv, S3_ALIAS_HOST: undefined });
    expect(mediaUrl(t, "cache/a.txt")).toBe("https://fra1.digitaloceanspaces.com/example-social-media/cache/a.txt");
    expect(apiObjectUrl(t, "cache/a.txt")).toBe("https://fra1.digitaloceanspaces.com/example-social-media/cache/a.txt");
  });
});
