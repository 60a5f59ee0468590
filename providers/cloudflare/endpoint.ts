import type { CloudflareStackConfig } from "../../components/config";

export type R2Jurisdiction = CloudflareStackConfig["cloudflare"]["jurisdiction"];

/**
 * Host of the R2 S3 API for an account. Jurisdiction buckets are only reachable through their own host
 * (R2 docs, "Data location": `ACCOUNT.eu.r2.cloudflarestorage.com`, `ACCOUNT.fedramp.r2.cloudflarestorage.com`);
 * the plain host answers NoSuchBucket for them.
 */
export function r2ApiHost(accountId: string, jurisdiction: R2Jurisdiction): string {
  return jurisdiction === "default"
    ? `${accountId}.r2.cloudflarestorage.com`
    : `${accountId}.${jurisdiction}.r2.cloudflarestorage.com`;
}

/** S3_ENDPOINT for R2. Its presence makes Mastodon use path-style requests, which R2 accepts. */
export function r2Endpoint(accountId: string, jurisdiction: R2Jurisdiction): string {
  return `https://${r2ApiHost(accountId, jurisdiction)}`;
}

/** R2 signs with region `auto` (it also accepts us-east-1 as an alias). */
export const R2_REGION = "auto";
