import { describe, expect, it } from "vitest";
import { publicReadPolicy, WRITER_ACTIONS, writerPolicy } from "../../components/policy-documents";
import {
  isPublicKey,
  PRIVATE_PREFIXES,
  PUBLIC_PREFIXES,
  privatePrefixes,
  publicPrefixes,
} from "../../components/prefixes";

describe("writerPolicy", () => {
  it("grants the four object actions on the bucket's objects and listing on the bucket, nothing else", () => {
    expect(writerPolicy("media")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ReadWriteMediaObjects",
          Effect: "Allow",
          Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
          Resource: "arn:aws:s3:::media/*",
        },
        { Sid: "ListMediaBucket", Effect: "Allow", Action: ["s3:ListBucket"], Resource: "arn:aws:s3:::media" },
      ],
    });
  });

  it("scopes objects and listing to the key prefix when one is set", () => {
    const [objects, listing] = writerPolicy("shared", "social").Statement;
    expect(objects?.Resource).toBe("arn:aws:s3:::shared/social/*");
    expect(listing?.Condition).toEqual({ StringLike: { "s3:prefix": ["social/*"] } });
  });

  it("never grants ACL, policy or bucket-creation actions", () => {
    const actions = writerPolicy("media").Statement.flatMap((statement) => statement.Action);
    expect([...actions].sort()).toEqual([...WRITER_ACTIONS].sort());
    expect(actions.some((action) => /Acl|Policy|CreateBucket|\*/.test(action))).toBe(false);
  });
});

describe("publicReadPolicy", () => {
  it("lets anyone GET the public prefixes and nothing else", () => {
    const [statement, ...rest] = publicReadPolicy("media", { kind: "anonymous" }).Statement;
    expect(rest).toEqual([]);
    expect(statement).toEqual({
      Sid: "PublicReadMedia",
      Effect: "Allow",
      Principal: { AWS: ["*"] },
      Action: ["s3:GetObject"],
      Resource: PUBLIC_PREFIXES.map((prefix) => `arn:aws:s3:::media/${prefix}*`),
    });
  });

  it("lets only one CloudFront distribution read, by its ARN", () => {
    const arn = "arn:aws:cloudfront::123456789012:distribution/E2QWRUHEXAMPLE";
    const [statement] = publicReadPolicy("media", { kind: "cloudfront", distributionArn: arn }).Statement;
    expect(statement?.Principal).toEqual({ Service: "cloudfront.amazonaws.com" });
    expect(statement?.Condition).toEqual({ StringEquals: { "AWS:SourceArn": arn } });
  });

  it("never covers backups/ or imports/, with or without a key prefix", () => {
    for (const keyPrefix of [undefined, "social"]) {
      const resources = publicReadPolicy("media", { kind: "anonymous" }, keyPrefix).Statement.flatMap(
        (s) => s.Resource,
      );
      for (const privatePrefix of privatePrefixes(keyPrefix)) {
        expect(resources.some((resource) => resource.includes(privatePrefix))).toBe(false);
      }
      expect(resources.some((resource) => resource === "arn:aws:s3:::media/*")).toBe(false);
    }
  });
});

describe("prefixes", () => {
  it("puts the key prefix in front of every Mastodon prefix", () => {
    expect(publicPrefixes("social")[0]).toBe("social/media_attachments/");
    expect(privatePrefixes("social")).toEqual(["social/backups/", "social/imports/"]);
  });

  it("tells public keys from private ones", () => {
    expect(isPublicKey("media_attachments/files/109/original/a.png")).toBe(true);
    expect(isPublicKey("cache/preview_cards/images/1/a.jpg")).toBe(true);
    expect(isPublicKey("backups/dump/archive.zip")).toBe(false);
    expect(isPublicKey("media_attachments/a.png", "social")).toBe(false);
    expect(isPublicKey("social/media_attachments/a.png", "social")).toBe(true);
  });

  it("keeps the public and private lists disjoint", () => {
    expect(PUBLIC_PREFIXES.filter((prefix) => (PRIVATE_PREFIXES as readonly string[]).includes(prefix))).toEqual([]);
  });
});
