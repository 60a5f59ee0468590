import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "./sdk";
import type { CacheBusterInput } from "../../components/cache-buster";
import { UserError } from "../../components/errors";
import {
  BINDING_NAMES,
  cacheBusterWorkerSource,
  WORKER_COMPATIBILITY_DATE,
  WORKER_MAIN_MODULE,
} from "./cache-buster-worker";
import type { PermissionGroup } from "./writer-policy";

/** The zone-level permission group that may purge a zone's cache (Cloudflare docs, "API token permissions"). */
export const CACHE_PURGE_GROUP = "Cache Purge";

/** The resource scope of a zone in token policies. */
export const ZONE_SCOPE = "com.cloudflare.api.account.zone";

/** The id of "Cache Purge" among the account's permission groups, matched by name and zone scope. */
export function cachePurgeGroupId(groups: readonly PermissionGroup[]): string {
  const ids = [
    ...new Set(
      groups
        .filter((group) => group.name === CACHE_PURGE_GROUP && group.scopes.includes(ZONE_SCOPE))
        .map((group) => group.id),
    ),
  ];
  if (ids.length !== 1) {
    throw new UserError(
      `Cloudflare lists ${ids.length} API token permission groups named "${CACHE_PURGE_GROUP}" scoped to zones (${ZONE_SCOPE}): ` +
        "the cache buster's purge token needs exactly one; check that the deploying token may read account API tokens.",
    );
  }
  return ids[0] as string;
}

/** The purge token's only policy: Cache Purge on the one zone. */
export function purgeTokenPolicy(groupId: string, zoneId: string) {
  return {
    effect: "allow",
    permissionGroups: [{ id: groupId }],
    resources: JSON.stringify({ [`${ZONE_SCOPE}.${zoneId}`]: "*" }),
  };
}

/** The Worker's script name: one per media host, so that two stacks in one account do not collide. */
export function workerScriptName(mediaDomain: string): string {
  return `mastodon-cache-buster-${mediaDomain.replace(/[^a-z0-9]+/g, "-")}`.slice(0, 63).replace(/-+$/, "");
}

export interface CacheBusterWorker {
  token: cloudflare.AccountToken;
  script: cloudflare.WorkersScript;
  route: cloudflare.WorkersRoute;
}

/**
 * Mastodon's cache buster on Cloudflare: an account token limited to Cache Purge on the zone, the Worker
 * (providers/cloudflare/cache-buster-worker.ts) with the token and the bust secret as `secret_text` bindings, and
 * the route `MEDIA_DOMAIN/*` that runs it on every media request (Cloudflare Workers docs, "Routes").
 * Children `${name}-cache-buster-*` of `parent`.
 */
export function createCacheBusterWorker(
  name: string,
  args: { accountId: string; zoneId: string; mediaDomain: string; cacheBuster: CacheBusterInput },
  parent: pulumi.Resource,
): CacheBusterWorker {
  const { accountId, zoneId, mediaDomain, cacheBuster } = args;
  const groups = cloudflare.getAccountApiTokenPermissionGroupsListOutput({ accountId }, { parent });
  const token = new cloudflare.AccountToken(
    `${name}-cache-buster-token`,
    {
      accountId,
      name: `mastodon-media cache purge for ${mediaDomain}`,
      policies: [groups.results.apply((results) => purgeTokenPolicy(cachePurgeGroupId(results), zoneId))],
    },
    { parent },
  );
  const scriptName = workerScriptName(mediaDomain);
  const script = new cloudflare.WorkersScript(
    `${name}-cache-buster`,
    {
      accountId,
      scriptName,
      mainModule: WORKER_MAIN_MODULE,
      content: cacheBusterWorkerSource(),
      compatibilityDate: WORKER_COMPATIBILITY_DATE,
      bindings: [
        { name: BINDING_NAMES.header, type: "plain_text", text: cacheBuster.secretHeader },
        { name: BINDING_NAMES.zoneId, type: "plain_text", text: zoneId },
        { name: BINDING_NAMES.secret, type: "secret_text", text: pulumi.secret(cacheBuster.secret) },
        { name: BINDING_NAMES.token, type: "secret_text", text: pulumi.secret(token.value) },
      ],
    },
    { parent },
  );
  const route = new cloudflare.WorkersRoute(
    `${name}-cache-buster-route`,
    { zoneId, pattern: `${mediaDomain}/*`, script: script.scriptName },
    { parent },
  );
  return { token, script, route };
}
