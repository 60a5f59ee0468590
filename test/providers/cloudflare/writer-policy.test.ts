import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { UserError } from "../../../components/errors";
import {
  bucketItemWriteGroupId,
  bucketResourceKey,
  r2SecretAccessKey,
  writerTokenPolicy,
  type PermissionGroup,
} from "../../../providers/cloudflare/writer-policy";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const groups: PermissionGroup[] = [
  { id: "bf7481a1826f439697cb59a20b22293e", name: "Workers R2 Storage Write", scopes: ["com.cloudflare.api.account"] },
  {
    id: "6a018a9f2fc74eb6b293b0c548f38b39",
    name: "Workers R2 Storage Bucket Item Read",
    scopes: ["com.cloudflare.edge.r2.bucket"],
  },
  {
    id: "2efd5506f9c8494dacb1fa10a3e7d5b6",
    name: "Workers R2 Storage Bucket Item Write",
    scopes: ["com.cloudflare.edge.r2.bucket"],
  },
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
    const accountWide = {
      id: "0c5d9a2f8e7b4c1d9e6f3a2b1c0d9e8f",
      name: "Workers R2 Storage Bucket Item Write",
      scopes: ["com.cloudflare.api.account"],
    };
    expect(bucketItemWriteGroupId([accountWide, ...groups])).toBe("2efd5506f9c8494dacb1fa10a3e7d5b6");
    expect(bucketItemWriteGroupId([...groups, accountWide])).toBe("2efd5506f9c8494dacb1fa10a3e7d5b6");
  });

  it("refuses to guess between two bucket-scoped groups of that name with different ids", () => {
    const twin = {
      id: "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d",
      name: "Workers R2 Storage Bucket Item Write",
      scopes: ["com.cloudflare.edge.r2.bucket"],
    };
    expect(() => bucketItemWriteGroupId([...groups, twin])).toThrow(
      /lists 2 permission groups named "Workers R2 Storage Bucket Item Write" scoped to single buckets/,
    );
  });

  it("refuses a group of that name that is not scoped to single buckets", () => {
    const widened = groups.map((group) =>
      group.name === "Workers R2 Storage Bucket Item Write"
        ? { ...group, scopes: ["com.cloudflare.api.account"] }
        : group,
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

describe("the R2 permission group, judged the same way by the program and the policy pack", () => {
  it("is picked by name and scope, and only under the id the pack allows", async () => {
    const { R2_BUCKET_ITEM_PERMISSION_GROUPS } = await import("../../../policy/rules/r2-token-bucket-item-scoped");
    expect(R2_BUCKET_ITEM_PERMISSION_GROUPS).toContain(bucketItemWriteGroupId(groups));
    // Cloudflare listing the group under another id: the pack would refuse the token, so the program refuses first.
    const moved = groups.map((group) =>
      group.name.endsWith("Item Write") ? { ...group, id: "9e9e9e9e9e9e4e9e9e9e9e9e9e9e9e9e" } : group,
    );
    expect(() => bucketItemWriteGroupId(moved)).toThrow(UserError);
    expect(() => bucketItemWriteGroupId(moved)).toThrow(
      /under the id 9e9e9e9e9e9e4e9e9e9e9e9e9e9e9e9e, not 2efd5506f9c8494dacb1fa10a3e7d5b6, the id the policy pack's r2-token-bucket-item-scoped allows/,
    );
    expect(R2_BUCKET_ITEM_PERMISSION_GROUPS).not.toContain("9e9e9e9e9e9e4e9e9e9e9e9e9e9e9e9e");
  });
});

describe("previous media hosts and the zone", () => {
  it("names the bases whose host is outside the zone (their redirect never runs)", async () => {
    const { isInZone, previousBasesOutsideZone } = await import("../../../providers/cloudflare/zone-hosts");
    expect(isInZone("files.example.com", "example.com")).toBe(true);
    expect(isInZone("example.com", "example.com")).toBe(true);
    expect(isInZone("badexample.com", "example.com")).toBe(false);
    expect(
      previousBasesOutsideZone(["files.example.com/social", "media.example.net", "old.example.com"], "example.com"),
    ).toEqual(["media.example.net"]);
  });
});

describe("a Cloudflare stack redirecting a previous host of another zone", () => {
  it("warns that the redirect never runs, naming the base and the zone", async () => {
    const pulumi = await import("@pulumi/pulumi");
    const { vi } = await import("vitest");
    const { planConfig } = await import("../../helpers/plan");
    const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    try {
      await planConfig({
        provider: "cloudflare",
        webDomain: "social.example.com",
        mediaDomain: "files.example.com",
        bucket: "example-social-media",
        previousMediaDomains: ["media.example.net", "old.example.com"],
        cloudflare: {
          accountId: ACCOUNT,
          zoneId: "fedcba9876543210fedcba9876543210",
          redirectPreviousMediaDomains: true,
        },
      });
      const messages = warn.mock.calls.map((call) => String(call[0]));
      expect(messages.filter((message) => message.startsWith("previousMediaDomains:"))).toEqual([
        "previousMediaDomains: media.example.net is not in the zone example.com (cloudflare.zoneId), so its redirect never runs: the zone's rules see only its own hosts. Keep that host answering with a redirect of its own (docs/migrating.md).",
      ]);
    } finally {
      warn.mockRestore();
    }
  });
});
