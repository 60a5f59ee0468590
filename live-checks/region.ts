import { recognizeProvider } from "../mastodon-env/providers";
import type { VerifyTarget } from "../mastodon-env/target";

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
      problems.push({
        cause: `${variable} names bucket ${named.bucketLabel}, not S3_BUCKET=${facts.bucket}`,
        fix: `correct ${variable} or S3_BUCKET`,
      });
    }
    if (!named || (!named.region && !named.provider.quirks.signingRegions)) {
      observed.push(
        `${variable} ${bare}: ${named ? named.provider.name : "no provider recognised"}, no region in the name; the server decides (requests are signed for ${facts.region})`,
      );
      continue;
    }
    const { quirks, name } = named.provider;
    if (quirks.signingRegions) {
      if (!quirks.signingRegions.includes(facts.region)) {
        problems.push({
          cause: `${name} signs with the region ${quirks.signingRegions.join(" or ")}, but S3_REGION=${facts.region}`,
          fix: `set S3_REGION=${quirks.signingRegions[0]}`,
        });
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
