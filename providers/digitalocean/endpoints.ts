import type * as pulumi from "@pulumi/pulumi";
import type { ProviderFacts } from "../../components/publish";

/**
 * The Spaces S3 API host of a region. The region is part of the host: a bucket asked for through another
 * region's host is not found, the commonest Spaces misconfiguration (docs/troubleshooting.md).
 */
export function spacesHostname(region: string): string {
  return `${region}.digitaloceanspaces.com`;
}

export function spacesEndpoint(region: string): string {
  return `https://${spacesHostname(region)}`;
}

export interface SpacesCredentials {
  accessKeyId: pulumi.Input<string>;
  secretAccessKey: pulumi.Input<string>;
}

/**
 * What Mastodon needs to know about a Spaces bucket (DigitalOcean docs, "Spaces regional endpoints"): the region
 * slug as S3_REGION, the regional endpoint, the public media host (the CDN's custom domain, or its own endpoint),
 * and object ACLs as the source of public read.
 */
export function spacesStorageFacts(
  region: string,
  aliasHost: pulumi.Input<string>,
  credentials: SpacesCredentials,
  // No cache buster: the Spaces CDN has no edge hook that could act on Mastodon's bust request (docs/takedowns.md).
): Omit<ProviderFacts, "cacheBuster"> {
  return {
    region,
    endpoint: spacesEndpoint(region),
    hostname: spacesHostname(region),
    aliasHost,
    protocol: "https",
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    // Spaces refused uploads and deletes from AWS SDKs released on or after 15 January 2025, which send CRC32
    // checksums by default (DigitalOcean Spaces API reference, warning at the top).
    checksumsOnlyWhenRequired: true,
    // A per-bucket key and a bucket policy cannot coexist on Spaces (DigitalOcean, "How to Configure Bucket
    // Policies"): public read comes from the object ACLs Mastodon sends (S3_PERMISSION=public-read).
    aclMode: "object-acl",
  };
}
