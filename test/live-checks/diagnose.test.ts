import { describe, expect, it } from "vitest";
import { aclRejected, diagnoseNetwork, diagnoseS3, diagnoseTls } from "../../live-checks/diagnose";
import { describeFailure } from "../../live-checks/io/s3";
import type { VerifyTarget } from "../../mastodon-env/target";
import { targetOf } from "../helpers/target";

const SPACES_ENV = {
  S3_ENABLED: "true",
  S3_BUCKET: "example-social-media",
  S3_REGION: "fra1",
  S3_ENDPOINT: "https://fra1.digitaloceanspaces.com",
  S3_ALIAS_HOST: "files.example.com",
  AWS_ACCESS_KEY_ID: "DO00EXAMPLEACCESSKEY",
  AWS_SECRET_ACCESS_KEY: "EXAMPLEspacesSecretKey0000000000000000000000",
  S3_PERMISSION: "",
};
const target = (env: Record<string, string | undefined> = {}): VerifyTarget => targetOf({ ...SPACES_ENV, ...env });

describe("diagnoseS3", () => {
  it("blames S3_PERMISSION when the server rejects the ACL header (AWS 400, R2 501)", () => {
    const withAcl = target({ S3_PERMISSION: "public-read" });
    const expected = aclRejected(withAcl);
    expect(diagnoseS3({ code: "AccessControlListNotSupported", status: 400 }, withAcl, "s3:PutObject", true)).toEqual(
      expected,
    );
    expect(diagnoseS3({ code: "NotImplemented", status: 501 }, withAcl, "s3:PutObject", true)).toEqual(expected);
    expect(expected.fix).toBe(
      "set S3_PERMISSION= (empty) so that Mastodon sends no ACL; public reads come from the bucket policy or the CDN",
    );
    expect(expected.cause).toContain('S3_PERMISSION is "public-read"');
  });

  it("says Mastodon's default ACL applies when S3_PERMISSION is unset", () => {
    expect(aclRejected(target({ S3_PERMISSION: undefined })).cause).toContain(
      "S3_PERMISSION is unset (Mastodon's default is public-read)",
    );
  });

  it("names the bucket's region when a region mismatch reports it", () => {
    const diagnosis = diagnoseS3(
      { code: "AuthorizationHeaderMalformed", status: 400, bucketRegion: "ams3" },
      target(),
      "s3:PutObject",
    );
    expect(diagnosis).toEqual({
      cause: "region mismatch: requests are signed for S3_REGION=fra1 but the bucket is in ams3",
      fix: "set S3_REGION=ams3 and the endpoint of that region",
      transient: false,
    });
  });

  it("points at the endpoint or the bucket name when the bucket does not exist there", () => {
    expect(diagnoseS3({ code: "NoSuchBucket", status: 404 }, target(), "s3:PutObject").cause).toBe(
      "bucket example-social-media does not exist at https://fra1.digitaloceanspaces.com: the endpoint belongs to another region or account (on Spaces the region is part of the endpoint), or S3_BUCKET is misspelled",
    );
  });

  it("treats unknown keys, bad signatures and denials as possibly propagating, and names R2's hashed secret", () => {
    expect(diagnoseS3({ code: "InvalidAccessKeyId", status: 403 }, target(), "s3:PutObject").transient).toBe(true);
    const signature = diagnoseS3({ code: "SignatureDoesNotMatch", status: 403 }, target(), "s3:PutObject");
    expect(signature.transient).toBe(true);
    expect(signature.cause).toContain("SHA-256 hex of the token's value");
    const denied = diagnoseS3(
      { code: "AccessDenied", status: 403 },
      target({ S3_KEY_PREFIX: "social" }),
      "s3:DeleteObject",
    );
    expect(denied.cause).toBe(
      "the writer may not s3:DeleteObject here: its policy lacks s3:DeleteObject on example-social-media under social/, a bucket policy denies it, or the policy was changed seconds ago",
    );
  });

  it("recommends the checksum switches when the server rejects newer SDKs' checksums", () => {
    expect(diagnoseS3({ code: "MissingContentLength", status: 411 }, target(), "s3:PutObject").fix).toContain(
      "AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED",
    );
  });

  it("explains network failures through the variable that names the host", () => {
    expect(diagnoseS3({ code: "ENOTFOUND" }, target(), "s3:PutObject")).toEqual({
      cause: "the host in S3_ENDPOINT does not resolve",
      fix: "create its DNS record or correct S3_ENDPOINT",
      transient: true,
    });
  });
});

describe("diagnoseNetwork and diagnoseTls", () => {
  it("tells a scheme mismatch from a refused connection", () => {
    expect(diagnoseNetwork("ERR_SSL_WRONG_VERSION_NUMBER", "S3_ENDPOINT")?.fix).toBe(
      "correct the scheme in S3_ENDPOINT (https for every real server)",
    );
    expect(diagnoseNetwork("ECONNREFUSED", "S3_ALIAS_HOST")?.cause).toBe(
      "nothing listens at the host and port of S3_ALIAS_HOST",
    );
  });

  it("waits for a certificate that does not cover the host yet, but not for an expired one", () => {
    expect(diagnoseTls("ERR_TLS_CERT_ALTNAME_INVALID", "S3_ALIAS_HOST")?.transient).toBe(true);
    expect(diagnoseTls("CERT_HAS_EXPIRED", "S3_ALIAS_HOST")?.transient).toBe(false);
    expect(diagnoseTls("DEPTH_ZERO_SELF_SIGNED_CERT", "S3_ALIAS_HOST")?.cause).toBe(
      "the certificate is self-signed: browsers and other servers reject it",
    );
    expect(diagnoseTls("SOMETHING_ELSE", "S3_ALIAS_HOST")).toBeUndefined();
  });
});

describe("describeFailure", () => {
  const redact = (text: string) => text.split("s3cr3t").join("[secret]");

  it("reads the code, status and bucket region of an SDK error and redacts its message", () => {
    const error = Object.assign(new Error("The authorization header is malformed; s3cr3t"), {
      name: "AuthorizationHeaderMalformed",
      Region: "ams3",
      $metadata: { httpStatusCode: 400 },
    });
    expect(describeFailure(error, redact)).toEqual({
      code: "AuthorizationHeaderMalformed",
      status: 400,
      bucketRegion: "ams3",
      message: "The authorization header is malformed; [secret]",
    });
  });

  it("names a bodiless error after its status, and a network error after its code", () => {
    const head = Object.assign(new Error("UnknownError"), { name: "Unknown", $metadata: { httpStatusCode: 403 } });
    expect(describeFailure(head, redact)).toEqual({
      code: "AccessDenied",
      status: 403,
      bucketRegion: undefined,
      message: undefined,
    });
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    expect(describeFailure(refused, redact).code).toBe("ECONNREFUSED");
  });
});

describe("diagnoseS3 puts an addressing-style failure down to S3_OVERRIDE_PATH_STYLE, not S3_ENDPOINT (issue #20)", () => {
  it("a refusal of path style (Aliyun OSS, Tencent COS) asks for the override", () => {
    const oss = target({ S3_REGION: "oss-cn-hangzhou", S3_ENDPOINT: "https://oss-cn-hangzhou.aliyuncs.com" });
    for (const code of ["SecondLevelDomainForbidden", "PathStyleDomainForbidden"]) {
      const diagnosis = diagnoseS3({ code, status: 403 }, oss, "s3:PutObject");
      expect(diagnosis.cause).toContain("refuses path-style calls");
      expect(diagnosis.fix).toMatch(/^add S3_OVERRIDE_PATH_STYLE=true/);
    }
  });

  it("with the override, a virtual host that does not resolve names the override, and says the endpoint may be right", () => {
    const minio = target({
      S3_REGION: "us-east-1",
      S3_ENDPOINT: "https://minio.example.com:9000",
      S3_OVERRIDE_PATH_STYLE: "true",
    });
    const diagnosis = diagnoseS3({ code: "ENOTFOUND" }, minio, "s3:PutObject");
    expect(diagnosis.cause).toBe(
      "S3_OVERRIDE_PATH_STYLE=true sends every call to example-social-media.minio.example.com:9000 (virtual-hosted style), which does not resolve; the host in S3_ENDPOINT itself may be right",
    );
    expect(diagnosis.fix).toMatch(/^remove S3_OVERRIDE_PATH_STYLE/);
    // Without the override, or where the SDK keeps path style (an IP endpoint), the endpoint is what fails.
    expect(
      diagnoseS3(
        { code: "ENOTFOUND" },
        target({ S3_REGION: "us-east-1", S3_ENDPOINT: "https://minio.example.com:9000" }),
        "s3:PutObject",
      ).cause,
    ).toBe("the host in S3_ENDPOINT does not resolve");
    const ip = target({ S3_REGION: "us-east-1", S3_ENDPOINT: "https://10.0.0.5:9000", S3_OVERRIDE_PATH_STYLE: "true" });
    expect(diagnoseS3({ code: "ECONNREFUSED" }, ip, "s3:PutObject").cause).toContain("nothing listens");
  });
});

describe("diagnoseS3 names a missing S3_ENDPOINT when the env means another provider (issue #20, kind 1)", () => {
  it("a Scaleway S3_HOSTNAME without S3_ENDPOINT: the AWS host the SDK built does not resolve, and the fix is the endpoint", () => {
    const scaleway = target({ S3_REGION: "fr-par", S3_ENDPOINT: undefined, S3_HOSTNAME: "s3.fr-par.scw.cloud" });
    const diagnosis = diagnoseS3({ code: "ENOTFOUND" }, scaleway, "s3:PutObject");
    expect(diagnosis.cause).toBe(
      "S3_ENDPOINT is missing, so the SDK calls AWS (example-social-media.s3.fr-par.amazonaws.com) instead of Scaleway Object Storage: S3_HOSTNAME only shapes media URLs (ENOTFOUND)",
    );
    expect(diagnosis.fix).toBe("add S3_ENDPOINT=https://s3.fr-par.scw.cloud");
    // An AWS env is left to the AWS diagnoses.
    const aws = target({
      S3_REGION: "eu-central-1",
      S3_ENDPOINT: undefined,
      S3_HOSTNAME: "s3.eu-central-1.amazonaws.com",
    });
    expect(diagnoseS3({ code: "NoSuchBucket", status: 404 }, aws, "s3:PutObject").cause).toContain("does not exist");
  });
});

describe("diagnoseS3 for a bucket this project did not make (migrate --from-env)", () => {
  const elsewhere = {
    madeBy: "elsewhere",
    needs: ["s3:ListBucket on the bucket old", "s3:GetObject on old/*"],
  } as const;
  const failures = [
    { code: "NoSuchBucket", status: 404 },
    { code: "InvalidAccessKeyId", status: 403 },
    { code: "SignatureDoesNotMatch", status: 403 },
    { code: "AccessDenied", status: 403 },
    { code: "Teapot", status: 418 },
  ];

  it("never sends the admin to this project's stack: no pulumi up, no envProduction output", () => {
    for (const failure of failures) {
      const fix = diagnoseS3(failure, target(), "s3:ListBucket", false, elsewhere).fix;
      expect(fix, failure.code).not.toMatch(/pulumi|envProduction/);
      // The same failure on this project's own bucket keeps the stack's fix.
      expect(diagnoseS3(failure, target(), "s3:ListBucket").fix, failure.code).toMatch(/pulumi|envProduction/);
    }
  });

  it("names what the key needs on that bucket for AccessDenied", () => {
    expect(diagnoseS3({ code: "AccessDenied", status: 403 }, target(), "s3:ListBucket", false, elsewhere).fix).toBe(
      "give the key (AWS_ACCESS_KEY_ID) s3:ListBucket on the bucket old, s3:GetObject on old/*, where the bucket's access is managed (the key's or the bucket's policy on AWS and MinIO, the key's bucket access on Spaces, the API token's permissions on R2)",
    );
  });
});
