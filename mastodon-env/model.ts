/**
 * How Mastodon reads its storage variables, as plain data: the one model verify, doctor and migrate share.
 *
 * Sources (Mastodon 4.7): config/initializers/paperclip.rb (storage options), app/lib/content_security_policy.rb and
 * config/initializers/content_security_policy.rb (the media hosts the browser may load), config/initializers/1_hosts.rb
 * (WEB_DOMAIN), app/lib/attachment_batch.rb (S3_BATCH_DELETE_*), lib/mastodon/cli/media.rb (`tootctl media
 * remove-orphans`).
 * Ruby's `ENV.fetch(NAME) { default }` gives the default only when NAME is ABSENT: a present-but-empty variable is
 * used as the empty string. `ENV.key?(NAME)` is true for an empty value. `"".to_i` is 0. This module keeps those
 * three distinctions (absent / empty / set) for every variable, and derives what Mastodon derives from them.
 *
 * API (used by cli/verify, cli/doctor, cli/migrate):
 * - `readMastodonEnv(values)` -> `MastodonEnv`: every storage variable as a `Variable`, plus the derived settings.
 * - `variable(env, NAME)` -> `Variable` for any name (absent when unset).
 * - `parseMediaHosts(text)` -> the EXTRA_MEDIA_HOSTS entries, split as content_security_policy.rb splits them.
 * Nothing here validates: doctor's rules and verify's `readTarget` decide what is wrong.
 */

import { readCacheBuster, type MastodonCacheBuster } from "./cache-buster";

/** One variable as Mastodon sees it: absent, present but empty, or set. */
export type Variable =
  { state: "absent" } | { state: "empty"; line?: number } | { state: "set"; value: string; line?: number };

/** 15 megabytes: paperclip.rb's default for S3_MULTIPART_THRESHOLD (`15.megabytes`, i.e. 15 * 1024 * 1024 bytes). */
export const DEFAULT_MULTIPART_THRESHOLD_BYTES = 15 * 1024 * 1024;

/** The storage variables Mastodon (and the AWS SDK it loads) reads, with what each is for. */
export const STORAGE_VARIABLES = [
  "S3_ENABLED",
  "S3_BUCKET",
  "S3_REGION",
  "S3_PROTOCOL",
  "S3_HOSTNAME",
  "S3_ENDPOINT",
  "S3_OVERRIDE_PATH_STYLE",
  "S3_ALIAS_HOST",
  "S3_CLOUDFRONT_HOST",
  "S3_PERMISSION",
  "S3_KEY_PREFIX",
  "S3_MULTIPART_THRESHOLD",
  "S3_FORCE_SINGLE_REQUEST",
  "S3_STORAGE_CLASS",
  "S3_SIGNATURE_VERSION",
  "S3_RETRY_LIMIT",
  "S3_OPEN_TIMEOUT",
  "S3_READ_TIMEOUT",
  "S3_BATCH_DELETE_LIMIT",
  "S3_BATCH_DELETE_RETRY",
  "S3_ENABLE_CHECKSUM_MODE",
  "EXTRA_MEDIA_HOSTS",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_REQUEST_CHECKSUM_CALCULATION",
  "AWS_RESPONSE_CHECKSUM_VALIDATION",
  "LOCAL_DOMAIN",
  "WEB_DOMAIN",
  "CDN_HOST",
  "PAPERCLIP_ROOT_URL",
  "EXTRA_DATA_HOSTS",
  "SWIFT_ENABLED",
  "AZURE_ENABLED",
] as const;

export type StorageVariable = (typeof STORAGE_VARIABLES)[number];

export interface MastodonEnv {
  vars: Record<StorageVariable, Variable>;
  /** `ENV['S3_ENABLED'] == 'true'`: exactly `true`, nothing else turns object storage on. */
  enabled: boolean;
  bucket?: string;
  /** `ENV.fetch('S3_REGION') { 'us-east-1' }`: the default only when absent; empty stays empty. */
  region: string;
  /** `ENV.fetch('S3_PROTOCOL') { 'https' }`: scheme of PUBLIC URLs only (the API scheme is S3_ENDPOINT's). */
  protocol: string;
  /** `ENV.fetch('S3_HOSTNAME') { "s3-#{region}.amazonaws.com" }`: host of public URLs when there is no alias. */
  hostname: string;
  /** True when S3_HOSTNAME is absent and `hostname` is Mastodon's computed default. */
  hostnameIsDefault: boolean;
  /** S3_ENDPOINT when set; `ENV.key?` makes an EMPTY one count too (the SDK then refuses to build a client). */
  endpoint?: string;
  endpointPresent: boolean;
  /** `ENV.key?('S3_ENDPOINT')` switches to path style unless S3_OVERRIDE_PATH_STYLE == 'true'. */
  forcePathStyle: boolean;
  /** `ENV['S3_ALIAS_HOST'] || ENV['S3_CLOUDFRONT_HOST']` when either key exists (Ruby: "" is truthy). */
  aliasHost?: string;
  aliasPresent: boolean;
  /** The variable `aliasHost` comes from: S3_ALIAS_HOST when that key exists, else S3_CLOUDFRONT_HOST (when it exists). */
  aliasVariable?: "S3_ALIAS_HOST" | "S3_CLOUDFRONT_HOST";
  /** The canned ACL sent on uploads: `ENV.fetch('S3_PERMISSION') { 'public-read' }`; undefined = no header (empty). */
  uploadAcl?: string;
  aclIsDefault: boolean;
  keyPrefix?: string;
  /** `ENV.fetch('S3_MULTIPART_THRESHOLD') { 15.megabytes }.to_i`, in BYTES (Ruby's to_i: leading digits, else 0). */
  multipartThresholdBytes: number;
  /** `ENV['S3_FORCE_SINGLE_REQUEST'] == 'true'`: downloads in one GET; uploads are unchanged. */
  forceSingleRequest: boolean;
  /** AWS_REQUEST_CHECKSUM_CALCULATION / AWS_RESPONSE_CHECKSUM_VALIDATION as aws-sdk-core reads them (case-insensitive). */
  requestChecksumCalculation: "WHEN_REQUIRED" | "WHEN_SUPPORTED";
  responseChecksumValidation: "WHEN_REQUIRED" | "WHEN_SUPPORTED";
  /** EXTRA_MEDIA_HOSTS entries, split as content_security_policy.rb splits them. */
  extraMediaHosts: MediaHostEntry[];
  /** The host the browser's CSP allows for media: the first non-blank of alias, CloudFront host, S3_HOSTNAME. */
  cspMediaHost?: string;
  /** CACHE_BUSTER_* as config/cache_buster.yml and app/lib/cache_buster.rb read them (mastodon-env/cache-buster.ts). */
  cacheBuster: MastodonCacheBuster;
}

/** One EXTRA_MEDIA_HOSTS entry: `https://host[/path]` (the docs' form) or a bare host; both are CSP sources. */
export interface MediaHostEntry {
  raw: string;
  /** The host (lower case) the entry allows, when it parses. */
  host?: string;
  scheme?: string;
}

/** The variable NAME of a parsed env file (values from mastodon-env/env-file.ts). */
export function variable(
  values: ReadonlyMap<string, string>,
  name: string,
  lines?: ReadonlyMap<string, number>,
): Variable {
  const value = values.get(name);
  const line = lines?.get(name);
  if (value === undefined) return { state: "absent" };
  return value === "" ? { state: "empty", line } : { state: "set", value, line };
}

/** Ruby's String#to_i: optional sign and leading digits, anything else ends the number; no digits is 0. */
export function rubyToI(text: string): number {
  const match = /^\s*([+-]?\d+)/.exec(text.replace(/_(?=\d)/g, ""));
  return match ? Number.parseInt(match[1] as string, 10) : 0;
}

/** Splits EXTRA_MEDIA_HOSTS like content_security_policy.rb: `split(/(?:\s*,\s*|\s+)/)` on a present value. */
export function parseMediaHosts(text: string | undefined): MediaHostEntry[] {
  if (!text || text.trim() === "") return [];
  return text
    .trim()
    .split(/(?:\s*,\s*|\s+)/)
    .filter(Boolean)
    .map((raw) => {
      const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
      try {
        const url = new URL(withScheme);
        return {
          raw,
          host: url.host.toLowerCase(),
          scheme: /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? url.protocol.replace(/:$/, "") : undefined,
        };
      } catch {
        return { raw };
      }
    });
}

export function readMastodonEnv(values: ReadonlyMap<string, string>, lines?: ReadonlyMap<string, number>): MastodonEnv {
  const vars = Object.fromEntries(STORAGE_VARIABLES.map((name) => [name, variable(values, name, lines)])) as Record<
    StorageVariable,
    Variable
  >;
  const fetch = (name: StorageVariable, fallback: string) =>
    vars[name].state === "absent" ? fallback : (values.get(name) as string);
  const present = (name: StorageVariable) => vars[name].state !== "absent";
  const region = fetch("S3_REGION", "us-east-1");
  const hostnameIsDefault = !present("S3_HOSTNAME");
  const hostname = fetch("S3_HOSTNAME", `s3-${region}.amazonaws.com`);
  const aliasPresent = present("S3_ALIAS_HOST") || present("S3_CLOUDFRONT_HOST");
  const aliasVariable = present("S3_ALIAS_HOST")
    ? "S3_ALIAS_HOST"
    : present("S3_CLOUDFRONT_HOST")
      ? "S3_CLOUDFRONT_HOST"
      : undefined;
  const aliasHost = aliasVariable && values.get(aliasVariable);
  const permission = values.get("S3_PERMISSION");
  const checksum = (name: StorageVariable) =>
    values.get(name)?.toUpperCase() === "WHEN_REQUIRED" ? "WHEN_REQUIRED" : "WHEN_SUPPORTED";
  const blank = (text: string | undefined) => !text || text.trim() === "";
  // content_security_policy.rb: cdn_host_value = s3_alias_host || s3_cloudfront_host || ... || s3_hostname_host,
  // each `host_to_url` of the raw variable, nil when blank (so the computed default hostname never counts).
  const cspMediaHost = [values.get("S3_ALIAS_HOST"), values.get("S3_CLOUDFRONT_HOST"), values.get("S3_HOSTNAME")].find(
    (h) => !blank(h),
  );
  return {
    vars,
    enabled: values.get("S3_ENABLED") === "true",
    bucket: values.get("S3_BUCKET"),
    region,
    protocol: fetch("S3_PROTOCOL", "https"),
    hostname,
    hostnameIsDefault,
    endpoint: values.get("S3_ENDPOINT") || undefined,
    endpointPresent: present("S3_ENDPOINT"),
    forcePathStyle: present("S3_ENDPOINT") && values.get("S3_OVERRIDE_PATH_STYLE") !== "true",
    aliasHost,
    aliasPresent,
    ...(aliasVariable ? { aliasVariable } : {}),
    uploadAcl: permission === undefined ? "public-read" : permission || undefined,
    aclIsDefault: permission === undefined,
    keyPrefix: values.get("S3_KEY_PREFIX") || undefined,
    multipartThresholdBytes: present("S3_MULTIPART_THRESHOLD")
      ? rubyToI(values.get("S3_MULTIPART_THRESHOLD") as string)
      : DEFAULT_MULTIPART_THRESHOLD_BYTES,
    forceSingleRequest: values.get("S3_FORCE_SINGLE_REQUEST") === "true",
    requestChecksumCalculation: checksum("AWS_REQUEST_CHECKSUM_CALCULATION"),
    responseChecksumValidation: checksum("AWS_RESPONSE_CHECKSUM_VALIDATION"),
    extraMediaHosts: parseMediaHosts(values.get("EXTRA_MEDIA_HOSTS")),
    cspMediaHost,
    cacheBuster: readCacheBuster(values, lines),
  };
}

/**
 * Whether the SDK calls the API in path style although S3_OVERRIDE_PATH_STYLE=true (or with no endpoint) asks
 * for virtual hosts: the S3 endpoint rules (shared by aws-sdk-s3 and @aws-sdk/client-s3, checked with the latter)
 * keep path style for an IP-address endpoint, and for a bucket name with dots over https (a `*.HOST`
 * certificate cannot cover it). `endpoint` is S3_ENDPOINT (undefined: AWS over https).
 */
export function pathStyleAnyway(endpoint: string | undefined, bucket: string): boolean {
  let url: URL | undefined;
  try {
    url = endpoint ? new URL(endpoint) : undefined;
  } catch {
    return false;
  }
  const host = url?.hostname.replace(/^\[|\]$/g, "") ?? "";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(":")) return true;
  return bucket.includes(".") && (!url || url.protocol === "https:");
}

/**
 * Whether the browser's CSP lets media load from `host`. app/lib/content_security_policy.rb's `media_hosts`: the
 * assets host (CDN_HOST, else https://WEB_DOMAIN, else LOCAL_DOMAIN: config/initializers/1_hosts.rb), the media host
 * (alias, CloudFront host, S3_HOSTNAME), PAPERCLIP_ROOT_URL's host, EXTRA_DATA_HOSTS (split on `|`) and
 * EXTRA_MEDIA_HOSTS. `values` gives the non-storage variables (CDN_HOST...); without it only the storage hosts count.
 */
export function cspAllowsHost(env: MastodonEnv, host: string, values?: ReadonlyMap<string, string>): boolean {
  const wanted = host.toLowerCase();
  const main = env.cspMediaHost ? parseMediaHosts(env.cspMediaHost)[0]?.host : undefined;
  if (main === wanted || env.extraMediaHosts.some((entry) => entry.host === wanted)) return true;
  return values ? cspOtherHosts(values).includes(wanted) : false;
}

/** The CSP media sources besides the storage hosts: assets host, PAPERCLIP_ROOT_URL's host, EXTRA_DATA_HOSTS. */
export function cspOtherHosts(values: ReadonlyMap<string, string>): string[] {
  const hosts = [assetsHost(values), localMediaBase(values)?.host];
  for (const entry of (values.get("EXTRA_DATA_HOSTS") ?? "").split("|")) hosts.push(parseMediaHosts(entry)[0]?.host);
  return hosts.filter((h): h is string => Boolean(h)).map((h) => h.toLowerCase());
}

/**
 * Where Mastodon stores media: paperclip.rb takes S3 when `S3_ENABLED == 'true'`, else OpenStack Swift when
 * `SWIFT_ENABLED == 'true'` (fog), else (Mastodon 4.7) Azure Blob Storage when `AZURE_ENABLED == 'true'`
 * (app/lib/attachment_batch.rb's :azure), else the local disk (public/system, PAPERCLIP_ROOT_PATH).
 */
export function storageBackend(values: ReadonlyMap<string, string>): "s3" | "swift" | "azure" | "local" {
  if (values.get("S3_ENABLED") === "true") return "s3";
  if (values.get("SWIFT_ENABLED") === "true") return "swift";
  if (values.get("AZURE_ENABLED") === "true") return "azure";
  return "local";
}

/** config/initializers/1_hosts.rb: `web_host = ENV.fetch('WEB_DOMAIN') { LOCAL_DOMAIN }` (empty stays empty). */
export function webDomain(values: ReadonlyMap<string, string>): string | undefined {
  const web = values.has("WEB_DOMAIN") ? values.get("WEB_DOMAIN") : values.get("LOCAL_DOMAIN");
  return web || undefined;
}

/** The host Rails builds asset and local media URLs on: CDN_HOST when present (production.rb), else the web domain. */
function assetsHost(values: ReadonlyMap<string, string>): string | undefined {
  const cdn = values.get("CDN_HOST")?.trim();
  if (cdn) return parseMediaHosts(cdn)[0]?.host;
  return webDomain(values)?.toLowerCase();
}

/**
 * Where media stored on local disk is served: paperclip.rb's `url: PAPERCLIP_ROOT_URL (default /system) + '/KEY'`,
 * made absolute on the assets host (CDN_HOST, else WEB_DOMAIN, else LOCAL_DOMAIN). Shape: `https://HOST/PATH/`
 * (ends with `/`; a key follows). Undefined when no host is known. An absolute PAPERCLIP_ROOT_URL wins.
 */
export function localMediaBase(values: ReadonlyMap<string, string>): URL | undefined {
  const root = values.get("PAPERCLIP_ROOT_URL") || "/system";
  const cdn = values.get("CDN_HOST")?.trim();
  const base = cdn
    ? /^[a-z]+:\/\//i.test(cdn)
      ? cdn
      : `https://${cdn}`
    : webDomain(values)
      ? `https://${webDomain(values)}`
      : undefined;
  try {
    const url = /^[a-z]+:\/\//i.test(root)
      ? new URL(root)
      : base
        ? new URL(root, base.replace(/\/?$/, "/"))
        : undefined;
    if (!url) return undefined;
    if (!url.pathname.endsWith("/")) url.pathname += "/";
    return url;
  } catch {
    return undefined;
  }
}
