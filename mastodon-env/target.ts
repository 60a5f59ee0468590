import { isLoopbackHost } from "../components/hosts";
import { keyPrefix as keyPrefixSchema } from "../components/config/validators";
import { mediaBaseUrl, publicObjectUrl, type EnvFacts } from "../components/env";
import { pathStyleAnyway, readMastodonEnv, type MastodonEnv } from "./model";
import { findPlaceholders } from "./placeholders";
import { providerOfEndpoint, type Recognized } from "./providers";

/**
 * What verify checks, read from a rendered env block the way Mastodon reads it (config/initializers/paperclip.rb): the facts
 * the env renderer started from, plus what Mastodon derives from them (path style, the ACL header it sends).
 */
export interface VerifyTarget {
  facts: EnvFacts;
  /** The canned ACL sent with every upload; undefined when S3_PERMISSION is empty (no header). */
  uploadAcl?: string;
  /** S3_PERMISSION is absent, so Mastodon falls back to its default `public-read`. */
  aclIsDefault: boolean;
  /** The API endpoint the SDK talks to: S3_ENDPOINT, or AWS's regional endpoint when there is none. */
  apiEndpoint: URL;
  /** The mere presence of S3_ENDPOINT switches Mastodon to path-style calls (unless S3_OVERRIDE_PATH_STYLE). */
  forcePathStyle: boolean;
  /** AWS_REQUEST_CHECKSUM_CALCULATION / AWS_RESPONSE_CHECKSUM_VALIDATION, as the Ruby SDK reads them. */
  requestChecksumCalculation: "WHEN_REQUIRED" | "WHEN_SUPPORTED";
  responseChecksumValidation: "WHEN_REQUIRED" | "WHEN_SUPPORTED";
  /** Where media is served from: scheme, host and optional path, without a trailing slash. */
  mediaBase: URL;
  /** The whole env as Mastodon reads it (mastodon-env/model.ts). */
  env: MastodonEnv;
  /** The provider S3_ENDPOINT names, with its quirks. */
  provider: Recognized;
  /** Uploads above this many bytes go multipart (S3_MULTIPART_THRESHOLD, read in bytes). */
  multipartThresholdBytes: number;
  /** S3_FORCE_SINGLE_REQUEST=true: downloads in one GET instead of the SDK's download_file. */
  forceSingleRequest: boolean;
  /**
   * The bucket name S3_ENDPOINT's host starts with (virtual-host style), when it has one: path-style calls then
   * address `BUCKET/...` INSIDE that bucket, and bucket-level calls (CreateBucket, PutBucketPolicy) become object PUTs.
   */
  bucketInEndpoint?: string;
}

export type TargetResult = { ok: true; target: VerifyTarget } | { ok: false; problems: string[] };

const REQUIRED = ["S3_ENABLED", "S3_BUCKET", "S3_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] as const;
/** Mastodon treats these as set even when empty, with broken results (config/initializers/paperclip.rb). */
const NOT_EMPTY = [
  "S3_ENDPOINT",
  "S3_HOSTNAME",
  "S3_ALIAS_HOST",
  "S3_CLOUDFRONT_HOST",
  "S3_PROTOCOL",
  "S3_KEY_PREFIX",
  "S3_REGION",
] as const;
const CHECKSUM_MODES = ["WHEN_REQUIRED", "WHEN_SUPPORTED"] as const;

/**
 * Reads the storage variables and reports every problem at once; values of credentials are never quoted.
 * The values come from the one model of how Mastodon reads them (./model.ts `readMastodonEnv`); this adds what
 * a live check needs on top (the API endpoint, the media base, the provider) and refuses what would not work.
 * `malformed` names were already reported on a malformed line, so they are not reported again as missing.
 * A storage variable holding a placeholder the project prints ("(known after deploy)", "[secret]", ...:
 * mastodon-env/placeholders.ts) is a problem naming the variable, unless `placeholdersAllowed`
 * (migrate's offline plan of a stack, which puts its own placeholders in and never runs with them).
 */
export function readTarget(
  env: ReadonlyMap<string, string>,
  malformed: ReadonlySet<string> = new Set(),
  options: { placeholdersAllowed?: boolean } = {},
): TargetResult {
  const problems: string[] = options.placeholdersAllowed
    ? []
    : findPlaceholders(env).map((p) => `${p.problem}; ${p.fix}`);
  if (problems.length > 0) return { ok: false, problems };
  const get = (name: string) => env.get(name);
  const model = readMastodonEnv(env);

  for (const name of REQUIRED) {
    if (!env.has(name) && !malformed.has(name)) problems.push(`${name} is missing${REQUIRED_WHY[name]}`);
  }
  for (const name of NOT_EMPTY) {
    if (get(name) === "")
      problems.push(`${name} is present but empty: remove the line or give it a value${EMPTY_WHY[name] ?? ""}`);
  }
  for (const name of ["S3_BUCKET", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) {
    if (get(name) === "") problems.push(`${name} is empty`);
  }
  const enabled = get("S3_ENABLED");
  if (enabled !== undefined && enabled !== "true") {
    problems.push(
      `S3_ENABLED must be exactly true (got ${quote(enabled)}): Mastodon ignores every S3_ variable otherwise`,
    );
  }

  // An empty S3_REGION is reported above (NOT_EMPTY); the checks then sign for Mastodon's default.
  const region = model.region || "us-east-1";
  // Upper case is valid: a MinIO site region is any name (MINIO_SITE_REGION=EU1); providers with fixed regions are
  // compared with their host names by the region-endpoint check.
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(region))
    problems.push(`S3_REGION must be a region name such as eu-central-1 (got ${quote(region)})`);

  const protocol = model.protocol || "https";
  if (protocol !== "https" && protocol !== "http") problems.push(`S3_PROTOCOL must be https (got ${quote(protocol)})`);

  const endpoint = get("S3_ENDPOINT") ? parseEndpoint(get("S3_ENDPOINT") as string, problems) : undefined;
  if (!endpoint && region === "auto")
    problems.push("S3_REGION=auto needs S3_ENDPOINT (Cloudflare R2's account endpoint)");

  // paperclip.rb: `s3_host_alias: ENV['S3_ALIAS_HOST'] || ENV['S3_CLOUDFRONT_HOST']` (the model's aliasHost).
  const aliasHost = model.aliasHost || undefined;
  if (aliasHost && model.aliasVariable) hostProblem(model.aliasVariable, aliasHost, true, problems);
  const hostname = model.hostnameIsDefault ? undefined : model.hostname || undefined;
  if (hostname) hostProblem("S3_HOSTNAME", hostname, false, problems);
  const hostVariables = ["S3_ALIAS_HOST", "S3_CLOUDFRONT_HOST", "S3_HOSTNAME"];
  if (!model.aliasPresent && !hostname && !hostVariables.some((name) => malformed.has(name))) {
    problems.push("S3_ALIAS_HOST and S3_HOSTNAME are both missing: media URLs and the browser's CSP need one of them");
  }

  const keyPrefix = model.keyPrefix;
  if (keyPrefix) {
    const parsed = keyPrefixSchema.safeParse(keyPrefix);
    if (!parsed.success)
      problems.push(`S3_KEY_PREFIX ${parsed.error.issues[0]?.message ?? "is invalid"} (got ${quote(keyPrefix)})`);
  }

  for (const name of ["AWS_REQUEST_CHECKSUM_CALCULATION", "AWS_RESPONSE_CHECKSUM_VALIDATION"]) {
    const value = get(name);
    if (value !== undefined && !CHECKSUM_MODES.some((mode) => mode === value.toUpperCase())) {
      problems.push(`${name} must be WHEN_REQUIRED or WHEN_SUPPORTED (got ${quote(value)})`);
    }
  }
  const { requestChecksumCalculation, responseChecksumValidation } = model;

  const facts: EnvFacts = {
    bucket: get("S3_BUCKET") ?? "",
    region,
    endpoint: endpoint?.origin,
    // Mastodon's own default when S3_HOSTNAME is unset (paperclip.rb); only used without an alias.
    hostname: hostname ?? `s3-${region}.amazonaws.com`,
    aliasHost,
    protocol: protocol === "http" ? "http" : "https",
    keyPrefix,
    extraMediaHosts: model.extraMediaHosts.map((entry) => entry.raw),
    accessKeyId: get("AWS_ACCESS_KEY_ID") ?? "",
    secretAccessKey: get("AWS_SECRET_ACCESS_KEY") ?? "",
    checksumsOnlyWhenRequired: requestChecksumCalculation === "WHEN_REQUIRED",
    // Any S3_PERMISSION but the empty one (absent: Mastodon's default, public-read) makes Mastodon send ACLs.
    aclMode: model.uploadAcl === undefined ? "no-acl" : "object-acl",
  };
  let mediaBase: URL | undefined;
  try {
    mediaBase = new URL(mediaBaseUrl(facts));
  } catch {
    // The host variables were already reported as malformed.
  }
  if (mediaBase && facts.protocol === "http" && !isLoopbackHost(mediaBase.hostname)) {
    problems.push(
      `S3_PROTOCOL=http serves media from ${mediaBase.host} without TLS: browsers block it on an https instance; set S3_PROTOCOL=https (http is accepted only for loopback test servers)`,
    );
  }
  if (problems.length > 0 || !mediaBase) return { ok: false, problems };
  const provider = providerOfEndpoint(endpoint?.origin, region);
  const firstLabel = endpoint?.hostname.split(".")[0];
  const bucketInEndpoint =
    provider.bucketLabel ??
    (endpoint && firstLabel === facts.bucket && endpoint.hostname.includes(".") ? firstLabel : undefined);
  return {
    ok: true,
    target: {
      facts,
      uploadAcl: model.uploadAcl,
      aclIsDefault: model.aclIsDefault,
      apiEndpoint: endpoint ?? new URL(`https://s3.${region}.amazonaws.com`),
      forcePathStyle: model.forcePathStyle,
      requestChecksumCalculation,
      responseChecksumValidation,
      mediaBase,
      env: model,
      provider,
      multipartThresholdBytes: model.multipartThresholdBytes,
      forceSingleRequest: model.forceSingleRequest,
      ...(bucketInEndpoint ? { bucketInEndpoint } : {}),
    },
  };
}

/** The variable that names the media host: the alias (S3_ALIAS_HOST, or S3_CLOUDFRONT_HOST in its place), else S3_HOSTNAME. */
export function mediaHostVariable(target: VerifyTarget): "S3_ALIAS_HOST" | "S3_CLOUDFRONT_HOST" | "S3_HOSTNAME" {
  return (target.facts.aliasHost && target.env.aliasVariable) || "S3_HOSTNAME";
}

/** The public URL of an object key (the key includes S3_KEY_PREFIX), as Mastodon would link it. */
export function mediaUrl(target: VerifyTarget, key: string): string {
  return publicObjectUrl(target.facts, key);
}

/**
 * Path-style calls: Mastodon's rule (S3_ENDPOINT present, unless S3_OVERRIDE_PATH_STYLE), and where the SDK keeps
 * path style anyway (`pathStyleAnyway` of ./model.ts: an IP endpoint, a bucket name with dots over https).
 */
export function usesPathStyle(target: VerifyTarget): boolean {
  return target.forcePathStyle || pathStyleAnyway(target.facts.endpoint, target.facts.bucket);
}

/** The same object addressed on the S3 API, the way the SDK addresses it (path or virtual-host style). */
export function apiObjectUrl(target: VerifyTarget, key: string): string {
  const { apiEndpoint, facts } = target;
  return usesPathStyle(target)
    ? `${apiEndpoint.origin}/${facts.bucket}/${key}`
    : `${apiEndpoint.protocol}//${facts.bucket}.${apiEndpoint.host}/${key}`;
}

const REQUIRED_WHY: Record<(typeof REQUIRED)[number], string> = {
  S3_ENABLED: ": Mastodon ignores every S3_ variable unless S3_ENABLED=true",
  S3_BUCKET: ": the bucket Mastodon writes to",
  S3_REGION: ": Mastodon would sign for us-east-1, which only some providers accept",
  AWS_ACCESS_KEY_ID: ": the access key Mastodon signs with (a stack of this project renders it in envProduction)",
  AWS_SECRET_ACCESS_KEY: ": the secret key Mastodon signs with (a stack of this project renders it in envProduction)",
};

const EMPTY_WHY: Partial<Record<(typeof NOT_EMPTY)[number], string>> = {
  S3_ENDPOINT: " (an empty S3_ENDPOINT still switches Mastodon to path-style calls)",
  S3_ALIAS_HOST: " (an empty S3_ALIAS_HOST makes media URLs start with https:///)",
  S3_CLOUDFRONT_HOST: " (Mastodon uses it as S3_ALIAS_HOST when that is absent: media URLs would start with https:///)",
};

function parseEndpoint(value: string, problems: string[]): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`S3_ENDPOINT must be a URL such as https://fra1.digitaloceanspaces.com (got ${quote(value)})`);
    return undefined;
  }
  const before = problems.length;
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    problems.push(`S3_ENDPOINT must start with https:// (got ${quote(value)})`);
  } else if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    problems.push(
      `S3_ENDPOINT must use https: the writer's credential crosses it (http is accepted only on loopback; got ${quote(value)})`,
    );
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash || url.username || url.password) {
    problems.push(
      `S3_ENDPOINT must be scheme, host and port only, without a path or the bucket (got ${quote(url.origin + url.pathname)})`,
    );
  }
  return problems.length === before ? url : undefined;
}

function hostProblem(name: string, value: string, pathAllowed: boolean, problems: string[]): void {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    problems.push(`${name} must be a host name without a scheme, e.g. files.example.com (got ${quote(value)})`);
    return;
  }
  const match = /^([a-z0-9.-]+|\[[0-9a-f:]+\])(:\d{1,5})?(\/[^\s?#]*)?$/i.exec(value);
  if (!match || (!pathAllowed && match[3])) {
    problems.push(
      `${name} must be a host name${pathAllowed ? " with an optional path" : ""}, e.g. files.example.com (got ${quote(value)})`,
    );
  } else if (value.endsWith("/")) {
    problems.push(`${name} must not end with '/' (got ${quote(value)})`);
  }
}

function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
}
