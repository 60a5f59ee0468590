/**
 * The R2 permission groups a writer token may hold, by name, resource scope AND id: the program picks the group
 * from the account's listing by name and scope and then requires this id (providers/cloudflare/writer-policy.ts);
 * the policy pack, which sees only the id in the token's policy, allows these ids
 * (policy/rules/r2-token-bucket-item-scoped.ts). One table, so that both judge a token the same way: a group the
 * program would pick is one the pack accepts, and the reverse.
 *
 * Ids as Cloudflare lists them (Cloudflare docs, "API token permissions", the permission-group table, and
 * `GET /accounts/{id}/tokens/permission_groups`); the scope is the resource the group applies to
 * (`com.cloudflare.edge.r2.bucket`: one bucket, `ACCOUNT_JURISDICTION_BUCKET`).
 */
export interface R2PermissionGroup {
  id: string;
  name: string;
  scope: string;
}

/** The resource scope of a single R2 bucket in token policies. */
export const R2_BUCKET_SCOPE = "com.cloudflare.edge.r2.bucket";

export const R2_BUCKET_ITEM_WRITE: R2PermissionGroup = {
  id: "2efd5506f9c8494dacb1fa10a3e7d5b6",
  name: "Workers R2 Storage Bucket Item Write",
  scope: R2_BUCKET_SCOPE,
};

export const R2_BUCKET_ITEM_READ: R2PermissionGroup = {
  id: "6a018a9f2fc74eb6b293b0c548f38b39",
  name: "Workers R2 Storage Bucket Item Read",
  scope: R2_BUCKET_SCOPE,
};

/** Every group a writer token may hold: read, write, list and delete objects of the buckets it names, nothing else. */
export const R2_BUCKET_ITEM_GROUPS: readonly R2PermissionGroup[] = [R2_BUCKET_ITEM_WRITE, R2_BUCKET_ITEM_READ];
