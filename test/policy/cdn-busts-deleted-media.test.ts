import { describe, expect, it } from "vitest";
import { cdnBustsDeletedMedia } from "../../policy/rules/cdn-busts-deleted-media";
import { aws, cloudflare, digitalocean } from "./fixtures";
import { validateStack } from "./helpers";

/** The distribution as the AWS stack plans it: the viewer-request function and the purge handler's origin. */
function bustingDistribution() {
  const distribution = aws.distribution();
  const props = distribution.props as {
    defaultCacheBehavior: Record<string, unknown>;
    origins: Record<string, unknown>[];
  };
  props.defaultCacheBehavior.functionAssociations = [
    {
      eventType: "viewer-request",
      functionArn: "arn:aws:cloudfront::123456789012:function/media-cache-buster-viewer-request",
    },
  ];
  props.origins.push({
    originId: "cache-buster",
    domainName: "abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-central-1.on.aws",
    originAccessControlId: "media-cache-buster-oac-id",
  });
  return distribution;
}

const workerRoute = (pattern: string) => ({
  type: "cloudflare:index/workersRoute:WorkersRoute",
  props: { pattern, script: "mastodon-cache-buster-files-example-com", zoneId: "fedcba9876543210fedcba9876543210" },
});

describe("cdn-busts-deleted-media", () => {
  it("passes a distribution with the cache buster's function and purge origin", async () => {
    expect(await validateStack(cdnBustsDeletedMedia, [aws.bucket(), bustingDistribution()])).toEqual([]);
  });

  it("reports a distribution without them, and one with the function but no purge origin, naming what to do", async () => {
    const withoutOrigin = bustingDistribution();
    (withoutOrigin.props as { origins: unknown[] }).origins.pop();
    for (const distribution of [aws.distribution(), withoutOrigin]) {
      const findings = await validateStack(cdnBustsDeletedMedia, [aws.bucket(), distribution]);
      expect(findings).toHaveLength(1);
      expect(findings[0]?.message).toContain("providers/aws/cache-buster.ts");
    }
  });

  it("passes an R2 custom domain with the Worker route on its host, and reports one without (or routed elsewhere)", async () => {
    expect(
      await validateStack(cdnBustsDeletedMedia, [cloudflare.customDomain(), workerRoute("files.example.com/*")]),
    ).toEqual([]);
    for (const others of [[], [workerRoute("other.example.com/*")]]) {
      const findings = await validateStack(cdnBustsDeletedMedia, [cloudflare.customDomain(), ...others]);
      expect(findings.map((finding) => finding.message)).toEqual([
        expect.stringContaining("files.example.com must act on Mastodon's cache buster"),
      ]);
      expect(findings[0]?.message).toContain("mastodon-media:cloudflare.cacheBuster: true");
      expect(findings[0]?.message).toContain("`npm run purge`");
    }
  });

  it("reports a Spaces CDN whose TTL outlasts the accepted lifetime, and names the lever", async () => {
    const findings = await validateStack(cdnBustsDeletedMedia, [digitalocean.cdn()]);
    expect(findings.map((finding) => finding.message)).toEqual([
      expect.stringContaining("lower digitalocean.cdnTtl to 3600 or less"),
    ]);
    const short = digitalocean.cdn();
    short.props.ttl = 3600;
    expect(await validateStack(cdnBustsDeletedMedia, [short])).toEqual([]);
    expect(await validateStack(cdnBustsDeletedMedia, [digitalocean.cdn()], { maxTtlSeconds: 86400 })).toEqual([]);
  });
});
