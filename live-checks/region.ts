import { recognizeProvider } from "../mastodon-env/providers";
import type { VerifyTarget } from "../mastodon-env/target";

/**
 * What a provider's host name says about the region (AWS docs, "Amazon S3 endpoints and quotas"; DigitalOcean docs, "Spaces regional endpoints"): AWS and Spaces put the region in
 * their API hosts, R2's account endpoint only works with the region `auto` (or us-east-1). A mismatch with
 * S3_REGION, or a bucket name inside the endpoint host, is a classic cause of failed uploads (section 6.3).
 */
export interface HostRegion {
  provider: "AWS" | "Spaces" | "R2";
  /** The region the host names; undefined for R2, whose one endpoint serves every location. */
  region?: string;
  /** The bucket name in front of the regional host (virtual-host style), if any. */
  bucketLabel?: string;
}

export function regionOfHost(host: string): HostRegion | undefined {
  const spaces = /^(?:(.+)\.)?([a-z]{3}\d)\.digitaloceanspaces\.com$/.exec(host);
  if (spaces) return { provider: "Spaces", region: spaces[2], bucketLabel: spaces[1] };
  const aws = /^(?:(.+)\.)?s3[.-](?:dualstack\.)?([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d)\.amazonaws\.com$/.exec(host);
  if (aws) return { provider: "AWS", region: aws[2], bucketLabel: aws[1] };
  const r2 = /^(?:(.+)\.)?[0-9a-f]{32}(?:\.(?:eu|fedramp))?\.r2\.cloudflarestorage\.com$/.exec(host);
  if (r2) return { provider: "R2", bucketLabel: r2[1] };
  return undefined;
}

/** R2 accepts these SigV4 regions (Cloudflare R2 docs, "S3 API compatibility"). */
export const R2_REGIONS = ["auto", "us-east-1"] as const;

export interface RegionReport {
  observed: string[];
  problems: { cause: string; fix: string }[];
}

/**
 * Compares S3_REGION with S3_ENDPOINT and S3_HOSTNAME, for every provider mastodon-env/providers.ts
 * recognises (a region in the host must be S3_REGION; R2 signs with auto); pure, needs no network.
 */
export function regionReport(target: VerifyTarget): RegionReport {
  const { facts } = target;
  const observed: string[] = [];
  const problems: RegionReport["problems"] = [];
  const hosts: [string, string][] = [];
  if (facts.endpoint) hosts.push(["S3_ENDPOINT", new URL(facts.endpoint).host]);
  // With an alias host Mastodon links media there and never uses S3_HOSTNAME.
  if (!facts.aliasHost) hosts.push(["S3_HOSTNAME", facts.hostname]);

  for (const [variable, host] of hosts) {
    const named = recognizeProvider(host);
    const bare = host.replace(/:\d+$/, "");
    if (variable === "S3_ENDPOINT" && target.bucketInEndpoint) {
      const apiHost = named?.bucketLabel ? named.apiHost : bare.slice(target.bucketInEndpoint.length + 1);
      problems.push({
        cause: `S3_ENDPOINT contains a bucket name (${target.bucketInEndpoint}.${apiHost}): Mastodon adds the bucket itself in path style, so every key lands under ${facts.bucket}/... inside bucket ${target.bucketInEndpoint}, and listing breaks`,
        fix: `set S3_ENDPOINT=https://${apiHost}`,
      });
    } else if (named?.bucketLabel && named.bucketLabel !== facts.bucket && named.provider.id !== "aws") {
      problems.push({ cause: `${variable} names bucket ${named.bucketLabel}, not S3_BUCKET=${facts.bucket}`, fix: `correct ${variable} or S3_BUCKET` });
    }
    if (!named || (!named.region && !named.provider.quirks.signingRegions)) {
      observed.push(`${variable} ${bare}: ${named ? named.provider.name : "no provider recognised"}, no region in the name; the server decides (requests are signed for ${facts.region})`);
      continue;
    }
    const { quirks, name } = named.provider;
    if (quirks.signingRegions) {
      if (!quirks.signingRegions.includes(facts.region)) {
        problems.push({ cause: `${name} signs with the region ${quirks.signingRegions.join(" or ")}, but S3_REGION=${facts.region}`, fix: `set S3_REGION=${quirks.signingRegions[0]}` });
      } else {
        observed.push(`${variable} is ${name}, S3_REGION=${facts.region}: accepted`);
      }
    } else if (named.region !== facts.region) {
      problems.push({
        cause: `region mismatch: ${variable} ${bare} is ${name} in ${named.region} but S3_REGION=${facts.region}`,
        fix: `set S3_REGION=${named.region} with ${variable} ${bare}, or point ${variable} at ${named.provider.endpointFor?.(facts.region)?.replace(/^https:\/\//, "") ?? "the bucket's region"} if the bucket is in ${facts.region}`,
      });
    } else {
      observed.push(`${variable} ${bare} is ${name} in ${named.region}, as S3_REGION says`);
    }
  }
  return { observed, problems };
}
