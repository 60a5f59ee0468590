import { parseOptions } from "../shared/options";
import type { SiteFlags } from "../../cdn-purge/site";

export const USAGE = `usage: npm run purge -- [--outputs FILE|-] [--env FILE|-] [CDN] [--dry-run] WHAT...

Takes media down from the CDN's cache (after Mastodon deleted it, or for what Mastodon never busts: avatars,
headers, tootctl media remove, a suspension without ACLs). See docs/takedowns.md.

WHAT (repeat any of them):
  --url URL          a media URL on the media host (a media attachment's URL purges every style of it where the
                     CDN can purge a folder)
  --attachment ID    a media attachment's id: its files and thumbnail, every style, local and cached remote copies
  --account ID       an account's id: its avatar and header, every style, local and cached remote copies

Where (flags win over --outputs, which wins over --env):
  --outputs FILE|-   \`pulumi stack output --json -s STACK\`: its cdnPurge output names the CDN, the media base and the prefix
  --env FILE|-       Mastodon's .env.production: the media host, S3_KEY_PREFIX, and CACHE_BUSTER_* for the nginx cache
  --cloudfront ID | --cloudflare-zone ID | --digitalocean-cdn ID | --nginx
                     the CDN, when no --outputs names it
  --media-base URL   the media base URL (https://files.example.com); --key-prefix PREFIX: S3_KEY_PREFIX

Credentials come from the environment, never from flags: CloudFront the AWS SDK's (AWS_PROFILE, AWS_ACCESS_KEY_ID...),
Cloudflare CLOUDFLARE_API_TOKEN (Zone / Cache Purge), DigitalOcean DIGITALOCEAN_TOKEN (cdn:delete), nginx
CACHE_BUSTER_SECRET (or --env).

  --dry-run          print the requests it would send, send nothing (needs no credentials)

exit codes: 0 the CDN accepted every request, 1 the CDN refused one (named), 2 bad input, an unknown URL, missing
            credentials or an unreachable CDN API (nothing or only what is printed was purged), 3 a bug`;

export interface PurgeOptions {
  outputs?: string;
  env?: string;
  flags: SiteFlags;
  urls: string[];
  attachments: string[];
  accounts: string[];
  dryRun: boolean;
}

export type ArgsResult = { help: true } | { help: false; options: PurgeOptions } | { help: false; problems: string[] };

export function parsePurgeArgs(argv: readonly string[]): ArgsResult {
  const parsed = parseOptions(
    argv,
    {
      outputs: { type: "string" },
      env: { type: "string" },
      cloudfront: { type: "string" },
      "cloudflare-zone": { type: "string" },
      "digitalocean-cdn": { type: "string" },
      nginx: { type: "boolean", default: false },
      "media-base": { type: "string" },
      "key-prefix": { type: "string" },
      url: { type: "string", multiple: true, default: [] },
      attachment: { type: "string", multiple: true, default: [] },
      account: { type: "string", multiple: true, default: [] },
      "dry-run": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    { positionals: true },
  );
  if ("problems" in parsed) return { help: false, problems: parsed.problems };
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  const problems: string[] = [];
  if (positionals.length > 0)
    problems.push(
      `unexpected argument ${JSON.stringify(positionals[0])}: give URLs with --url, ids with --attachment or --account`,
    );
  if (values.outputs === "-" && values.env === "-")
    problems.push("--outputs - and --env - cannot both read standard input");
  if (problems.length > 0) return { help: false, problems };
  const text = (name: string) => values[name] as string | undefined;
  const flags: SiteFlags = {
    ...(text("cloudfront") !== undefined ? { cloudfront: text("cloudfront") } : {}),
    ...(text("cloudflare-zone") !== undefined ? { cloudflareZone: text("cloudflare-zone") } : {}),
    ...(text("digitalocean-cdn") !== undefined ? { digitaloceanCdn: text("digitalocean-cdn") } : {}),
    ...(values.nginx ? { nginx: true } : {}),
    ...(text("media-base") !== undefined ? { mediaBase: text("media-base") } : {}),
    ...(text("key-prefix") !== undefined ? { keyPrefix: text("key-prefix") } : {}),
  };
  return {
    help: false,
    options: {
      ...(text("outputs") !== undefined ? { outputs: text("outputs") } : {}),
      ...(text("env") !== undefined ? { env: text("env") } : {}),
      flags,
      urls: values.url as string[],
      attachments: values.attachment as string[],
      accounts: values.account as string[],
      dryRun: values["dry-run"] as boolean,
    },
  };
}
