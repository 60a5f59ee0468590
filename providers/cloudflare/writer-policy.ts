import { createHash } from "node:crypto";
import { UserError } from "../../components/errors";
import type { R2Jurisdiction } from "./endpoint";
import { R2_BUCKET_ITEM_WRITE, R2_BUCKET_SCOPE } from "../../components/r2-permission-groups";

/**
 * The permission group that lets a token read, write, list and delete objects of the buckets named in its
 * policy, and nothing else (no bucket settings, no other bucket): components/r2-permission-groups.ts, the table
 * the policy pack judges tokens by too.
 */
export const BUCKET_ITEM_WRITE_GROUP = R2_BUCKET_ITEM_WRITE.name;

export { R2_BUCKET_SCOPE };

export interface PermissionGroup {
  id: string;
  name: string;
  scopes: string[];
}

/**
 * The id of the bucket-scoped write group among the account's permission groups, matched by name AND by scope.
 * Cloudflare lists one entry per (name, scope) pair, and the provider's permission-groups data source reports
 * each entry's `scopes` as resource-scope strings (e.g. `com.cloudflare.edge.r2.bucket`); a group of the same
 * name under another scope (account-wide) may come first, and must never be the one a writer token gets.
 * Fails when no entry has both the name and the bucket scope, when several distinct ids do (ambiguous), or when
 * the one found is not the id the policy pack allows (`r2-token-bucket-item-scoped`): the program and the pack
 * judge the group the same way, so a deploy is never refused by the pack for the group the program chose.
 */
export function bucketItemWriteGroupId(groups: readonly PermissionGroup[]): string {
  const named = groups.filter((candidate) => candidate.name === BUCKET_ITEM_WRITE_GROUP);
  if (named.length === 0) {
    throw new UserError(
      `Cloudflare lists no API token permission group named "${BUCKET_ITEM_WRITE_GROUP}" for this account: ` +
        "check that R2 is enabled on the account and that the deploying token may read account API tokens.",
    );
  }
  const ids = [
    ...new Set(
      named.filter((candidate) => candidate.scopes.includes(R2_BUCKET_SCOPE)).map((candidate) => candidate.id),
    ),
  ];
  if (ids.length === 0) {
    const scopes = [...new Set(named.flatMap((candidate) => candidate.scopes))];
    throw new UserError(
      `The permission group "${BUCKET_ITEM_WRITE_GROUP}" is not scoped to single buckets (${R2_BUCKET_SCOPE}) ` +
        `but to ${scopes.join(", ") || "nothing"}: refusing to create a writer token wider than one bucket.`,
    );
  }
  if (ids.length > 1) {
    throw new UserError(
      `Cloudflare lists ${ids.length} permission groups named "${BUCKET_ITEM_WRITE_GROUP}" scoped to single buckets ` +
        `(${ids.join(", ")}): refusing to guess which one the writer token should get.`,
    );
  }
  const id = ids[0] as string;
  if (id !== R2_BUCKET_ITEM_WRITE.id) {
    throw new UserError(
      `Cloudflare lists "${BUCKET_ITEM_WRITE_GROUP}" (${R2_BUCKET_SCOPE}) under the id ${id}, not ${R2_BUCKET_ITEM_WRITE.id}, ` +
        "the id the policy pack's r2-token-bucket-item-scoped allows: the deploy would be refused. Check the group in " +
        "Cloudflare's API token permissions list, then update components/r2-permission-groups.ts (both judge by it).",
    );
  }
  return id;
}

/** The key naming one bucket in a token policy's `resources` (`ACCOUNT_JURISDICTION_BUCKET`). */
export function bucketResourceKey(accountId: string, jurisdiction: R2Jurisdiction, bucket: string): string {
  return `${R2_BUCKET_SCOPE}.${accountId}_${jurisdiction}_${bucket}`;
}

/** The writer token's only policy: the bucket-item write group on this one bucket. */
export function writerTokenPolicy(groupId: string, accountId: string, jurisdiction: R2Jurisdiction, bucket: string) {
  return {
    effect: "allow",
    permissionGroups: [{ id: groupId }],
    resources: JSON.stringify({ [bucketResourceKey(accountId, jurisdiction, bucket)]: "*" }),
  };
}

/**
 * R2's S3 secret access key for an API token: the SHA-256 hex digest of the token's value (R2 docs,
 * "Authentication": the raw value gives "access denied").
 */
export function r2SecretAccessKey(tokenValue: string): string {
  if (!tokenValue) {
    // The provider has returned an empty value after refresh in some releases (terraform-provider-cloudflare
    // #5273, #5648); hashing "" would give a well-formed key that never works.
    throw new Error(
      "The Cloudflare provider returned no value for the writer token: replace it with " +
        "`pulumi up --replace <URN of the writer token>` to get a new one.",
    );
  }
  return createHash("sha256").update(tokenValue).digest("hex");
}
