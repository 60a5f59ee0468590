import { describe, expect, it } from "vitest";
import { planConfig, resourceOf } from "../../helpers/plan";

const base = {
  provider: "aws",
  webDomain: "social.example.com",
  mediaDomain: "files.example.com",
  bucket: "example-social-media",
  aws: { region: "eu-central-1", dns: { type: "route53", zoneId: "Z0123456789EXAMPLEABC" } },
};

describe("planConfig", () => {
  it("runs twice in one process with different configs", async () => {
    const production = await planConfig({ ...base, environment: "production" });
    const test = await planConfig({ ...base, environment: "test" });
    expect(resourceOf(production, "aws:s3/bucket:Bucket").protect).toBe(true);
    expect(resourceOf(test, "aws:s3/bucket:Bucket").protect).toBe(false);
    expect(test.resources.length).toBe(production.resources.length);
  });
});
