import { describe, expect, it } from "vitest";
import { renderPlanMarkdown } from "../../../cli/plan/markdown";
import { renderPlan } from "../../../cli/plan/render";
import { publicPlan } from "../../../offline-plan/run";
import { MOCK_PLACEHOLDER } from "../../../components/masks";
import { planConfig } from "../../helpers/plan";

/** What offline-plan/mocks.ts invents for AWS: none of it may be shown as a value. */
const INVENTED = [
  "AKIAIOSFODNN7EXAMPLE",
  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "d111111abcdef8.cloudfront.net",
  "E2QWRUHEXAMPLE",
  "123456789012",
  "_a79865eb4cd1a6ab990a45779b4e0b96",
  "_424c7224e9b0146f9a8808af955727d0",
];

const aws = {
  provider: "aws",
  webDomain: "social.example.com",
  mediaDomain: "files.example.com",
  bucket: "example-social-media",
  aws: { region: "eu-central-1", dns: { type: "external" } },
};

describe("the plan's output on values only the provider knows", () => {
  it("shows ids, ARNs, keys, the CloudFront domain and ACM validation records as (known after deploy), masked or not", async () => {
    const plan = await planConfig(aws);
    for (const showSecrets of [false, true]) {
      const shown = publicPlan(plan, showSecrets);
      const texts = [JSON.stringify(shown), renderPlan(shown), renderPlanMarkdown(publicPlan(plan, false))];
      for (const text of texts) for (const made of INVENTED) expect(text).not.toContain(made);
      expect(shown.outputs.cdnDomain).toBe(MOCK_PLACEHOLDER);
      const records = shown.outputs.dnsRecords as { name: string; value: string; purpose: string }[];
      expect(records[0]).toMatchObject({
        name: `${MOCK_PLACEHOLDER}.files.example.com`,
        value: `${MOCK_PLACEHOLDER}.acm-validations.aws`,
      });
      expect(records.find((record) => record.name === "files.example.com")?.value).toBe(MOCK_PLACEHOLDER);
      expect(shown.envProductionMasked).toContain(`\nAWS_ACCESS_KEY_ID=${MOCK_PLACEHOLDER}\n`);
    }
  });

  it("says in the JSON where the placeholders are, and keeps the values that follow from the inputs", async () => {
    const plan = await planConfig(aws);
    const shown = publicPlan(plan, false);
    expect(shown.mockPlaceholders.marker).toBe(MOCK_PLACEHOLDER);
    expect(shown.mockPlaceholders.at).toEqual(
      expect.arrayContaining([
        { output: "cdnDomain", path: "" },
        { output: "dnsRecords", path: "0.name" },
      ]),
    );
    const bucketPolicy = shown.resources.find((resource) => resource.type === "aws:s3/bucketPolicy:BucketPolicy");
    expect(shown.mockPlaceholders.at).toContainEqual({ resource: bucketPolicy?.urn, path: "policy" });
    // The bucket's ARN is the provider's documented arn:aws:s3:::NAME: it stays readable.
    expect(String(bucketPolicy?.inputs.policy)).toContain("arn:aws:s3:::example-social-media/media_attachments/*");
    expect(String(bucketPolicy?.inputs.policy)).toContain(
      `arn:aws:cloudfront::${MOCK_PLACEHOLDER}:distribution/${MOCK_PLACEHOLDER}`,
    );
  });

  it("prints the same env block on the console as in the JSON, with --show-secrets and without", async () => {
    const plan = await planConfig(aws);
    for (const showSecrets of [false, true]) {
      const shown = publicPlan(plan, showSecrets);
      const env = showSecrets ? String(shown.outputs.envProduction) : String(shown.envProductionMasked);
      const console = renderPlan(shown);
      for (const line of env.trimEnd().split("\n")) expect(console).toContain(`\n  ${line}\n`);
      // The env block's own section (mastodonHostSteps above it shows a diff that is always masked).
      const block = console.slice(console.indexOf("\nenvProduction"));
      expect(block.includes("AWS_SECRET_ACCESS_KEY=[secret]")).toBe(!showSecrets);
    }
    expect(renderPlan(publicPlan(plan, true))).toContain(`AWS_SECRET_ACCESS_KEY=${MOCK_PLACEHOLDER}`);
  });
});
