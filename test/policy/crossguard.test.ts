import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as policyProxy from "@pulumi/policy/proxy";
import { describe, expect, it } from "vitest";
import { crossGuardPolicies } from "../../policy/crossguard";
import { rules } from "../../policy/registry";
import { bucketPolicyPublicAccessReadOnly } from "../../policy/rules/bucket-policy-public-access-read-only";
import { UNKNOWN_STRING_VALUE, UnknownValueError } from "../../policy/sdk-proxy";
import { aws, cloudflare } from "./fixtures";
import { validateResource } from "./helpers";

describe("the rule registry", () => {
  it("names every rule once, in kebab-case, never `all` (the policy SDK exits the process on it)", () => {
    const names = rules.map((rule) => rule.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(names).not.toContain("all");
  });

  it('describes every rule with "Checks whether ..."', () => {
    for (const rule of rules) expect(rule.description).toMatch(/^Checks whether .+\.$/);
  });

  it("makes the access, writer, serving and protection rules mandatory and the cost and compatibility hints advisory", () => {
    expect(rules.filter((rule) => rule.enforcementLevel === "advisory").map((rule) => rule.name)).toEqual([
      "cors-allows-any-origin",
      "bucket-aborts-incomplete-multipart-uploads",
      "cloudfront-price-class-limited",
      "cloudfront-price-class-covers-bucket-region",
      "cdn-busts-deleted-media",
    ]);
  });
});

describe("crossGuardPolicies", () => {
  const policies = crossGuardPolicies(rules);

  it("gives the pack one policy per rule with its name, description, level and severity", () => {
    expect(policies.map((policy) => [policy.name, policy.enforcementLevel])).toEqual(
      rules.map((rule) => [rule.name, rule.enforcementLevel]),
    );
    expect(policies[0]).toMatchObject({
      name: "bucket-policy-public-access-read-only",
      description: bucketPolicyPublicAccessReadOnly.description,
      enforcementLevel: "mandatory",
      severity: "critical",
    });
  });

  it("offers an environment property (production by default) exactly on the rules that read it", () => {
    const withEnvironment = policies
      .filter((policy) => policy.configSchema?.properties.environment)
      .map((policy) => policy.name);
    expect(withEnvironment).toEqual([
      "r2-dev-domain-disabled-in-production",
      "bucket-protection-matches-environment",
      "media-urls-anchored",
    ]);
    expect(policies.find((policy) => policy.name === "bucket-protection-matches-environment")?.configSchema).toEqual({
      properties: {
        environment: {
          type: "string",
          enum: ["production", "test"],
          default: "production",
          description:
            "The stack's mastodon-media:environment: production stacks must keep their bucket, test stacks must not.",
        },
      },
    });
  });

  it("ships policy/config/test.json, which marks a stack as test on exactly the rules that read the environment", () => {
    const config = JSON.parse(readFileSync(path.resolve(__dirname, "../../policy/config/test.json"), "utf8"));
    expect(config).toEqual(
      Object.fromEntries(
        rules.filter((rule) => rule.usesEnvironment).map((rule) => [rule.name, { environment: "test" }]),
      ),
    );
  });

  it("lets the R2 token rule's permission groups be configured", () => {
    const schema = policies.find((policy) => policy.name === "r2-token-bucket-item-scoped")?.configSchema;
    expect(schema?.properties.permissionGroupIds).toMatchObject({
      type: "array",
      default: ["2efd5506f9c8494dacb1fa10a3e7d5b6", "6a018a9f2fc74eb6b293b0c548f38b39"],
    });
  });

  it("stops a rule that reads a value unknown during preview with the SDK's UnknownValueError", async () => {
    const bucketPolicy = aws.bucketPolicy();
    bucketPolicy.props.policy = UNKNOWN_STRING_VALUE;
    const run = validateResource(bucketPolicyPublicAccessReadOnly, bucketPolicy);
    await expect(run).rejects.toBeInstanceOf(UnknownValueError);
    await expect(run).rejects.toThrow("string value at .policy can't be known during preview");
  });

  it("does not read the properties of resources a rule does not cover", async () => {
    const unknownEverywhere = {
      type: cloudflare.bucket().type,
      props: { name: UNKNOWN_STRING_VALUE, accountId: UNKNOWN_STRING_VALUE },
    };
    expect(await validateResource(bucketPolicyPublicAccessReadOnly, unknownEverywhere)).toEqual([]);
  });

  it("uses the SDK's own marker for unknown strings", () => {
    expect(UNKNOWN_STRING_VALUE).toBe((policyProxy as unknown as { unknownStringValue: string }).unknownStringValue);
  });
});
