import { describe, expect, it } from "vitest";
import { audienceOf } from "../../../policy/analysis/audience";
import { actionMatches, isOneOfActions, literalPrefix, resourceMatches } from "../../../policy/analysis/patterns";
import { parsePolicyDocument, type Statement } from "../../../policy/analysis/policy-document";
import { isPublicKeyPattern, parseS3Arn } from "../../../policy/analysis/s3-arn";

describe("actionMatches and resourceMatches", () => {
  it("match actions case-insensitively and ARNs case-sensitively, with * and ?", () => {
    expect(actionMatches("s3:Get*", "s3:getobjectacl")).toBe(true);
    expect(actionMatches("s3:?etObject", "s3:GetObject")).toBe(true);
    expect(actionMatches("s3:GetObject", "s3:GetObjectAcl")).toBe(false);
    expect(resourceMatches("arn:aws:s3:::b/*", "arn:aws:s3:::b/backups/x")).toBe(true);
    expect(resourceMatches("arn:aws:s3:::b/*", "arn:aws:s3:::B/x")).toBe(false);
    expect(resourceMatches("arn:aws:s3:::b.c/*", "arn:aws:s3:::bxc/k")).toBe(false);
  });

  it("take a pattern as one exact action only without wildcards", () => {
    expect(isOneOfActions("S3:GETOBJECT", ["s3:GetObject"])).toBe(true);
    expect(isOneOfActions("s3:GetObjec?", ["s3:GetObject"])).toBe(false);
    expect(literalPrefix("media_attachments/*")).toBe("media_attachments/");
  });
});

describe("parseS3Arn", () => {
  it("splits bucket and key, and refuses other ARNs", () => {
    expect(parseS3Arn("arn:aws:s3:::bucket")).toEqual({ bucket: "bucket" });
    expect(parseS3Arn("arn:aws:s3:::bucket/cache/*")).toEqual({ bucket: "bucket", key: "cache/*" });
    expect(parseS3Arn("arn:aws:s3:::bucket/")).toEqual({ bucket: "bucket", key: "" });
    expect(parseS3Arn("*")).toBeUndefined();
    expect(parseS3Arn("arn:aws:iam::123456789012:user/x")).toBeUndefined();
  });
});

describe("isPublicKeyPattern", () => {
  it.each([
    ["media_attachments/*", true],
    ["cache/*", true],
    ["social/accounts/*", true],
    ["cache/preview_cards/x.png", true],
    ["backups/*", false],
    ["imports/*", false],
    ["*", false],
    ["", false],
    ["media_attachments*", false],
    ["backups/cache/*", false],
    ["*/media_attachments/*", false],
    ["media_attachments", false],
  ])("classifies %j as public: %s", (key, expected) => {
    expect(isPublicKeyPattern(key)).toBe(expected);
  });
});

describe("audienceOf", () => {
  const statement = (extra: Record<string, unknown>): Statement => {
    const parsed = parsePolicyDocument({
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/cache/*", ...extra }],
    });
    if (!parsed.ok || !parsed.document.statements[0]) throw new Error("bad fixture");
    return parsed.document.statements[0];
  };
  const cloudFront = { Principal: { Service: "cloudfront.amazonaws.com" } };

  it("sees anyone behind *, AWS *, and a NotPrincipal", () => {
    expect(audienceOf(statement({ Principal: "*" }))).toBe("anyone");
    expect(audienceOf(statement({ Principal: { AWS: ["*"] } }))).toBe("anyone");
    expect(audienceOf(statement({ NotPrincipal: { AWS: "arn:aws:iam::123456789012:user/a" } }))).toBe("anyone");
  });

  it("sees a CDN only when the service principal is pinned to one account's source", () => {
    expect(
      audienceOf(
        statement({
          ...cloudFront,
          Condition: { StringEquals: { "AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/E1" } },
        }),
      ),
    ).toBe("cdn");
    expect(
      audienceOf(
        statement({
          ...cloudFront,
          Condition: { StringLike: { "aws:SourceArn": "arn:aws:cloudfront::123456789012:distribution/*" } },
        }),
      ),
    ).toBe("cdn");
    expect(
      audienceOf(statement({ ...cloudFront, Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } })),
    ).toBe("cdn");
    expect(audienceOf(statement(cloudFront))).toBe("anyone");
    expect(
      audienceOf(
        statement({
          ...cloudFront,
          Condition: { StringLike: { "aws:SourceArn": "arn:aws:cloudfront::*:distribution/*" } },
        }),
      ),
    ).toBe("anyone");
    expect(
      audienceOf(statement({ ...cloudFront, Condition: { StringNotEquals: { "aws:SourceAccount": "123456789012" } } })),
    ).toBe("anyone");
  });

  it("sees named principals and identity policies", () => {
    expect(audienceOf(statement({ Principal: { AWS: "arn:aws:iam::123456789012:user/a" } }))).toBe("named");
    expect(audienceOf(statement({}))).toBe("self");
  });
});
