import { describe, expect, it } from "vitest";
import { parsePolicyDocument } from "../../../policy/analysis/policy-document";
import { unknownCheckingProxy } from "../../../policy/sdk-proxy";
import { cloudFrontReadDocument, DISTRIBUTION_ARN, json, PUBLIC_RESOURCES } from "../fixtures";

describe("parsePolicyDocument", () => {
  it("normalises a JSON bucket policy into lists, keeping the Sid and lowercasing condition keys", () => {
    expect(parsePolicyDocument(json(cloudFrontReadDocument()))).toEqual({
      ok: true,
      document: {
        statements: [
          {
            sid: "CloudFrontReadsMedia",
            effect: "Allow",
            principal: { kind: "map", aws: [], service: ["cloudfront.amazonaws.com"], other: [] },
            notPrincipal: false,
            actions: ["s3:GetObject"],
            notAction: false,
            resources: PUBLIC_RESOURCES,
            notResource: false,
            conditions: [{ operator: "StringEquals", key: "aws:sourcearn", values: [DISTRIBUTION_ARN] }],
          },
        ],
      },
    });
  });

  it('accepts an object, a single statement, string elements and the Principal "*"', () => {
    const parsed = parsePolicyDocument({
      Statement: { Effect: "Deny", Principal: "*", NotAction: "s3:GetObject", NotResource: "arn:aws:s3:::b/*" },
    });
    expect(parsed).toEqual({
      ok: true,
      document: {
        statements: [
          {
            effect: "Deny",
            principal: { kind: "any", aws: [], service: [], other: [] },
            notPrincipal: false,
            actions: ["s3:GetObject"],
            notAction: true,
            resources: ["arn:aws:s3:::b/*"],
            notResource: true,
            conditions: [],
          },
        ],
      },
    });
  });

  it("marks a NotPrincipal and keeps principals of other kinds", () => {
    const parsed = parsePolicyDocument({
      Statement: [
        {
          Effect: "Allow",
          NotPrincipal: { AWS: "arn:aws:iam::123456789012:root", Federated: "cognito" },
          Action: "s3:*",
          Resource: "*",
        },
      ],
    });
    expect(parsed.ok && parsed.document.statements[0]?.principal).toEqual({
      kind: "map",
      aws: ["arn:aws:iam::123456789012:root"],
      service: [],
      other: ["Federated:cognito"],
    });
    expect(parsed.ok && parsed.document.statements[0]?.notPrincipal).toBe(true);
  });

  it("reports text that is not JSON", () => {
    expect(parsePolicyDocument("{not json")).toEqual({ ok: false, problem: "is not valid JSON" });
  });

  it("reports a statement without a valid Effect, Action or Resource by its position", () => {
    expect(
      parsePolicyDocument({
        Statement: [
          { Effect: "Allow", Action: "s3:GetObject", Resource: "*" },
          { Effect: "allow", Action: "s3:GetObject", Resource: "*" },
        ],
      }),
    ).toEqual({
      ok: false,
      problem: "Statement 2 must have Effect Allow or Deny",
    });
    expect(parsePolicyDocument({ Statement: [{ Effect: "Allow", Resource: "*" }] })).toEqual({
      ok: false,
      problem: "Statement 1 must have Action or NotAction as a string or a list of strings",
    });
    expect(parsePolicyDocument({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: [1] }] })).toEqual({
      ok: false,
      problem: "Statement 1 must have Resource or NotResource as a string or a list of strings",
    });
  });

  it("reads a document behind the policy SDK's unknown-checking proxy", () => {
    const parsed = parsePolicyDocument(unknownCheckingProxy(cloudFrontReadDocument()));
    expect(parsed.ok && parsed.document.statements[0]?.resources).toEqual(PUBLIC_RESOURCES);
  });
});
