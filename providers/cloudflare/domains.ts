import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "./sdk";
import type { CloudflareStackConfig } from "../../components/config";

/** Oldest TLS version the media host accepts (R2 defaults to 1.0). */
export const MEDIA_MIN_TLS = "1.2";

export interface MediaDomains {
  customDomain: cloudflare.R2CustomDomain;
  managedDomain: cloudflare.R2ManagedDomain;
}

export interface MediaDomainsArgs {
  config: CloudflareStackConfig;
  mediaDomain: string;
  bucketName: pulumi.Input<string>;
  /** What must exist before the media host goes live (the guard on private keys). */
  dependsOn: pulumi.Resource[];
}

/**
 * The media host as an R2 custom domain (Cloudflare creates its DNS record and certificate), and the r2.dev URL
 * explicitly disabled unless a test stack asks for it: r2.dev is rate-limited and outside the zone, so the WAF
 * guard on private keys does not apply there.
 */
export function createMediaDomains(name: string, args: MediaDomainsArgs, parent: pulumi.Resource): MediaDomains {
  const { accountId, zoneId, jurisdiction, r2DevDomain } = args.config.cloudflare;
  const customDomain = new cloudflare.R2CustomDomain(
    `${name}-custom-domain`,
    {
      accountId,
      bucketName: args.bucketName,
      jurisdiction,
      zoneId,
      domain: args.mediaDomain,
      enabled: true,
      minTls: MEDIA_MIN_TLS,
    },
    // A new `domain` replaces the custom domain (terraform-provider-cloudflare r2_custom_domain: `domain`
    // RequiresReplace). Delete first: the old host's record goes with the old domain (R2 docs, "Remove domain"),
    // and the previous-host placeholder for it (providers/cloudflare/previous-host-records.ts) can only be
    // created under that name once it is gone. The new host served nothing before, so nothing is lost meanwhile.
    { parent, dependsOn: args.dependsOn, deleteBeforeReplace: true },
  );
  const managedDomain = new cloudflare.R2ManagedDomain(
    `${name}-r2-dev`,
    {
      accountId,
      bucketName: args.bucketName,
      jurisdiction,
      enabled: r2DevDomain && args.config.environment === "test",
    },
    { parent },
  );
  return { customDomain, managedDomain };
}
