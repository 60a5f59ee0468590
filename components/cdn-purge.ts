import * as pulumi from "@pulumi/pulumi";

/**
 * The stack output `cdnPurge`: what `npm run purge` needs to reach the CDN of this stack (plain, no secret):
 * which CDN and its id, the media base URL and the key prefix. Credentials are never in it; the purge command
 * reads them from the provider's usual environment variables (docs/takedowns.md, "npm run purge").
 */
export type CdnPurgeFacts =
  | { cdn: "cloudfront"; distributionId: string }
  | { cdn: "cloudflare"; zoneId: string }
  | { cdn: "digitalocean"; endpointId: string }
  | { cdn: "nginx" };

export type CdnPurgeOutput = CdnPurgeFacts & { mediaBaseUrl: string; keyPrefix?: string };

/** The `cdnPurge` output from the CDN's facts, the stack's media base URL and its key prefix. */
export function cdnPurgeOutput(
  facts: pulumi.Input<CdnPurgeFacts>,
  mediaBaseUrl: pulumi.Input<string>,
  keyPrefix?: string,
): pulumi.Output<CdnPurgeOutput> {
  return pulumi
    .all([facts, mediaBaseUrl])
    .apply(([cdn, base]) => ({ ...(cdn as CdnPurgeFacts), mediaBaseUrl: base, ...(keyPrefix ? { keyPrefix } : {}) }));
}
