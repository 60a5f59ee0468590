import { z } from "zod";
import type { CdnPurgeFacts } from "../components/cdn-purge";
import { SECRET_MASK } from "../components/masks";
import { readCacheBuster } from "../mastodon-env/cache-buster";
import { parseEnvFile } from "../mastodon-env/env-file";
import { readMastodonEnv } from "../mastodon-env/model";
import { placeholderKind } from "../mastodon-env/placeholders";
import type { BustCredentials } from "./nginx";
import type { PurgeSite } from "./purge";

/** The CDN named by flags (`--cloudfront ID`, `--cloudflare-zone ID`, `--digitalocean-cdn ID`, `--nginx`) and the rest. */
export interface SiteFlags {
  cloudfront?: string;
  cloudflareZone?: string;
  digitaloceanCdn?: string;
  nginx?: boolean;
  mediaBase?: string;
  keyPrefix?: string;
}

/** Id shapes: CloudFront distribution ids (upper-case letters and digits), Cloudflare zone ids (32 hex), DigitalOcean CDN endpoint ids (UUID). */
const CLOUDFRONT_ID = /^[A-Z0-9]{8,32}$/;
const ZONE_ID = /^[0-9a-f]{32}$/;
const ENDPOINT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The `cdnPurge` stack output (components/cdn-purge.ts) inside `pulumi stack output --json`. */
const CDN_PURGE = z.union([
  z.object({
    cdn: z.literal("cloudfront"),
    distributionId: z.string().regex(CLOUDFRONT_ID),
    mediaBaseUrl: z.string(),
    keyPrefix: z.string().optional(),
  }),
  z.object({
    cdn: z.literal("cloudflare"),
    zoneId: z.string().regex(ZONE_ID),
    mediaBaseUrl: z.string(),
    keyPrefix: z.string().optional(),
  }),
  z.object({
    cdn: z.literal("digitalocean"),
    endpointId: z.string().regex(ENDPOINT_ID),
    mediaBaseUrl: z.string(),
    keyPrefix: z.string().optional(),
  }),
  z.object({ cdn: z.literal("nginx"), mediaBaseUrl: z.string(), keyPrefix: z.string().optional() }),
]);
const STACK_OUTPUTS = z
  .object({ cdnPurge: CDN_PURGE.optional(), mediaBaseUrl: z.string().optional(), envProduction: z.string().optional() })
  .passthrough();

/** What the sources give: the stack outputs' JSON text, an env file's text (Mastodon's .env.production), flags. */
export interface SiteSources {
  outputs?: { text: string; name: string };
  env?: { text: string; name: string };
  flags: SiteFlags;
  /** The process environment, for CACHE_BUSTER_* when no env file gives them. */
  processEnv: NodeJS.ProcessEnv;
}

/**
 * The CDN, media base and key prefix to purge, from flags first, then the stack outputs (`pulumi stack output
 * --json`), then the env file; and the bust request's credentials (nginx), from the env file (or the outputs'
 * envProduction when shown with --show-secrets), else CACHE_BUSTER_* in the process environment. Problems name
 * the flag or source, never a secret.
 */
export function resolveSite(
  sources: SiteSources,
): { site: PurgeSite; bust?: BustCredentials } | { problems: string[] } {
  const problems: string[] = [];
  let outputs: z.infer<typeof STACK_OUTPUTS> | undefined;
  if (sources.outputs) {
    let json: unknown;
    try {
      json = JSON.parse(sources.outputs.text);
    } catch {
      problems.push(`${sources.outputs.name} is not JSON: give the output of \`pulumi stack output --json\``);
    }
    const shape = json === undefined ? undefined : outputsProblem(json, sources.outputs.name);
    if (shape) problems.push(shape);
    const parsed = json === undefined || shape ? undefined : STACK_OUTPUTS.safeParse(json);
    if (parsed && !parsed.success)
      problems.push(
        `${sources.outputs.name}: cdnPurge is not this project's output (${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message})`,
      );
    outputs = parsed?.success ? parsed.data : undefined;
    // A mistake in the outputs explains whatever else would be missing: say only that.
    if (problems.length > 0) return { problems };
  }
  const envText =
    sources.env?.text ??
    (outputs?.envProduction && outputs.envProduction !== SECRET_MASK ? outputs.envProduction : undefined);
  const values = envText ? parseEnvFile(envText).values : undefined;
  const mastodon = values ? readMastodonEnv(values) : undefined;

  const { flags } = sources;
  const named: CdnPurgeFacts[] = [];
  if (flags.cloudfront !== undefined) {
    if (CLOUDFRONT_ID.test(flags.cloudfront)) named.push({ cdn: "cloudfront", distributionId: flags.cloudfront });
    else
      problems.push(
        `--cloudfront must be a distribution id such as E2QWRUHEXAMPLE (got ${JSON.stringify(flags.cloudfront)})`,
      );
  }
  if (flags.cloudflareZone !== undefined) {
    if (ZONE_ID.test(flags.cloudflareZone)) named.push({ cdn: "cloudflare", zoneId: flags.cloudflareZone });
    else
      problems.push(
        `--cloudflare-zone must be a zone id: 32 hexadecimal digits (got ${JSON.stringify(flags.cloudflareZone)})`,
      );
  }
  if (flags.digitaloceanCdn !== undefined) {
    if (ENDPOINT_ID.test(flags.digitaloceanCdn)) named.push({ cdn: "digitalocean", endpointId: flags.digitaloceanCdn });
    else
      problems.push(
        `--digitalocean-cdn must be a CDN endpoint id (a UUID, \`doctl compute cdn list\`) (got ${JSON.stringify(flags.digitaloceanCdn)})`,
      );
  }
  if (flags.nginx) named.push({ cdn: "nginx" });
  if (named.length > 1)
    problems.push("name one CDN: --cloudfront, --cloudflare-zone, --digitalocean-cdn and --nginx exclude each other");
  const fromOutputs = outputs?.cdnPurge;
  const cdn: CdnPurgeFacts | undefined = named[0] ?? (fromOutputs ? stripOutput(fromOutputs) : undefined);
  if (!cdn && problems.length === 0) {
    problems.push(
      "which CDN? pipe `pulumi stack output --json` into --outputs - (its cdnPurge output names it), or pass --cloudfront ID, --cloudflare-zone ID, --digitalocean-cdn ID or --nginx",
    );
  }

  const baseText = flags.mediaBase ?? fromOutputs?.mediaBaseUrl ?? outputs?.mediaBaseUrl ?? envMediaBase(mastodon);
  let mediaBase: URL | undefined;
  if (baseText === undefined)
    problems.push(
      "where is the media? give --media-base https://MEDIA_HOST, --outputs, or --env with Mastodon's .env.production",
    );
  else {
    try {
      mediaBase = new URL(baseText.endsWith("/") ? baseText : `${baseText}/`);
      if (!/^https?:$/.test(mediaBase.protocol) || mediaBase.search || mediaBase.hash) throw new Error("not a base");
    } catch {
      problems.push(
        `--media-base must be the media base URL, such as https://files.example.com (got ${JSON.stringify(baseText)})`,
      );
      mediaBase = undefined;
    }
  }
  const keyPrefix = flags.keyPrefix ?? fromOutputs?.keyPrefix ?? mastodon?.keyPrefix;
  if (keyPrefix !== undefined && !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(keyPrefix))
    problems.push("--key-prefix must be path segments of letters, digits, '.', '_' or '-' (S3_KEY_PREFIX)");
  if (problems.length > 0 || !cdn || !mediaBase) return { problems };

  const buster = values
    ? readCacheBuster(values)
    : readCacheBuster(
        new Map(Object.entries(sources.processEnv).filter((e): e is [string, string] => typeof e[1] === "string")),
      );
  const secret = buster.header?.value ?? (values ? undefined : sources.processEnv.CACHE_BUSTER_SECRET);
  const header =
    buster.header?.name ??
    (secret ? sources.processEnv.CACHE_BUSTER_SECRET_HEADER || "Mastodon-Cache-Buster" : undefined);
  const bust = secret && header ? { header, secret, method: buster.method } : undefined;
  return { site: { cdn, mediaBase, ...(keyPrefix ? { keyPrefix } : {}) }, ...(bust ? { bust } : {}) };
}

/**
 * What is wrong with `--outputs` JSON before its shape is checked: the plan's own `--json` file (its outputs sit
 * under `outputs`, with no ids before deploy), or a plan placeholder (components/masks.ts, named through
 * mastodon-env/placeholders.ts) in cdnPurge or mediaBaseUrl; undefined when neither.
 */
function outputsProblem(json: unknown, name: string): string | undefined {
  const AFTER_UP =
    "after `pulumi up`, give `pulumi stack output --json` (pulumi stack output --json | npm run purge -- --outputs - ...)";
  if (typeof json !== "object" || json === null || Array.isArray(json))
    return `${name} is not an object of stack outputs: ${AFTER_UP}`;
  const top = json as Record<string, unknown>;
  if (!("cdnPurge" in top) && typeof top.outputs === "object" && top.outputs !== null && "resources" in top) {
    return `${name} has no top-level cdnPurge: it is the plan's --json file (npm run plan), not \`pulumi stack output --json\` output; ${AFTER_UP}`;
  }
  const cdnPurge =
    typeof top.cdnPurge === "object" && top.cdnPurge !== null ? (top.cdnPurge as Record<string, unknown>) : {};
  const fields: [string, unknown][] = [
    ...Object.entries(cdnPurge).map(([key, value]): [string, unknown] => [`cdnPurge.${key}`, value]),
    ["mediaBaseUrl", top.mediaBaseUrl],
  ];
  for (const [field, value] of fields) {
    const what = typeof value === "string" ? placeholderKind(value) : undefined;
    if (what)
      return `${name}: ${field} holds a placeholder (${what}), not a real value: these outputs come from a plan; ${AFTER_UP}`;
  }
  return undefined;
}

function stripOutput(output: z.infer<typeof CDN_PURGE>): CdnPurgeFacts {
  switch (output.cdn) {
    case "cloudfront":
      return { cdn: "cloudfront", distributionId: output.distributionId };
    case "cloudflare":
      return { cdn: "cloudflare", zoneId: output.zoneId };
    case "digitalocean":
      return { cdn: "digitalocean", endpointId: output.endpointId };
    default:
      return { cdn: "nginx" };
  }
}

/** Where Mastodon links media (paperclip.rb): `S3_PROTOCOL://S3_ALIAS_HOST/`, else `S3_PROTOCOL://S3_HOSTNAME/S3_BUCKET/`. */
function envMediaBase(env: ReturnType<typeof readMastodonEnv> | undefined): string | undefined {
  if (!env?.enabled) return undefined;
  if (env.aliasHost) return `${env.protocol}://${env.aliasHost}/`;
  return env.bucket ? `${env.protocol}://${env.hostname}/${env.bucket}/` : undefined;
}
