import { describe, expect, it } from "vitest";
import { parsePolicyDocument, type PolicyDocument } from "../../../policy/analysis/policy-document";
import { actionsBeyondRead, publicGrants, resourcesBeyondPublicPrefixes } from "../../../policy/analysis/public-access";
import { writerScope } from "../../../policy/analysis/writer-scope";
import { anonymousReadDocument, cloudFrontReadDocument, writerDocument } from "../fixtures";

function parse(input: unknown): PolicyDocument {
  const parsed = parsePolicyDocument(input);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.document;
}

describe("publicGrants", () => {
  it("finds the anonymous and the CDN read statements, and nothing beyond them in the committed documents", () => {
    const anonymous = publicGrants(parse(anonymousReadDocument()));
    const cdn = publicGrants(parse(cloudFrontReadDocument()));
    expect(anonymous.map((grant) => [grant.label, grant.audience])).toEqual([["statement PublicReadMedia", "anyone"]]);
    expect(cdn.map((grant) => [grant.label, grant.audience])).toEqual([["statement CloudFrontReadsMedia", "cdn"]]);
    for (const grant of [...anonymous, ...cdn]) {
      expect(actionsBeyondRead(grant)).toEqual([]);
      expect(resourcesBeyondPublicPrefixes(grant)).toEqual([]);
    }
  });

  it("ignores Deny statements and named principals", () => {
    const document = parse({
      Statement: [
        { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::b/backups/*" },
        { Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:user/a" }, Action: "s3:*", Resource: "*" },
      ],
    });
    expect(publicGrants(document)).toEqual([]);
  });

  it("lists wildcard and extra actions, NotAction, bucket ARNs and private keys as beyond public read", () => {
    const [grant] = publicGrants(
      parse({
        Statement: [
          {
            Effect: "Allow",
            Principal: "*",
            Action: ["s3:GetObject", "s3:Get*", "s3:ListBucket"],
            Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/cache/*", "arn:aws:s3:::b/backups/*", "*"],
          },
        ],
      }),
    );
    if (!grant) throw new Error("no grant");
    expect(grant.label).toBe("statement 1");
    expect(actionsBeyondRead(grant)).toEqual(["s3:Get*", "s3:ListBucket"]);
    expect(resourcesBeyondPublicPrefixes(grant)).toEqual(["arn:aws:s3:::b", "arn:aws:s3:::b/backups/*", "*"]);
    const [negated] = publicGrants(
      parse({
        Statement: [
          { Effect: "Allow", Principal: "*", NotAction: "s3:PutObject", NotResource: "arn:aws:s3:::b/backups/*" },
        ],
      }),
    );
    if (!negated) throw new Error("no grant");
    expect(actionsBeyondRead(negated)).toEqual(["NotAction s3:PutObject"]);
    expect(resourcesBeyondPublicPrefixes(negated)).toEqual(["NotResource arn:aws:s3:::b/backups/*"]);
  });
});

describe("writerScope", () => {
  it("accepts the writer policy and reports its one bucket", () => {
    expect(writerScope(parse(writerDocument()))).toEqual({ buckets: ["example-social-media"], problems: [] });
  });

  it("accepts a key-prefixed writer with a listing condition", () => {
    const document = parse({
      Statement: [
        {
          Effect: "Allow",
          Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
          Resource: "arn:aws:s3:::b/social/*",
        },
        {
          Effect: "Allow",
          Action: "s3:ListBucket",
          Resource: "arn:aws:s3:::b",
          Condition: { StringLike: { "s3:prefix": ["social/*"] } },
        },
      ],
    });
    expect(writerScope(document)).toEqual({ buckets: ["b"], problems: [] });
  });

  it("reports extra actions, wildcards, other buckets and misplaced resources", () => {
    const document = parse({
      Statement: [
        { Sid: "Objects", Effect: "Allow", Action: ["s3:PutObject", "s3:*"], Resource: "arn:aws:s3:::b/*" },
        {
          Sid: "Listing",
          Effect: "Allow",
          Action: "s3:ListBucket",
          Resource: ["arn:aws:s3:::b/*", "arn:aws:s3:::other"],
        },
        { Sid: "Anywhere", Effect: "Allow", Action: "s3:GetObject", Resource: ["*", "arn:aws:s3:::b"] },
        { Effect: "Deny", Action: "s3:*", Resource: "*" },
      ],
    });
    expect(writerScope(document)).toEqual({
      buckets: ["b", "other"],
      problems: [
        "statement Objects must grant only s3:PutObject, s3:GetObject, s3:DeleteObject, s3:AbortMultipartUpload, s3:ListBucket: found s3:*",
        "statement Listing must grant s3:ListBucket on the bucket (arn:aws:s3:::b), not on objects",
        "statement Anywhere must name one bucket in every resource: found *",
        "statement Anywhere must grant object actions on objects (arn:aws:s3:::b/*), not on the bucket",
        "must grant on one bucket only: found b, other",
      ],
    });
  });

  it("reports NotAction, NotResource and a principal", () => {
    const document = parse({
      Statement: [{ Effect: "Allow", Principal: "*", NotAction: "iam:*", NotResource: "arn:aws:s3:::b" }],
    });
    expect(writerScope(document).problems).toEqual([
      "statement 1 must list its actions instead of NotAction",
      "statement 1 must list its resources instead of NotResource",
      "statement 1 must not name a principal in an identity policy",
    ]);
  });
});
