import { describe, expect, it } from "vitest";
import { parsePolicyDocument, type PolicyDocument } from "../../../policy/analysis/policy-document";
import { decide, type RequestPrincipal } from "../../../policy/analysis/request";
import { anonymousReadDocument, cloudFrontReadDocument, DISTRIBUTION_ARN, writerDocument } from "../fixtures";

function parse(input: unknown): PolicyDocument {
  const parsed = parsePolicyDocument(input);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.document;
}

const anonymous: RequestPrincipal = { kind: "anonymous" };
const writer: RequestPrincipal = { kind: "identity", arn: "arn:aws:iam::123456789012:user/writer" };
const cloudFront: RequestPrincipal = { kind: "service", service: "cloudfront.amazonaws.com" };
const object = (key: string) => `arn:aws:s3:::example-social-media/${key}`;

describe("decide", () => {
  it("lets anonymous callers read public prefixes of an anonymous-read bucket, and nothing else", () => {
    const resource = parse(anonymousReadDocument());
    expect(
      decide({ principal: anonymous, action: "s3:GetObject", resource: object("cache/a.png") }, { resource }),
    ).toBe("allowed");
    expect(
      decide({ principal: anonymous, action: "s3:GetObject", resource: object("backups/1/a.zip") }, { resource }),
    ).toBe("implicitly-denied");
    expect(
      decide({ principal: anonymous, action: "s3:PutObject", resource: object("cache/a.png") }, { resource }),
    ).toBe("implicitly-denied");
  });

  it("lets CloudFront read only with the distribution's SourceArn", () => {
    const resource = parse(cloudFrontReadDocument());
    const request = { principal: cloudFront, action: "s3:GetObject", resource: object("accounts/avatars/a.png") };
    expect(decide({ ...request, context: { "aws:SourceArn": DISTRIBUTION_ARN } }, { resource })).toBe("allowed");
    expect(
      decide(
        { ...request, context: { "aws:SourceArn": "arn:aws:cloudfront::999999999999:distribution/EOTHER" } },
        { resource },
      ),
    ).toBe("implicitly-denied");
    expect(decide(request, { resource })).toBe("implicitly-denied");
    expect(
      decide({ principal: anonymous, action: "s3:GetObject", resource: object("accounts/a.png") }, { resource }),
    ).toBe("implicitly-denied");
  });

  it("gives the writer its identity policy's actions on its own bucket only", () => {
    const identity = [parse(writerDocument())];
    expect(decide({ principal: writer, action: "s3:PutObject", resource: object("backups/x") }, { identity })).toBe(
      "allowed",
    );
    expect(
      decide(
        { principal: writer, action: "s3:ListBucket", resource: "arn:aws:s3:::example-social-media" },
        { identity },
      ),
    ).toBe("allowed");
    expect(
      decide(
        { principal: writer, action: "s3:PutBucketPolicy", resource: "arn:aws:s3:::example-social-media" },
        { identity },
      ),
    ).toBe("implicitly-denied");
    expect(
      decide(
        { principal: writer, action: "s3:GetObject", resource: "arn:aws:s3:::other-bucket/cache/x" },
        { identity },
      ),
    ).toBe("implicitly-denied");
  });

  it("lets an explicit Deny win over an Allow from either policy", () => {
    const identity = [parse(writerDocument())];
    const resource = parse({
      Statement: [
        {
          Effect: "Deny",
          Principal: "*",
          Action: "s3:DeleteObject",
          Resource: object("*"),
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
    const request = { principal: writer, action: "s3:DeleteObject", resource: object("cache/x") };
    expect(decide({ ...request, context: { "aws:SecureTransport": "false" } }, { identity, resource })).toBe(
      "explicitly-denied",
    );
    expect(decide({ ...request, context: { "aws:SecureTransport": "true" } }, { identity, resource })).toBe("allowed");
  });

  it("treats a missing key as a mismatch, except for IfExists and negated operators", () => {
    const allowIf = (condition: Record<string, unknown>) =>
      parse({
        Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*", Condition: condition }],
      });
    const request = { principal: anonymous, action: "s3:GetObject", resource: object("cache/x") };
    expect(decide(request, { resource: allowIf({ StringEquals: { "aws:Referer": "x" } }) })).toBe("implicitly-denied");
    expect(decide(request, { resource: allowIf({ StringEqualsIfExists: { "aws:Referer": "x" } }) })).toBe("allowed");
    expect(decide(request, { resource: allowIf({ StringNotEquals: { "aws:Referer": "x" } }) })).toBe("allowed");
    expect(decide(request, { resource: allowIf({ Null: { "aws:Referer": "true" } }) })).toBe("allowed");
  });

  it("matches NotPrincipal, NotAction and account principals as IAM does", () => {
    const resource = parse({
      Statement: [
        {
          Effect: "Allow",
          NotPrincipal: { AWS: "arn:aws:iam::123456789012:user/writer" },
          NotAction: "s3:GetObject",
          Resource: "*",
        },
        { Effect: "Allow", Principal: { AWS: "123456789012" }, Action: "s3:GetObject", Resource: "*" },
      ],
    });
    expect(decide({ principal: anonymous, action: "s3:DeleteObject", resource: object("x") }, { resource })).toBe(
      "allowed",
    );
    expect(decide({ principal: writer, action: "s3:DeleteObject", resource: object("x") }, { resource })).toBe(
      "implicitly-denied",
    );
    expect(decide({ principal: writer, action: "s3:GetObject", resource: object("x") }, { resource })).toBe("allowed");
  });

  it("refuses to guess an unsupported condition operator", () => {
    const resource = parse({
      Statement: [
        {
          Effect: "Allow",
          Principal: "*",
          Action: "s3:GetObject",
          Resource: "*",
          Condition: { DateGreaterThan: { "aws:CurrentTime": "2020-01-01T00:00:00Z" } },
        },
      ],
    });
    expect(() =>
      decide(
        { principal: anonymous, action: "s3:GetObject", resource: object("x"), context: { "aws:CurrentTime": "2030" } },
        { resource },
      ),
    ).toThrow("decide: condition operator DateGreaterThan is not supported");
  });
});
