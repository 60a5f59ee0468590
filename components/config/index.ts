import { z } from "zod";
import { ConfigError, type ConfigIssue } from "../errors";
import { PROVIDERS, type ProviderName } from "./common";
import { awsStack } from "./aws";
import { cloudflareStack } from "./cloudflare";
import { digitaloceanStack } from "./digitalocean";
import { minioStack } from "./minio";

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

/**
 * Parses the `mastodon-media:*` config of a stack (a plain object, one entry per key) and reports every
 * problem at once. Returns the issues instead of throwing, for the CLI and the tests.
 */
export function safeParseStackConfig(
  raw: Record<string, unknown>,
): { success: true; config: StackConfig } | { success: false; issues: ConfigIssue[] } {
  const provider = raw.provider;
  if (typeof provider !== "string" || !(PROVIDERS as readonly string[]).includes(provider)) {
    const message =
      provider === undefined ? `is required: one of ${PROVIDERS.join(", ")}` : `must be one of ${PROVIDERS.join(", ")}`;
    return { success: false, issues: [{ path: "provider", message, value: provider }] };
  }
  const result = stackSchemas[provider as ProviderName].safeParse(raw);
  const issues = result.success ? [] : result.error.issues.flatMap((issue) => toConfigIssues(issue, raw));
  if (result.success) issues.push(...crossFieldIssues(result.data));
  return issues.length === 0 && result.success
    ? { success: true, config: result.data }
    : { success: false, issues };
}

/** Parses the stack config or throws a ConfigError that names every bad key. */
export function parseStackConfig(raw: Record<string, unknown>): StackConfig {
  const result = safeParseStackConfig(raw);
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
    return issue.keys.map((key) => ({
      path: [...path, key].join("."),
      message: "is not a known key (check its spelling and the list in docs/configuration.md)",
      value: valueAt(raw, [...path, key]),
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
