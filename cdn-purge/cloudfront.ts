import { CloudFrontClient, CreateInvalidationCommand } from "@aws-sdk/client-cloudfront";
import { UserError } from "../components/errors";
import { CdnRefused, type PurgeIo } from "./http";
import type { PurgeTarget } from "./media-keys";
import type { PurgeOutcome } from "./purge";

/**
 * CloudFront quotas (CloudFront developer guide, "Quotas", "Invalidations"): at most 15 wildcard paths in
 * progress per distribution, 3,000 paths in all; a path starts with `/`, a `*` only at its end. Price: the first
 * 1,000 paths a month free, then USD 0.005 a path, a wildcard path counting as one (Amazon CloudFront pricing).
 */
export const MAX_WILDCARD_PATHS = 15;
export const MAX_PATHS = 3000;

/** Between two tries while CloudFront answers TooManyInvalidationsInProgress, and how long to keep trying. */
export const BUSY_RETRY_MS = 30_000;
export const BUSY_DEADLINE_MS = 20 * 60 * 1000;

/**
 * The invalidation paths for the targets, under the media base's path (`/` for a media host of its own): a folder
 * (or a media attachment's file, whose folder holds every style) as `/FOLDER/*`, any other file as its exact path.
 */
export function invalidationPaths(basePath: string, targets: readonly PurgeTarget[]): string[] {
  const paths = targets.map((target) => {
    if (target.kind === "folder") return `${basePath}${target.key}*`;
    return target.attachmentFolder ? `${basePath}${target.attachmentFolder}*` : `${basePath}${target.key}`;
  });
  return [...new Set(paths)];
}

/** The paths in invalidation batches: at most 15 wildcard paths each (the exact paths ride in the first). */
export function invalidationBatches(paths: readonly string[]): string[][] {
  const wildcards = paths.filter((p) => p.endsWith("*"));
  const exact = paths.filter((p) => !p.endsWith("*"));
  if (exact.length > MAX_PATHS)
    throw new UserError(
      `more than ${MAX_PATHS} exact paths: CloudFront keeps at most ${MAX_PATHS} in progress; purge in parts`,
    );
  const batches: string[][] = [];
  for (let i = 0; i < wildcards.length; i += MAX_WILDCARD_PATHS)
    batches.push(wildcards.slice(i, i + MAX_WILDCARD_PATHS));
  if (exact.length > 0) {
    if (batches[0]) batches[0].push(...exact);
    else batches.push([...exact]);
  }
  return batches;
}

/**
 * Purges the targets from a CloudFront distribution with CreateInvalidation (CloudFront API reference,
 * "CreateInvalidation"), one invalidation per batch. Credentials: the AWS SDK's own chain (AWS_PROFILE,
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, SSO, instance roles); the API address may be moved with the SDK's
 * AWS_ENDPOINT_URL_CLOUDFRONT. While 15 wildcard paths are in progress CloudFront answers
 * TooManyInvalidationsInProgress: the next batch waits for them (up to 20 minutes).
 */
export async function purgeCloudFront(
  distributionId: string,
  basePath: string,
  targets: readonly PurgeTarget[],
  io: PurgeIo,
  dryRun: boolean,
): Promise<PurgeOutcome> {
  const batches = invalidationBatches(invalidationPaths(basePath, targets));
  const planned = batches.map(
    (paths, index) =>
      `CloudFront CreateInvalidation ${index + 1}/${batches.length} on distribution ${distributionId}: ${paths.join(" ")}`,
  );
  if (dryRun) return { planned, done: [] };
  // CloudFront is a global service signed in us-east-1; the SDK retries throttling and network errors itself.
  const client = new CloudFrontClient({ region: "us-east-1", maxAttempts: 3 });
  const done: string[] = [];
  const started = io.now();
  for (const [index, paths] of batches.entries()) {
    for (;;) {
      try {
        const result = await client.send(
          new CreateInvalidationCommand({
            DistributionId: distributionId,
            InvalidationBatch: {
              CallerReference: `mastodon-media purge ${started} ${index}`,
              Paths: { Quantity: paths.length, Items: paths },
            },
          }),
        );
        done.push(
          `CloudFront invalidation ${result.Invalidation?.Id ?? "(no id)"} (${result.Invalidation?.Status ?? "accepted"}): ${paths.length} path(s)`,
        );
        break;
      } catch (error) {
        const name = (error as Error).name;
        if (name === "TooManyInvalidationsInProgress" && io.now() - started + BUSY_RETRY_MS <= BUSY_DEADLINE_MS) {
          io.say(
            `CloudFront: ${MAX_WILDCARD_PATHS} wildcard paths already in progress on ${distributionId}; trying again in ${BUSY_RETRY_MS / 1000} s`,
          );
          await io.sleep(BUSY_RETRY_MS);
          continue;
        }
        throw describeCloudFrontError(error, distributionId, done);
      }
    }
  }
  return { planned, done };
}

function describeCloudFrontError(error: unknown, distributionId: string, done: readonly string[]): Error {
  const name = (error as Error).name;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const already = done.length > 0 ? ` (${done.length} invalidation(s) were accepted before)` : "";
  if (name === "CredentialsProviderError") {
    return new UserError(
      "no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, for an identity allowed cloudfront:CreateInvalidation",
    );
  }
  if (status === undefined) {
    const code = (error as { code?: string }).code ?? name;
    return new UserError(
      `cannot reach the CloudFront API (${code}): check the network (and AWS_ENDPOINT_URL_CLOUDFRONT if set)${already}`,
    );
  }
  if (name === "NoSuchDistribution")
    return new CdnRefused(
      status,
      `no CloudFront distribution ${distributionId}: check cdnPurge.distributionId or --cloudfront${already}`,
    );
  if (name === "AccessDenied" || status === 403) {
    return new CdnRefused(
      status,
      `the AWS identity may not create invalidations on ${distributionId} (cloudfront:CreateInvalidation)${already}`,
    );
  }
  return new CdnRefused(status, `CloudFront refused the invalidation: ${name}${already}`);
}
