import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { UserError } from "../../components/errors";
import {
  bucketItemWriteGroupId,
  bucketResourceKey,
  r2SecretAccessKey,
  writerTokenPolicy,
  type PermissionGroup,
} from "../../providers/cloudflare/writer-policy";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const groups: PermissionGroup[] = [
  { id: "bf7481a1826f439697cb59a20b22293e", name: "Workers R2 Storage Write", scopes: ["com.cloudflare.api.account"] },
  { id: "6a018a9f2fc74eb6b293b0c548f38b39", name: "Workers R2 Storage Bucket Item Read", scopes: ["com.cloudflare.edge.r2.bucket"] },
  { id: "2efd5506f9c8494dacb1fa10a3e7d5b6", name: "Workers R2 Storage Bucket Item Write", scopes: ["com.cloudflare.edge.r2.bucket"] },
];

describe("bucketItemWriteGroupId", () => {
  it("picks the bucket-scoped item write group by its exact name", () => {
    expect(bucketItemWriteGroupId(groups)).toBe("2efd5506f9c8494dacb1fa10a3e7d5b6");
  });

  it("fails when the account lists no such group instead of picking another one", () => {
    expect(() => bucketItemWriteGroupId(groups.filter((group) => !group.name.endsWith("Item Write")))).toThrow(
      new UserError(
        'Cloudflare lists no API token permission group named "Workers R2 Storage Bucket Item Write" for this account: ' +
          "check that R2 is enabled on the account and that the deploying token may read account API tokens.",
      ),
    );
  });

  it("matches the name AND the bucket scope: a same-named group under another scope listed first is passed over", () => {
    const accountWide = { id: "0c5d9a2f8e7b4c1d9e6f3a2b1c0d9e8f", name: "Workers R2 Storage Bucket Item Write", scopes: ["com.cloudflare.api.account"] };
    expect(bucketItemWriteGroupId([accountWide, ...groups])).toBe("2efd5506f9c8494dacb1fa10a3e7d5b6");
    expect(bucketItemWriteGroupId([...groups, accountWide])).toBe("2efd5506f9c8494dacb1fa10a3e7d5b6");
  });

  it("refuses to guess between two bucket-scoped groups of that name with different ids", () => {
    const twin = { id: "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d", name: "Workers R2 Storage Bucket Item Write", scopes: ["com.cloudflare.edge.r2.bucket"] };
    expect(() => bucketItemWriteGroupId([...groups, twin])).toThrow(/lists 2 permission groups named "Workers R2 Storage Bucket Item Write" scoped to single buckets/);
  });

  it("refuses a group of that name that is not scoped to single buckets", () => {
    const widened = groups.map((group) =>
      group.name === "Workers R2 Storage Bucket Item Write" ? { ...group, scopes: ["com.cloudflare.api.account"] } : group,
    );
    expect(() => bucketItemWriteGroupId(widened)).toThrow(
      'The permission group "Workers R2 Storage Bucket Item Write" is not scoped to single buckets (com.cloudflare.edge.r2.bucket) ' +
        "but to com.cloudflare.api.account: refusing to create a writer token wider than one bucket.",
    );
  });
});

describe("bucketResourceKey", () => {
  it("names the account, the jurisdiction and the bucket", () => {
    expect(bucketResourceKey(ACCOUNT, "default", "example-social-media")).toBe(
      "com.cloudflare.edge.r2.bucket.0123456789abcdef0123456789abcdef_default_example-social-media",
    );
    expect(bucketResourceKey(ACCOUNT, "eu", "example-social-media")).toBe(
      "com.cloudflare.edge.r2.bucket.0123456789abcdef0123456789abcdef_eu_example-social-media",
    );
  });
});

describe("writerTokenPolicy", () => {
  it("allows the one group on the one bucket, as the JSON string the API expects", () => {
    const policy = writerTokenPolicy("2efd5506f9c8494dacb1fa10a3e7d5b6", ACCOUNT, "fedramp", "example-social-media");
    expect(policy).toEqual({
      effect: "allow",
      permissionGroups: [{ id: "2efd5506f9c8494dacb1fa10a3e7d5b6" }],
      resources: '{"com.cloudflare.edge.r2.bucket.0123456789abcdef0123456789abcdef_fedramp_example-social-media":"*"}',
    });
  });
});

describe("r2SecretAccessKey", () => {
  it("is the lowercase SHA-256 hex digest of the token value", () => {
    // Known vector: SHA-256("abc").
    expect(r2SecretAccessKey("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const value = "mock-r2-token-value-EXAMPLE";
    expect(r2SecretAccessKey(value)).toBe(createHash("sha256").update(value).digest("hex"));
    expect(r2SecretAccessKey(value)).not.toContain(value);
  });

  it("refuses an empty token value rather than hashing it into a key that never works", () => {
    expect(() => r2SecretAccessKey("")).toThrow(/returned no value for the writer token/);
  });
});
