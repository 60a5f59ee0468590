import { describe, expect, it } from "vitest";
import { maskEnvSecrets, mediaBaseUrl, publicObjectUrl, renderEnv, type EnvFacts } from "../../components/env";

const aws: EnvFacts = {
  bucket: "example-social-media",
  region: "eu-central-1",
  hostname: "s3.eu-central-1.amazonaws.com",
  aliasHost: "files.example.com",
  protocol: "https",
  extraMediaHosts: [],
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  checksumsOnlyWhenRequired: false,
  aclMode: "no-acl",
};

describe("renderEnv", () => {
  it("renders the AWS block: no endpoint, hostname and alias, an empty S3_PERMISSION", () => {
    expect(renderEnv(aws)).toBe(
      [
        "S3_ENABLED=true",
        "S3_BUCKET=example-social-media",
        "S3_REGION=eu-central-1",
        "S3_PROTOCOL=https",
        "S3_HOSTNAME=s3.eu-central-1.amazonaws.com",
        "S3_ALIAS_HOST=files.example.com",
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "S3_PERMISSION=",
        "",
      ].join("\n"),
    );
  });

  it("renders an S3-compatible block with endpoint, key prefix, extra hosts and the checksum switches", () => {
    const env = renderEnv({
      ...aws,
      region: "auto",
      endpoint: "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
      hostname: "0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
      keyPrefix: "social",
      extraMediaHosts: ["old-files.example.com", "cdn.example.net"],
      checksumsOnlyWhenRequired: true,
    });
    expect(env.split("\n")).toEqual([
      "S3_ENABLED=true",
      "S3_BUCKET=example-social-media",
      "S3_REGION=auto",
      "S3_PROTOCOL=https",
      "S3_ENDPOINT=https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
      "S3_HOSTNAME=0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
      "S3_ALIAS_HOST=files.example.com",
      "S3_KEY_PREFIX=social",
      "EXTRA_MEDIA_HOSTS=old-files.example.com,cdn.example.net",
      "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
      "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED",
      "AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_REQUIRED",
      "S3_PERMISSION=",
      "",
    ]);
  });

  it("renders S3_PERMISSION=public-read in object-ACL mode, so that Mastodon sends canned ACLs (Spaces)", () => {
    const lines = renderEnv({ ...aws, aclMode: "object-acl" })
      .trim()
      .split("\n");
    expect(lines.at(-1)).toBe("S3_PERMISSION=public-read");
    expect(lines.filter((line) => line.endsWith("="))).toEqual([]);
  });

  it("never renders an empty variable except S3_PERMISSION", () => {
    const lines = renderEnv({ ...aws, aliasHost: undefined, endpoint: undefined })
      .trim()
      .split("\n");
    expect(lines.filter((line) => line.endsWith("="))).toEqual(["S3_PERMISSION="]);
    expect(lines.some((line) => line.startsWith("S3_ALIAS_HOST"))).toBe(false);
    expect(lines.some((line) => line.startsWith("S3_ENDPOINT"))).toBe(false);
  });

  it("refuses to render without a credential or with a value that would break the env file", () => {
    expect(() => renderEnv({ ...aws, secretAccessKey: "" })).toThrowError("AWS_SECRET_ACCESS_KEY must not be empty");
    expect(() => renderEnv({ ...aws, bucket: "a b" })).toThrowError("S3_BUCKET must not contain spaces");
  });
});

describe("renderEnv: Mastodon's cache buster", () => {
  const cacheBuster = { secretHeader: "Mastodon-Cache-Buster", secret: "s3cretS3cretS3cret", httpMethod: "GET" };

  it("renders the four CACHE_BUSTER_* lines config/cache_buster.yml reads, before S3_PERMISSION, only when the edge acts on them", () => {
    const lines = renderEnv({ ...aws, cacheBuster })
      .trim()
      .split("\n");
    expect(lines.slice(-5)).toEqual([
      "CACHE_BUSTER_ENABLED=true",
      "CACHE_BUSTER_SECRET_HEADER=Mastodon-Cache-Buster",
      "CACHE_BUSTER_SECRET=s3cretS3cretS3cret",
      "CACHE_BUSTER_HTTP_METHOD=GET",
      "S3_PERMISSION=",
    ]);
    expect(renderEnv(aws)).not.toContain("CACHE_BUSTER");
  });

  it("refuses a header name, method or secret Mastodon could not send", () => {
    expect(() => renderEnv({ ...aws, cacheBuster: { ...cacheBuster, secretHeader: "Bad Header" } })).toThrowError(
      "CACHE_BUSTER_SECRET_HEADER",
    );
    expect(() => renderEnv({ ...aws, cacheBuster: { ...cacheBuster, httpMethod: "get" } })).toThrowError(
      "CACHE_BUSTER_HTTP_METHOD",
    );
    expect(() => renderEnv({ ...aws, cacheBuster: { ...cacheBuster, secret: "" } })).toThrowError(
      "CACHE_BUSTER_SECRET must not be empty",
    );
    expect(() => renderEnv({ ...aws, cacheBuster: { ...cacheBuster, secret: "a#b" } })).toThrowError(
      "CACHE_BUSTER_SECRET must not contain",
    );
  });

  it("masks the secret and keeps the header name", () => {
    const masked = maskEnvSecrets(renderEnv({ ...aws, cacheBuster }));
    expect(masked).toContain("CACHE_BUSTER_SECRET=[secret]\n");
    expect(masked).not.toContain("s3cretS3cret");
    expect(masked).toContain("CACHE_BUSTER_SECRET_HEADER=Mastodon-Cache-Buster\n");
  });
});

describe("publicObjectUrl", () => {
  it("uses the alias host without the bucket when there is one", () => {
    expect(publicObjectUrl(aws, "media_attachments/a.png")).toBe("https://files.example.com/media_attachments/a.png");
    expect(mediaBaseUrl(aws)).toBe("https://files.example.com");
  });

  it("falls back to path style on the S3 host", () => {
    const local = { ...aws, aliasHost: undefined, protocol: "http" as const, hostname: "127.0.0.1:9000" };
    expect(publicObjectUrl(local, "cache/x.png")).toBe("http://127.0.0.1:9000/example-social-media/cache/x.png");
    expect(mediaBaseUrl(local)).toBe("http://127.0.0.1:9000/example-social-media");
  });
});

describe("maskEnvSecrets", () => {
  it("hides the secret key and keeps every other line", () => {
    const masked = maskEnvSecrets(renderEnv(aws));
    expect(masked).toContain("AWS_SECRET_ACCESS_KEY=[secret]\n");
    expect(masked).not.toContain("EXAMPLEKEY");
    expect(masked).toContain("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n");
  });
});
