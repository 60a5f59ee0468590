import { SECRET_MASK } from "../../components/masks";
import { parseEnvFile } from "../../mastodon-env/env-file";
import { readMastodonEnv } from "../../mastodon-env/model";
import { stackEnvironment } from "../../offline-plan/stack-file";
import type { DiffablePlan } from "./diff";

/**
 * The media host is part of every URL: other servers store the URL of each media file they fetched, and posts
 * link it, so a change of host, bucket path or key prefix breaks them all unless the old base keeps answering
 * (Mastodon admin docs, "Moving your media to object storage"; docs/migrating.md).
 */
export interface MediaUrlAlert {
  /** The base every media URL starts with, before and after: `https://files.example.com/social/`. */
  before: string;
  after: string;
  /** Production stack, and the old base is not in previousMediaDomains: the plan fails. */
  refused: boolean;
  message: string;
}

export interface MediaUrlContext {
  environment: "production" | "test";
  /** The new stack's previousMediaDomains (`host` or `host/path`). */
  previousMediaDomains: readonly string[];
}

/**
 * The base of every media URL a plan publishes, from its masked env block as Mastodon builds URLs (paperclip.rb:
 * `https://S3_ALIAS_HOST/KEY` (or S3_CLOUDFRONT_HOST in its place), else path style on S3_HOSTNAME with the bucket; KEY starts with S3_KEY_PREFIX),
 * or from its `mediaBaseUrl` output for plans written before the env block was part of `--json`.
 */
export function mediaUrlBase(plan: DiffablePlan): string | undefined {
  if (typeof plan.envProductionMasked === "string") {
    const env = parseEnvFile(plan.envProductionMasked).values;
    const protocol = env.get("S3_PROTOCOL") || "https";
    const alias = readMastodonEnv(env).aliasHost;
    const host =
      alias || (env.get("S3_HOSTNAME") ? `${env.get("S3_HOSTNAME")}/${env.get("S3_BUCKET") ?? ""}` : undefined);
    if (host) {
      const prefix = env.get("S3_KEY_PREFIX");
      return `${protocol}://${host}/${prefix ? `${prefix}/` : ""}`;
    }
  }
  const output = plan.outputs?.mediaBaseUrl;
  return typeof output === "string" && output !== SECRET_MASK ? `${output.replace(/\/$/, "")}/` : undefined;
}

export function mediaUrlChange(
  before: DiffablePlan,
  after: DiffablePlan,
  context?: MediaUrlContext,
): MediaUrlAlert | undefined {
  const old = mediaUrlBase(before);
  const next = mediaUrlBase(after);
  if (!old || !next || old === next) return undefined;
  const oldBase = old.replace(/^[a-z]+:\/\//, "").replace(/\/$/, "");
  const kept = context?.previousMediaDomains.includes(oldBase) ?? false;
  const refused = context?.environment === "production" && !kept;
  const consequence = kept
    ? `previousMediaDomains lists ${oldBase}: keep it answering with redirects to the new URLs`
    : `every media URL other servers hold (${old}KEY) breaks unless ${oldBase} keeps answering; ` +
      `list it in previousMediaDomains once it redirects (docs/migrating.md), and add the new host to EXTRA_MEDIA_HOSTS a week ahead`;
  return {
    before: old,
    after: next,
    refused,
    message: `${consequence}${refused ? ". Refused on a production stack." : ""}`,
  };
}

export function mediaUrlAlertLine(alert: MediaUrlAlert): string {
  return `MEDIA URLS CHANGE: ${alert.before}KEY -> ${alert.after}KEY: ${alert.message}`;
}

/** The context from a stack's flat config map (`mastodon-media:environment`, `mastodon-media:previousMediaDomains`). */
export function mediaUrlContext(config: Readonly<Record<string, string>>): MediaUrlContext {
  let previous: unknown = [];
  try {
    previous = JSON.parse(config["mastodon-media:previousMediaDomains"] ?? "[]");
  } catch {
    // The config schema reports a malformed list when the plan runs; here it counts as empty.
  }
  return {
    environment: stackEnvironment(config),
    previousMediaDomains: Array.isArray(previous)
      ? previous.filter((item): item is string => typeof item === "string")
      : [],
  };
}
