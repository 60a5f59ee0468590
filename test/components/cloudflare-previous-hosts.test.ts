import { describe, expect, it } from "vitest";
import { planConfig, resourceOf, resourcesOf } from "../helpers/plan";

/**
 * After a change of mediaDomain the old host must keep resolving, proxied, or its Single Redirect is never reached:
 * the replaced R2 custom domain takes its DNS record with it (R2 docs, "Remove domain"). Issue #21.
 */
const config = {
  provider: "cloudflare",
  webDomain: "social.example.com",
  mediaDomain: "media.example.com",
  bucket: "example-social-media",
  previousMediaDomains: ["files.example.com", "files.example.com/social", "old.example.net"],
  cloudflare: {
    accountId: "0123456789abcdef0123456789abcdef",
    zoneId: "fedcba9876543210fedcba9876543210",
    redirectPreviousMediaDomains: true,
  },
};
const DNS_RECORD = "cloudflare:index/dnsRecord:DnsRecord";
const CUSTOM_DOMAIN = "cloudflare:index/r2CustomDomain:R2CustomDomain";

describe("a Cloudflare stack redirecting its previous media hosts", async () => {
  const plan = await planConfig(config);

  it("keeps each previous host of the zone proxied with one placeholder record, created after the media host's custom domain", () => {
    const records = resourcesOf(plan, DNS_RECORD);
    expect(records.map((record) => record.inputs)).toEqual([
      {
        zoneId: "fedcba9876543210fedcba9876543210",
        name: "files.example.com",
        type: "AAAA",
        content: "100::",
        proxied: true,
        ttl: 1,
        comment: "mastodon-media: keeps this previous media host proxied so that its redirect answers",
      },
    ]);
    expect(records[0]?.dependsOn).toEqual([resourceOf(plan, CUSTOM_DOMAIN).urn]);
    expect(records[0]?.parent).toBe(resourceOf(plan, "mastodon-media:cloudflare:MediaStorage").urn);
  });

  it("replaces the custom domain delete-first, so that the old host's record is gone before the placeholder takes its name", () => {
    expect(resourceOf(plan, CUSTOM_DOMAIN).deleteBeforeReplace).toBe(true);
  });

  it("never deletes a zone ruleset before its replacement exists", () => {
    const rulesets = resourcesOf(plan, "cloudflare:index/ruleset:Ruleset");
    expect(rulesets).toHaveLength(3);
    for (const ruleset of rulesets) expect(ruleset.deleteBeforeReplace).toBeUndefined();
  });

  it("has the self-check follow one old URL of a previous host in the zone, once its placeholder record exists", () => {
    const selfCheck = resourcesOf(plan, "command:local:Command").find((command) =>
      command.name.endsWith("-self-check"),
    );
    expect(String(selfCheck?.inputs.create)).toContain(" --previous-media-base files.example.com");
    expect(selfCheck?.dependsOn).toContain(resourcesOf(plan, DNS_RECORD)[0]?.urn);
  });

  it("adds no record without the redirect", async () => {
    const quiet = await planConfig({
      ...config,
      cloudflare: { ...config.cloudflare, redirectPreviousMediaDomains: false },
    });
    expect(resourcesOf(quiet, DNS_RECORD)).toEqual([]);
  });
});
