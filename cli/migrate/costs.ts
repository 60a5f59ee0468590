import type { VerifyTarget } from "../../mastodon-env/target";
import type { PassCheck } from "./pass-check";
import type { PassPlan } from "./pass";
import { count } from "./progress";
import { providerOf } from "./rclone";
import { defaultSampleSize } from "./sample";

/**
 * What a pass costs in requests on the destination, and what the provider charges for them. Prices in USD:
 *   - Cloudflare R2, Standard storage: Class A operations (PutObject, ListObjects, CreateMultipartUpload...)
 *     $4.50 per million, Class B (GetObject, HeadObject) $0.36 per million; developers.cloudflare.com/r2/pricing/
 *     (cloudflare-docs src/content/docs/r2/pricing.mdx), read 2026-12-07.
 *   - Amazon S3 Standard, US East (N. Virginia): PUT, COPY, POST, LIST $0.005 per 1,000; GET, SELECT and all
 *     other requests $0.0004 per 1,000; aws.amazon.com/s3/pricing/ ("Requests & data retrievals"), the
 *     published rates as of 2026; not re-read on 2026-12-07 (other regions differ slightly).
 *   - DigitalOcean Spaces and self-hosted MinIO: no per-request charge (Spaces bills a monthly subscription with
 *     storage and transfer: digitalocean.com/pricing/spaces-object-storage); not re-read on 2026-12-07.
 * A pass's requests: ListObjectsV2 pages (1,000 keys each), one PutObject per copied key (files under rclone's
 * 200 MiB upload cutoff; a larger one is 2 + one per 5 MiB part), and the check's GET/HEAD requests. Reads of
 * public keys go through the media host: behind a CDN (CloudFront, Cloudflare's cache) some never reach the
 * bucket, so the GET figure is an upper bound.
 */
export interface Requests {
  list: number;
  put: number;
  get: number;
}

export interface Price {
  provider: string;
  /** USD per request of each kind. */
  list: number;
  put: number;
  get: number;
  source: string;
}

const R2: Price = {
  provider: "Cloudflare R2",
  list: 4.5e-6,
  put: 4.5e-6,
  get: 0.36e-6,
  source: "developers.cloudflare.com/r2/pricing/, read 2026-12-07",
};
const S3: Price = {
  provider: "Amazon S3 (us-east-1)",
  list: 0.005e-3,
  put: 0.005e-3,
  get: 0.0004e-3,
  source: "aws.amazon.com/s3/pricing/",
};

export function priceOf(target: VerifyTarget): Price | undefined {
  const provider = providerOf(target);
  if (provider === "Cloudflare") return R2;
  if (provider === "AWS") return S3;
  return undefined;
}

export function costOf(requests: Requests, price: Price): number {
  return requests.list * price.list + requests.put * price.put + requests.get * price.get;
}

function dollars(value: number): string {
  return value < 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}

function describe(requests: Requests, target: VerifyTarget): string {
  const price = priceOf(target);
  const text = `${count(requests.list)} LIST, ${count(requests.put)} PUT, ${count(requests.get)} GET/HEAD`;
  if (!price)
    return `${text} (no per-request charge on ${providerOf(target) === "DigitalOcean" ? "Spaces" : "this storage"})`;
  return `${text}: about ${dollars(costOf(requests, price))} on ${price.provider} (${price.source})`;
}

/** The requests one pass made on the destination, from its plan and check. */
export function passRequests(plan: PassPlan, check: PassCheck | undefined): Requests {
  return {
    list: plan.destination.listPages + (check?.relistPages ?? 0),
    put: plan.toCopy.objects,
    get: check?.report.checked ?? 0,
  };
}

export function passCosts(plan: PassPlan, check: PassCheck | undefined, target: VerifyTarget): string[] {
  return [`requests on the destination this pass: ${describe(passRequests(plan, check), target)}`];
}

/** The plan's estimate for a tree of `objects` keys: the first pass, and a later pass with nothing new. */
export function estimatedPasses(objects: number, target: VerifyTarget): string[] {
  const pages = Math.ceil(objects / 1000);
  const sample = defaultSampleSize(objects);
  const first: Requests = { list: 2 * pages, put: objects, get: sample };
  const again: Requests = { list: pages, put: 0, get: sample };
  return [
    `for ${count(objects)} objects, first pass: ${describe(first, target)}`,
    `for ${count(objects)} objects, a pass with nothing new: ${describe(again, target)}`,
  ];
}
