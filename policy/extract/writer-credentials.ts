import { R2_JURISDICTIONS } from "../../components/config/sdk-lists";
import { field, list, record, text } from "../props";
import { CLOUDFLARE, DIGITALOCEAN } from "../resource-types";
import type { RuleResource } from "../rule";

/** The writer credentials that are not AWS-language policies: Spaces keys and Cloudflare API tokens. */

export interface SpacesGrant {
  bucket: string;
  permission: string;
}

export function spacesGrantsOf(resource: RuleResource): SpacesGrant[] {
  if (resource.type !== DIGITALOCEAN.spacesKey) return [];
  return list(resource.props.grants).map((grant) => ({
    bucket: text(field(grant, "bucket")) ?? "",
    permission: text(field(grant, "permission")) ?? "",
  }));
}

export const TOKEN_TYPES = [CLOUDFLARE.accountToken, CLOUDFLARE.apiToken] as const;

export interface TokenPolicy {
  effect: string;
  permissionGroupIds: string[];
  /** The parsed `resources` JSON, or the problem with it. */
  resources: { ok: true; keys: Record<string, unknown> } | { ok: false; problem: string };
}

/** Token policies; `resources` is JSON text in @pulumi/cloudflare 6 (a map of resource key to "*"). */
export function tokenPoliciesOf(resource: RuleResource): TokenPolicy[] {
  if (!(TOKEN_TYPES as readonly string[]).includes(resource.type)) return [];
  return list(resource.props.policies).map((policy) => ({
    effect: text(field(policy, "effect")) ?? "",
    permissionGroupIds: list(field(policy, "permissionGroups")).map((group) => text(field(group, "id")) ?? ""),
    resources: parseResources(field(policy, "resources")),
  }));
}

function parseResources(value: unknown): TokenPolicy["resources"] {
  let parsed = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      return { ok: false, problem: "is not valid JSON" };
    }
  }
  const keys = record(parsed);
  return keys ? { ok: true, keys } : { ok: false, problem: "must be a JSON object of resource keys" };
}

/** `com.cloudflare.edge.r2.bucket.ACCOUNT_JURISDICTION_BUCKET` (Cloudflare docs, "R2 API tokens"). */
export const R2_BUCKET_RESOURCE_PREFIX = "com.cloudflare.edge.r2.bucket.";

export interface R2BucketResource {
  accountId: string;
  jurisdiction: string;
  bucket: string;
}

/** Parses an R2 bucket resource key; undefined for any other key (account, zone) or a wildcard. */
export function parseR2BucketResource(key: string): R2BucketResource | undefined {
  if (!key.startsWith(R2_BUCKET_RESOURCE_PREFIX)) return undefined;
  const jurisdictions = R2_JURISDICTIONS.join("|");
  const match = new RegExp(`^([0-9a-f]{32})_(${jurisdictions})_([a-z0-9][a-z0-9-]{1,61}[a-z0-9])$`).exec(
    key.slice(R2_BUCKET_RESOURCE_PREFIX.length),
  );
  if (!match) return undefined;
  return { accountId: match[1] as string, jurisdiction: match[2] as string, bucket: match[3] as string };
}

/** Cloudflare's fixed id of the zone permission group "Cache Purge" (what the program looks up by name). */
export const CACHE_PURGE_PERMISSION_GROUPS = ["e17beae8b8cb423a99b1730f21238bed"];

const ZONE_RESOURCE = /^com\.cloudflare\.api\.account\.zone\.[0-9a-f]{32}$/;

/**
 * The cache buster's purge token (providers/cloudflare/cache-buster.ts), which is not a writer: every policy
 * allows only Cache Purge, on single zones. Anything more (another group, an account key, a deny) and the token
 * is checked as a writer's.
 */
export function isCachePurgeToken(
  resource: RuleResource,
  purgeGroups: readonly string[] = CACHE_PURGE_PERMISSION_GROUPS,
): boolean {
  const policies = tokenPoliciesOf(resource);
  return (
    policies.length > 0 &&
    policies.every(
      (policy) =>
        policy.effect === "allow" &&
        policy.permissionGroupIds.length > 0 &&
        policy.permissionGroupIds.every((id) => purgeGroups.includes(id)) &&
        policy.resources.ok &&
        Object.entries(policy.resources.keys).every(([key, value]) => ZONE_RESOURCE.test(key) && value === "*"),
    )
  );
}
