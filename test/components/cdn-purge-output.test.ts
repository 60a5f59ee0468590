import { describe, expect, it } from "vitest";
import { planStack } from "../../offline-plan/run";
import { resolveSite } from "../../cdn-purge/site";

/**
 * Every committed example stack exports `cdnPurge` (components/cdn-purge.ts), plain, and `npm run purge --outputs`
 * reads it as `pulumi stack output --json` prints it. Ids the provider assigns are the mock engine's placeholders
 * in the offline plan, so the shape is checked here and the id pattern in test/cdn-purge/cdns.test.ts.
 */
const EXPECTED: Record<string, { cdn: string; id?: string }> = {
  aws: { cdn: "cloudfront", id: "distributionId" },
  cloudflare: { cdn: "cloudflare", id: "zoneId" },
  digitalocean: { cdn: "digitalocean", id: "endpointId" },
};

describe("the cdnPurge stack output", () => {
  for (const [stack, expected] of Object.entries(EXPECTED)) {
    it(`${stack}: names the ${expected.cdn} CDN, its id and the media base, in the clear`, async () => {
      const plan = await planStack(stack);
      const output = plan.outputs.cdnPurge as { value: Record<string, string>; secret: boolean } | undefined;
      expect(output?.secret).toBe(false);
      expect(output?.value.cdn).toBe(expected.cdn);
      expect(output?.value[expected.id as string]).toEqual(expect.any(String));
      expect(output?.value.mediaBaseUrl).toBe((plan.outputs.mediaBaseUrl as { value: string }).value);
    });
  }

  it("cloudflare: the zone id from the stack file, which npm run purge accepts as it is", async () => {
    const plan = await planStack("cloudflare");
    const outputs = Object.fromEntries(
      Object.entries(plan.outputs).map(([name, output]) => [
        name,
        (output as { secret: boolean; value: unknown }).secret ? "[secret]" : (output as { value: unknown }).value,
      ]),
    );
    const site = resolveSite({
      outputs: { text: JSON.stringify(outputs), name: "--outputs" },
      flags: {},
      processEnv: {},
    });
    expect(site).toMatchObject({
      site: { cdn: { cdn: "cloudflare", zoneId: expect.stringMatching(/^[0-9a-f]{32}$/) } },
    });
  });

  it("dev (MinIO without a media domain): no cdnPurge, nothing caches", async () => {
    const plan = await planStack("dev");
    expect(plan.outputs.cdnPurge).toBeUndefined();
  });
});
