import type { ConfigIssue } from "../errors";
import { awsBlock } from "./aws";
import { cloudflareBlock } from "./cloudflare";
import { commonShape, PROVIDERS } from "./common";
import { digitaloceanBlock } from "./digitalocean";
import { minioBlock } from "./minio";
import { projectConfigObject } from "./raw";
import { SECRET_HOLDERS } from "./secret-paths";

/** The stack's whole config as the Pulumi CLI hands it to the program, and which keys were `secure:` values. */
export interface ConfigSource {
  /** `namespace:key` -> string (structured values as JSON text). */
  all: Readonly<Record<string, string>>;
  /** True for a key whose value was encrypted in the stack file (`pulumi config set --secret`). */
  isSecret: (key: string) => boolean;
}

export interface ProjectConfig {
  /** This project's keys as one plain object, misplaced keys folded in where they belong. */
  raw: Record<string, unknown>;
  /** One issue per key in the wrong place or encrypted without being a secret. */
  issues: ConfigIssue[];
  /**
   * Paths whose value was not taken (an encrypted value, a key of another namespace): the schema's own issues
   * about them ("is required", a bad value) would only repeat the issue already reported, so they are dropped.
   */
  claimed: string[];
}

/** The fields of each provider block, by the block's name (the config's `mastodon-media:aws` object...). */
const BLOCK_FIELDS: Record<string, readonly string[]> = {
  aws: Object.keys(awsBlock.shape),
  cloudflare: Object.keys(cloudflareBlock.shape),
  digitalocean: Object.keys(digitaloceanBlock.shape),
  minio: Object.keys(minioBlock.shape),
};

/**
 * Keys that are also real settings of the provider plugin of the same name, so `aws:region` is never taken
 * for a misplaced `mastodon-media:aws.region` (Pulumi registry, AWS provider "Configuration": `aws:region`).
 */
const PROVIDER_OWNED: Record<string, readonly string[]> = { aws: ["region"] };

/** Top-level keys of this project, whatever the provider. */
const TOP_LEVEL = new Set<string>(["provider", "bucket", ...Object.keys(commonShape), ...PROVIDERS]);

/**
 * Reads this project's keys from the stack's whole config and names every key that is in the wrong place:
 * - a key of this project under another namespace (`aws:bucket` for `mastodon-media:bucket`,
 *   `cloudflare:accountId` for `mastodon-media:cloudflare.accountId`);
 * - a flat dotted key (`mastodon-media:aws.region`), which Pulumi stores as a key with a dot in its name
 *   instead of the field `region` of the object `mastodon-media:aws` (`pulumi config set --path` makes the
 *   object);
 * - an encrypted value (`secure:`) on a key of this project that holds no secret field (only `mastodonHost`
 *   does: components/config/secret-paths.ts): a decrypted value would end up in plain outputs such as the env block.
 * Misplaced values are folded in where they belong, so that the schema does not also call them missing.
 */
export function readProjectConfig(source: ConfigSource, project: string): ProjectConfig {
  const prefix = `${project}:`;
  const plain: Record<string, string> = {};
  const issues: ConfigIssue[] = [];
  const claimed: string[] = [];
  const folded: Array<{ path: string[]; value: unknown }> = [];

  for (const [key, value] of Object.entries(source.all)) {
    const colon = key.indexOf(":");
    const namespace = key.slice(0, colon);
    const name = key.slice(colon + 1);
    if (key.startsWith(prefix)) {
      if (source.isSecret(key) && !SECRET_HOLDERS.has(name)) {
        issues.push({
          path: name,
          message:
            "is encrypted (a secure: value), but it is not a secret: it would be rendered into plain outputs. " +
            `Set it in plain text: pulumi config set ${key} VALUE (without --secret)`,
        });
        claimed.push(name);
      } else if (name.includes(".")) {
        const parsed = projectConfigObject({ [key]: value }, project)[name];
        issues.push({
          path: name,
          message:
            `is a flat key with a dot in its name, but ${name.split(".")[0]} is an object: ` +
            `set it with pulumi config set --path ${key} VALUE, or nest it in the stack file`,
          value: parsed,
        });
        folded.push({ path: name.split("."), value: parsed });
      } else {
        plain[key] = value;
      }
      continue;
    }
    const meant = meantKey(namespace, name);
    if (meant === undefined) continue;
    issues.push({
      path: meant,
      key,
      message:
        `is in the ${namespace} namespace, which this project does not read: ` +
        `the key is ${prefix}${meant}${meant.includes(".") ? " (pulumi config set --path)" : ""}`,
      value: source.isSecret(key) ? undefined : projectConfigObject({ [prefix + name]: value }, project)[name],
    });
    claimed.push(meant);
  }

  const raw = projectConfigObject(plain, project);
  for (const { path, value } of folded) setIfAbsent(raw, path, value);
  // A claimed field of a block: the block itself is not missing, only that field is misplaced.
  for (const path of claimed) {
    if (path.includes(".")) setIfAbsent(raw, path.split(".").slice(0, -1), {});
  }
  return { raw, issues, claimed };
}

/** The key of this project that `namespace:name` stands for, or undefined when it is someone else's key. */
function meantKey(namespace: string, name: string): string | undefined {
  if (TOP_LEVEL.has(name)) return name;
  if (BLOCK_FIELDS[namespace]?.includes(name) && !PROVIDER_OWNED[namespace]?.includes(name))
    return `${namespace}.${name}`;
  return undefined;
}

/** Sets `raw[path]` unless something is there; for a path into a block, makes the block an object. */
function setIfAbsent(raw: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cursor = raw;
  for (const key of path.slice(0, -1)) {
    const next = cursor[key];
    if (next === undefined) cursor[key] = {};
    else if (next === null || typeof next !== "object" || Array.isArray(next)) return;
    cursor = cursor[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (cursor[last] === undefined) cursor[last] = value;
}
