/**
 * Which S3 provider an endpoint belongs to, and that provider's known quirks, from its host name alone.
 *
 * API: `recognizeProvider(host)` -> `Recognized` (the provider, the region and bucket label the host names) or
 * undefined for a host no pattern knows (then `SELF_HOSTED` applies: MinIO, Garage, Ceph RGW behind any name).
 * Each quirk cites the document or report it comes from, and doctor's severity follows the evidence: an error only
 * for a refusal the provider documents or admins reproduced (B2 and GCS checksum headers, R2 and `public-read`,
 * Alibaba OSS and Tencent COS path style), a warning where it depends on a setting doctor cannot see (AWS Object
 * Ownership, Garage's s3_region), was seen at one time (R2 checksums), or is reported to work anyway (R2 and
 * `private`). `intendedProvider` also covers an env without S3_ENDPOINT. Pure; no network.
 */

export type ProviderId =
  | "aws"
  | "r2"
  | "spaces"
  | "wasabi"
  | "b2"
  | "scaleway"
  | "hetzner"
  | "exoscale"
  | "ovh"
  | "linode"
  | "gcs"
  | "storj"
  | "aliyun"
  | "tencent"
  | "minio"
  | "garage"
  | "rgw"
  | "self-hosted";

export interface ProviderQuirks {
  /**
   * What the server does with the `x-amz-acl` header Mastodon sends unless S3_PERMISSION is empty:
   * `refused` always (R2), `bucket-setting` refused when the bucket has ACLs disabled (AWS), `supported`.
   */
  acl: "refused" | "bucket-setting" | "supported" | "unknown";
  /**
   * With `acl: "refused"`: the canned ACLs admins report to work anyway (R2 and `private`), so that only what is
   * proven refused is an error. Each entry rests on the reports in `sources`.
   */
  aclReportedWorking?: readonly string[];
  /** Path-style API calls (Mastodon's default with S3_ENDPOINT) refused: S3_OVERRIDE_PATH_STYLE=true is needed. */
  pathStyleRefused?: { error: string };
  /** Where the region is a server setting rather than a location: the setting S3_REGION must equal, and its default. */
  regionSetting?: { name: string; defaultValue?: string };
  /** Newer AWS SDKs' CRC32 checksum headers: `refused` (B2), `refused-at-times` (R2 in 2025), `accepted`. */
  checksumHeaders: "refused" | "refused-at-times" | "accepted" | "unknown";
  /** Ranged multi-request downloads break: S3_FORCE_SINGLE_REQUEST=true needed. */
  needsForceSingleRequest: boolean;
  /** SigV4 regions the endpoint accepts, when it is not simply "the region in the host". */
  signingRegions?: readonly string[];
  /** Whether S3_REGION must equal the region in the host name. */
  regionInHost: boolean;
  /** Sources of the above, by title. */
  sources: readonly string[];
}

export interface ProviderInfo {
  id: ProviderId;
  name: string;
  quirks: ProviderQuirks;
  /** The API endpoint for a region, when the provider has a fixed pattern. */
  endpointFor?(region: string): string;
}

export interface Recognized {
  provider: ProviderInfo;
  /** The region (or zone) the host names; undefined when the host serves every region (R2). */
  region?: string;
  /** A label in front of the provider's API host: a bucket name in virtual-host style. */
  bucketLabel?: string;
  /** The API host without the bucket label. */
  apiHost: string;
}

const PATH_STYLE_NOTE =
  "Mastodon config/initializers/paperclip.rb (S3_ENDPOINT, S3_FORCE_SINGLE_REQUEST; mastodon/mastodon#16822, #26394)";
const CHECKSUM_REPORTS = "aws-sdk-ruby#3167 and Mastodon upgrade reports (CRC32 default checksums, early 2025)";

const provider = (
  id: ProviderId,
  name: string,
  quirks: Partial<ProviderQuirks> & { sources: readonly string[] },
  endpointFor?: (region: string) => string,
): ProviderInfo => ({
  id,
  name,
  quirks: { acl: "unknown", checksumHeaders: "unknown", needsForceSingleRequest: false, regionInHost: true, ...quirks },
  endpointFor,
});

export const PROVIDERS: Record<ProviderId, ProviderInfo> = {
  aws: provider(
    "aws",
    "AWS S3",
    {
      acl: "bucket-setting",
      checksumHeaders: "accepted",
      sources: [
        'AWS S3 user guide, "Controlling ownership of objects and disabling ACLs" (BucketOwnerEnforced is the default for new buckets since April 2023)',
      ],
    },
    (r) => `https://s3.${r}.amazonaws.com`,
  ),
  r2: provider("r2", "Cloudflare R2", {
    acl: "refused",
    // R2 answers `x-amz-acl: public-read` with 501 NotImplemented, its message naming the value; admins from 2022
    // to 2025 run Mastodon on R2 with S3_PERMISSION=private (mastodon/mastodon#34602, the thread of PR #20510,
    // humanmade/S3-Uploads#576, pixelfed/pixelfed#3775). Cloudflare's Mastodon guide now gives S3_PERMISSION= .
    aclReportedWorking: ["private"],
    checksumHeaders: "refused-at-times",
    regionInHost: false,
    signingRegions: ["auto", "us-east-1"],
    sources: [
      'Cloudflare R2 docs, "S3 API compatibility" (no ACLs; region auto, us-east-1 accepted)',
      'Cloudflare R2 docs, "Authentication" (secret = SHA-256 of the token value)',
      "R2's 501 names the refused value ('x-amz-acl' with value 'public-read'); S3_PERMISSION=private reported to work: mastodon/mastodon#34602, PR #20510, humanmade/S3-Uploads#576, pixelfed/pixelfed#3775",
      `${CHECKSUM_REPORTS}: R2 answered 501 NotImplemented "Header 'x-amz-checksum-crc32'" at the time (f2face/cloudflare-r2#12, Cloudflare community "aws-sdk/client-s3 v3.729.0 breaks UploadPart and PutObject"): a warning, R2 reportedly accepts them now`,
    ],
  }),
  spaces: provider(
    "spaces",
    "DigitalOcean Spaces",
    {
      acl: "supported",
      checksumHeaders: "accepted",
      sources: ['DigitalOcean Spaces docs, "Spaces S3 compatibility" (endpoint REGION.digitaloceanspaces.com)'],
    },
    (r) => `https://${r}.digitaloceanspaces.com`,
  ),
  wasabi: provider(
    "wasabi",
    "Wasabi",
    {
      acl: "supported",
      needsForceSingleRequest: true,
      sources: [PATH_STYLE_NOTE, 'Wasabi docs, "What are the service URLs for Wasabi\'s different storage regions?"'],
    },
    (r) => `https://s3.${r}.wasabisys.com`,
  ),
  b2: provider(
    "b2",
    "Backblaze B2",
    {
      acl: "unknown",
      checksumHeaders: "refused",
      sources: [
        'Backblaze B2 docs, "S3 Compatible API" (endpoint s3.REGION.backblazeb2.com)',
        `${CHECKSUM_REPORTS}: B2 answers 400 InvalidArgument "Unsupported header 'x-amz-checksum-crc32'"`,
        'Backblaze B2 docs, "S3 Compatible API: Unsupported features" (x-amz-checksum-* headers); reports through 2025: stonith404/pingvin-share#798, jschneier/django-storages#1498, nocodb/nocodb#10942',
      ],
    },
    (r) => `https://s3.${r}.backblazeb2.com`,
  ),
  scaleway: provider(
    "scaleway",
    "Scaleway Object Storage",
    {
      acl: "supported",
      sources: [
        'Scaleway docs, "Object Storage endpoints" (s3.REGION.scw.cloud; the console also shows BUCKET.s3.REGION.scw.cloud)',
      ],
    },
    (r) => `https://s3.${r}.scw.cloud`,
  ),
  hetzner: provider(
    "hetzner",
    "Hetzner Object Storage",
    {
      acl: "supported",
      sources: ['Hetzner docs, "Object Storage: available endpoints" (LOCATION.your-objectstorage.com)'],
    },
    (r) => `https://${r}.your-objectstorage.com`,
  ),
  exoscale: provider(
    "exoscale",
    "Exoscale SOS",
    {
      acl: "supported",
      needsForceSingleRequest: true,
      sources: [PATH_STYLE_NOTE, 'Exoscale docs, "Simple Object Storage" (sos-ZONE.exo.io)'],
    },
    (r) => `https://sos-${r}.exo.io`,
  ),
  ovh: provider(
    "ovh",
    "OVHcloud Object Storage",
    {
      acl: "supported",
      sources: ['OVHcloud docs, "Object Storage - Endpoints and geo-availability" (s3.REGION.io.cloud.ovh.net)'],
    },
    (r) => `https://s3.${r}.io.cloud.ovh.net`,
  ),
  linode: provider(
    "linode",
    "Akamai (Linode) Object Storage",
    {
      acl: "supported",
      sources: [
        'Linode docs, "Object Storage: endpoints" (REGION.linodeobjects.com; the console shows BUCKET.REGION.linodeobjects.com)',
      ],
    },
    (r) => `https://${r}.linodeobjects.com`,
  ),
  gcs: provider(
    "gcs",
    "Google Cloud Storage (XML API)",
    {
      acl: "unknown",
      checksumHeaders: "refused",
      regionInHost: false,
      sources: [
        "Mastodon lib/tasks/mastodon.rake (setup wizard: S3_ENDPOINT=https://storage.googleapis.com, S3_HOSTNAME=storage.googleapis.com, S3_MULTIPART_THRESHOLD=50 MB)",
        "CRC32 default checksums refused by GCS's XML API: aws/aws-sdk-java-v2#5987, qdrant/qdrant#9568, milvus-io/milvus-storage#480",
      ],
    },
    () => "https://storage.googleapis.com",
  ),
  storj: provider(
    "storj",
    "Storj (S3 gateway)",
    {
      acl: "unknown",
      regionInHost: false,
      sources: [
        "Mastodon lib/tasks/mastodon.rake (setup wizard: S3_ENDPOINT=https://gateway.storjshare.io, S3_REGION=global, S3_ALIAS_HOST=link.storjshare.io/raw/ACCESS_KEY/BUCKET)",
        'Storj docs, "S3 compatibility" (region global)',
      ],
    },
    () => "https://gateway.storjshare.io",
  ),
  aliyun: provider(
    "aliyun",
    "Alibaba Cloud OSS",
    {
      acl: "supported",
      // Its guides sign with oss-REGION or REGION: no mismatch is claimed.
      regionInHost: false,
      pathStyleRefused: { error: "SecondLevelDomainForbidden" },
      sources: [
        'Alibaba Cloud OSS docs, "Use Amazon S3 SDKs to access OSS" (virtual-hosted style only; path style answers SecondLevelDomainForbidden)',
      ],
    },
    (r) => `https://${r.startsWith("oss-") ? r : `oss-${r}`}.aliyuncs.com`,
  ),
  tencent: provider(
    "tencent",
    "Tencent Cloud COS",
    {
      acl: "supported",
      regionInHost: true,
      pathStyleRefused: { error: "PathStyleDomainForbidden" },
      sources: [
        'Tencent Cloud COS docs, "Using AWS S3 SDK to access COS" (virtual-hosted style; path style answers PathStyleDomainForbidden for buckets created since 2024)',
      ],
    },
    (r) => `https://cos.${r}.myqcloud.com`,
  ),
  minio: provider("minio", "MinIO", {
    acl: "unknown",
    regionInHost: false,
    regionSetting: {
      name: "the server's site region (MINIO_SITE_REGION, or `mc admin config get ALIAS site`)",
      defaultValue: "us-east-1",
    },
    sources: ['MinIO docs, "MINIO_SITE_REGION" (any name, upper case included; unset accepts us-east-1)'],
  }),
  garage: provider("garage", "Garage", {
    acl: "unknown",
    regionInHost: false,
    regionSetting: { name: "s3_region in the [s3_api] section of garage.toml", defaultValue: "garage" },
    sources: [
      'Garage docs, "S3 compatibility status" (ACLs not implemented)',
      'Garage docs, "Configuration file format" (s3_region: requests signed for another region are refused; the quick-start config uses garage)',
    ],
  }),
  rgw: provider("rgw", "Ceph RGW", {
    acl: "supported",
    checksumHeaders: "unknown",
    regionInHost: false,
    regionSetting: { name: "the zonegroup's api_name (radosgw-admin zonegroup get)" },
    sources: [
      'Ceph docs, "Ceph Object Gateway S3 API"',
      'Ceph docs, "Multi-Site" (the zonegroup api_name is the S3 region)',
    ],
  }),
  "self-hosted": provider("self-hosted", "a self-hosted or unrecognised S3 server (MinIO, Garage, Ceph RGW...)", {
    regionInHost: false,
    sources: [],
  }),
};

interface Pattern {
  id: ProviderId;
  /** Captures: 1 = bucket label (optional), 2 = region (optional). */
  re: RegExp;
}

const PATTERNS: Pattern[] = [
  { id: "aws", re: /^(?:(.+)\.)?s3[.-](?:dualstack\.)?([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d)\.amazonaws\.com$/ },
  { id: "aws", re: /^(?:(.+)\.)?s3()\.amazonaws\.com$/ },
  { id: "r2", re: /^(?:(.+)\.)?[0-9a-f]{32}(?:\.(?:eu|fedramp))?\.r2\.cloudflarestorage\.com()$/ },
  { id: "spaces", re: /^(?:(.+)\.)?([a-z]{3}\d)\.digitaloceanspaces\.com$/ },
  { id: "wasabi", re: /^(?:(.+)\.)?s3\.(?:([a-z]{2}-[a-z]+-\d)\.)?wasabisys\.com$/ },
  { id: "b2", re: /^(?:(.+)\.)?s3\.([a-z]{2}-[a-z]+-\d{3})\.backblazeb2\.com$/ },
  { id: "scaleway", re: /^(?:(.+)\.)?s3\.([a-z]{2}-[a-z]{3})\.scw\.cloud$/ },
  { id: "hetzner", re: /^(?:(.+)\.)?([a-z]{3}\d)\.your-objectstorage\.com$/ },
  { id: "exoscale", re: /^(?:(.+)\.)?sos-([a-z]{2}-[a-z]{3}-\d)\.exo\.io$/ },
  { id: "ovh", re: /^(?:(.+)\.)?s3\.([a-z0-9-]+)\.(?:io|perf)\.cloud\.ovh\.net$/ },
  { id: "ovh", re: /^(?:(.+)\.)?s3\.([a-z0-9-]+)\.cloud\.ovh\.net$/ },
  { id: "linode", re: /^(?:(.+)\.)?([a-z]{2}-[a-z]+-\d)\.linodeobjects\.com$/ },
  { id: "gcs", re: /^(?:(.+)\.)?storage\.googleapis\.com()$/ },
  { id: "storj", re: /^(?:(.+)\.)?gateway(?:\.[a-z]{2}\d)?\.storjshare\.io()$/ },
  { id: "aliyun", re: /^(?:(.+)\.)?(oss-[a-z]{2}-[a-z0-9-]+?)(?:-internal)?\.aliyuncs\.com$/ },
  { id: "tencent", re: /^(?:(.+)\.)?cos\.([a-z]{2}-[a-z]+(?:-\d)?)\.myqcloud\.com$/ },
];

/** Ports and names self-hosted servers use by default: MinIO 9000, Garage 3900, Ceph RGW 7480 (their docs). */
const SELF_HOSTED_HINTS: [ProviderId, RegExp][] = [
  ["minio", /(^|[.-])minio([.-]|$)|:9000$/],
  ["garage", /(^|[.-])garage([.-]|$)|:3900$/],
  ["rgw", /(^|[.-])(rgw|ceph|radosgw)([.-]|$)|:7480$/],
];

/** The provider of an API host (`host` may carry a port). Undefined when no pattern matches. */
export function recognizeProvider(host: string): Recognized | undefined {
  const lower = host.toLowerCase();
  const name = lower.replace(/:\d+$/, "");
  for (const pattern of PATTERNS) {
    const match = pattern.re.exec(name);
    if (!match) continue;
    const bucketLabel = match[1] || undefined;
    return {
      provider: PROVIDERS[pattern.id],
      region: match[2] || (pattern.id === "aws" ? "us-east-1" : pattern.id === "wasabi" ? "us-east-1" : undefined),
      bucketLabel,
      apiHost: bucketLabel ? name.slice(bucketLabel.length + 1) : name,
    };
  }
  for (const [id, re] of SELF_HOSTED_HINTS) {
    if (re.test(lower)) return { provider: PROVIDERS[id], apiHost: name };
  }
  return undefined;
}

/** AWS region names (AWS general reference, "Regional endpoints"): us-east-1, eu-central-2, us-gov-west-1, cn-north-1... */
export const AWS_REGION = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d$/;

/**
 * The provider an env without S3_ENDPOINT was meant for: the SDK calls AWS (paperclip.rb passes no endpoint), but a
 * non-AWS S3_HOSTNAME names the intended provider, and a non-AWS S3_REGION says it is not AWS (then unknown).
 * With S3_ENDPOINT, `providerOfEndpoint`.
 */
export function intendedProvider(
  endpoint: string | undefined,
  region: string,
  hostname: string | undefined,
): Recognized {
  if (endpoint) return providerOfEndpoint(endpoint, region);
  const host = hostname
    ?.trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, "")
    .replace(/\/.*$/, "");
  const named = host ? recognizeProvider(host) : undefined;
  if (named && named.provider.id !== "aws") return named;
  if (!AWS_REGION.test(region)) return { provider: PROVIDERS["self-hosted"], apiHost: host || "" };
  return providerOfEndpoint(undefined, region);
}

/** The provider for an env: from S3_ENDPOINT, else AWS (no endpoint means the SDK's AWS endpoint). */
export function providerOfEndpoint(endpoint: string | undefined, region: string): Recognized {
  if (!endpoint) return { provider: PROVIDERS.aws, region, apiHost: `s3.${region}.amazonaws.com` };
  let host: string;
  try {
    host = new URL(endpoint).host;
  } catch {
    return { provider: PROVIDERS["self-hosted"], apiHost: endpoint };
  }
  return recognizeProvider(host) ?? { provider: PROVIDERS["self-hosted"], apiHost: host.replace(/:\d+$/, "") };
}

/** An r2.dev public bucket URL (`pub-HASH.r2.dev`): rate-limited, "for development only" (R2 docs, "Public buckets"). */
export function isR2DevHost(host: string): boolean {
  return /(^|\.)r2\.dev$/i.test(host.replace(/[:/].*$/, ""));
}

/**
 * An R2 S3 secret is the SHA-256 hex digest of the API token's value: 64 hex characters (R2 docs,
 * "Authentication": "Secret Access Key: the SHA-256 hash of the API token value"). The key id is the token id, 32 hex.
 */
export function isR2SecretShape(secret: string): boolean {
  return /^[0-9a-f]{64}$/.test(secret);
}

/** Private-network and loopback hosts: an http endpoint there does not cross the internet. */
export function isPrivateHost(host: string): boolean {
  const name = host
    .replace(/^\[|\]$/g, "")
    .replace(/:\d+$/, "")
    .toLowerCase();
  return (
    name === "localhost" ||
    name === "::1" ||
    /^127\./.test(name) ||
    /^10\./.test(name) ||
    /^192\.168\./.test(name) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(name) ||
    /^f[cd][0-9a-f]{2}:/.test(name) ||
    /\.(internal|local|lan|home\.arpa)$/.test(name) ||
    !name.includes(".")
  );
}
