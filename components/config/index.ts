import { z } from "zod";
import { withoutSecretValue } from "./secret-paths";
import { ConfigError, type ConfigIssue } from "../errors";
import { bestEffortParse } from "./best-effort";
import { commonShape, PROVIDERS, type ProviderName } from "./common";
import { awsStack } from "./aws";
import { cloudflareStack } from "./cloudflare";
import { digitaloceanStack } from "./digitalocean";
import { minioStack } from "./minio";
import { bucketName } from "./validators";
import { keyPrefixSegmentIssues } from "./key-prefix-segments";

export { PROVIDERS, type ProviderName } from "./common";

const stackSchemas = {
  aws: awsStack,
  cloudflare: cloudflareStack,
  digitalocean: digitaloceanStack,
  minio: minioStack,
} as const;

export type AwsStackConfig = z.output<typeof awsStack>;
export type CloudflareStackConfig = z.output<typeof cloudflareStack>;
export type DigitalOceanStackConfig = z.output<typeof digitaloceanStack>;
export type MinioStackConfig = z.output<typeof minioStack>;
export type StackConfig = AwsStackConfig | CloudflareStackConfig | DigitalOceanStackConfig | MinioStackConfig;
/** The config of one provider's stack, e.g. `StackConfigOf<"aws">`. */
export type StackConfigOf<P extends ProviderName> = Extract<StackConfig, { provider: P }>;

/** What validates the common keys when the provider is missing or unknown: its blocks cannot be checked. */
const anyProviderStack = z.strictObject({
  provider: z.unknown().optional(),
  ...commonShape,
  bucket: bucketName({ allowDots: true }),
  ...Object.fromEntries(PROVIDERS.map((name) => [name, z.unknown().optional()])),
});

/** Issues found before the schema runs: keys in the wrong place (see readProjectConfig). */
export interface PlacementIssues {
  issues: readonly ConfigIssue[];
  /** Paths already reported: the schema's issues about them are dropped. */
  claimed: readonly string[];
}

/**
 * Parses the `mastodon-media:*` config of a stack (a plain object, one entry per key) and reports every
 * problem at once, in one run: keys in the wrong place (`placement`), an unknown provider together with the
 * other keys' problems, each key's own problem, and the rules between keys (run on what does parse, and not
 * repeated for a key that already has its own problem). Returns the issues instead of throwing, for the CLI
 * and the tests.
 */
export function safeParseStackConfig(
  raw: Record<string, unknown>,
  placement: PlacementIssues = { issues: [], claimed: [] },
): { success: true; config: StackConfig } | { success: false; issues: ConfigIssue[] } {
  const provider = raw.provider;
  const known = typeof provider === "string" && (PROVIDERS as readonly string[]).includes(provider);
  const issues: ConfigIssue[] = [];
  if (!known) {
    const message =
      provider === undefined ? `is required: one of ${PROVIDERS.join(", ")}` : `must be one of ${PROVIDERS.join(", ")}`;
    issues.push({ path: "provider", message, value: provider });
  }
  const schema: z.ZodType = known ? stackSchemas[provider as ProviderName] : anyProviderStack;
  const result = schema.safeParse(raw);
  if (!result.success) issues.push(...result.error.issues.flatMap((issue) => toConfigIssues(issue, raw)));

  const ownProblems = issues.map((issue) => issue.path);
  const config = (result.success ? result.data : bestEffortParse(schema, raw)) as StackConfig;
  const crossKey = result.success ? crossFieldIssues(config) : crossFieldIssuesOfPartial(config);
  issues.push(...crossKey.filter((issue) => !ownProblems.some((path) => related(path, issue.path))));

  const all = [
    ...placement.issues,
    ...issues.filter((issue) => !placement.claimed.some((path) => related(path, issue.path))),
  ].map((issue) => withoutSecretValue(issue));
  return all.length === 0 && result.success && known
    ? { success: true, config: result.data as StackConfig }
    : { success: false, issues: all };
}

/**
 * The rules between keys on a config that did not fully parse. A rule written for a parsed config may read a
 * field of a value that did not parse; such a rule is left for the run after the single-key fixes.
 */
function crossFieldIssuesOfPartial(config: StackConfig): ConfigIssue[] {
  try {
    return crossFieldIssues(config);
  } catch (error) {
    if (error instanceof TypeError) return [];
    throw error;
  }
}

/** True when one dotted path is the other or lies inside it (`aws` and `aws.region`). */
function related(a: string, b: string): boolean {
  return a === b || b.startsWith(`${a}.`) || a.startsWith(`${b}.`);
}

/** Parses the stack config or throws a ConfigError that names every bad key. */
export function parseStackConfig(raw: Record<string, unknown>, placement?: PlacementIssues): StackConfig {
  const result = safeParseStackConfig(raw, placement);
  if (!result.success) throw new ConfigError(result.issues);
  return result.config;
}

/** Rules between keys, which the per-key schema cannot express. */
function crossFieldIssues(config: StackConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (config.mediaDomain !== undefined && config.mediaDomain === config.webDomain) {
    issues.push({
      path: "mediaDomain",
      message: "must differ from webDomain: media needs its own host (S3_ALIAS_HOST)",
      value: config.mediaDomain,
    });
  }
  if (typeof config.provider === "string" && (PROVIDERS as readonly string[]).includes(config.provider)) {
    issues.push(...keyPrefixSegmentIssues(config.provider, config.keyPrefix));
  }
  const needsMediaDomain = config.provider === "aws" || config.provider === "cloudflare";
  if (needsMediaDomain && config.mediaDomain === undefined) {
    issues.push({
      path: "mediaDomain",
      message: `is required for ${config.provider}: media URLs must live on a host you own, chosen once`,
    });
  }
  if (config.provider === "cloudflare" && config.cloudflare.r2DevDomain && config.environment === "production") {
    issues.push({
      path: "cloudflare.r2DevDomain",
      message: "may only be true on test stacks: the r2.dev URL is rate-limited and bypasses the media host's guards",
      value: true,
    });
  }
  const current = [config.mediaDomain, config.keyPrefix].filter(Boolean).join("/");
  config.previousMediaDomains.forEach((previous, index) => {
    if (previous === current) {
      issues.push({
        path: `previousMediaDomains.${index}`,
        message: "is the current media base (mediaDomain and keyPrefix): list only old ones",
        value: previous,
      });
    }
  });
  if (
    config.provider === "cloudflare" &&
    config.cloudflare.redirectPreviousMediaDomains &&
    config.previousMediaDomains.length === 0
  ) {
    issues.push({
      path: "cloudflare.redirectPreviousMediaDomains",
      message: "redirects the hosts of previousMediaDomains: list them there, or remove this key",
      value: true,
    });
  }
  if (config.provider === "digitalocean" && config.mediaDomain !== undefined && !config.digitalocean.certificate) {
    issues.push({
      path: "digitalocean.certificate",
      message: "is required when mediaDomain is set: { type: lets_encrypt } or { type: existing, name: ... }",
    });
  }
  if (config.provider === "digitalocean" && config.mediaDomain === undefined && config.digitalocean.certificate) {
    issues.push({
      path: "digitalocean.certificate",
      message: "is only used with mediaDomain: set mediaDomain too, or remove the certificate",
    });
  }
  return issues;
}

function toConfigIssues(issue: z.core.$ZodIssue, raw: Record<string, unknown>): ConfigIssue[] {
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    // No value: a misspelled secret key (`privatekey`) still holds a secret.
    return issue.keys.map((key) => ({
      path: [...path, key].join("."),
      message: "is not a known key (check its spelling and the list in docs/configuration.md)",
    }));
  }
  const value = valueAt(raw, path);
  let message = issue.message;
  if (issue.code === "invalid_type") {
    message = value === undefined ? "is required" : `must be ${article(issue.expected)}`;
  } else if (issue.code === "invalid_value" && "values" in issue) {
    message = issue.message.startsWith("must") ? issue.message : `must be one of ${issue.values.join(", ")}`;
  }
  return [{ path: path.join("."), message, value }];
}

function article(expected: string): string {
  return expected === "object" || expected === "array" ? `an ${expected}` : `a ${expected}`;
}

function valueAt(raw: unknown, path: readonly string[]): unknown {
  let current = raw;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
