import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AWS_REGIONS, DIGITALOCEAN_REGIONS, R2_JURISDICTIONS } from "../../../components/config/sdk-lists";
import { SPACES_REGIONS } from "../../../components/config/digitalocean";

/** The committed copies of the SDKs' lists stay equal to what the installed SDKs ship. */
describe("the provider value lists", () => {
  it("AWS_REGIONS is @pulumi/aws's Region enum", () => {
    const { Region } = require("@pulumi/aws/types/enums") as { Region: Record<string, string> };
    expect([...AWS_REGIONS]).toEqual(Object.values(Region));
  });

  it("DIGITALOCEAN_REGIONS is @pulumi/digitalocean's Region enum", () => {
    const { Region } = require("@pulumi/digitalocean/types/enums") as { Region: Record<string, string> };
    expect([...DIGITALOCEAN_REGIONS]).toEqual(Object.values(Region));
  });

  it("R2_JURISDICTIONS is what @pulumi/cloudflare documents for R2Bucket.jurisdiction", () => {
    const typings = readFileSync(require.resolve("@pulumi/cloudflare/r2bucket.d.ts"), "utf8");
    const args = typings.slice(typings.indexOf("export interface R2BucketArgs"));
    const documented = /Available values: ([^\n]+)\.\n\s*\*\/\n\s*jurisdiction\?:/.exec(args);
    expect(documented?.[1]?.split(", ").map((value) => JSON.parse(value))).toEqual([...R2_JURISDICTIONS]);
  });

  it('every Spaces region is an SDK region, except atl1, which DigitalOcean\'s "Spaces availability" lists and the enum predates', () => {
    expect(SPACES_REGIONS.filter((region) => !(DIGITALOCEAN_REGIONS as readonly string[]).includes(region))).toEqual([
      "atl1",
    ]);
  });
});
