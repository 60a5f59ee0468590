import { describe, expect, it } from "vitest";
import type { Plan, PlannedResource } from "../../components/plan-model";
import { anchoredMediaBases, MEDIA_URL_ANCHOR_MARK, mediaUrlAnchorName } from "../../components/media-urls";
import { planConfig } from "../helpers/plan";

const cloudflare = {
  provider: "cloudflare",
  webDomain: "social.example.com",
  mediaDomain: "files.example.com",
  bucket: "example-social-media",
  environment: "production",
  cloudflare: { accountId: "0123456789abcdef0123456789abcdef", zoneId: "fedcba9876543210fedcba9876543210" },
};

const anchorsOf = (plan: Plan): PlannedResource[] =>
  plan.resources.filter(
    (resource) =>
      resource.type === "command:local:Command" &&
      (resource.inputs.triggers as unknown[] | undefined)?.[0] === MEDIA_URL_ANCHOR_MARK,
  );

/**
 * What Pulumi's engine does with a new program against the state of the old one: a resource of the old program
 * missing from the new one is deleted, and a protected resource cannot be deleted ("unable to delete resource ...
 * as it is currently marked for protection"): `pulumi preview` and `pulumi up` stop there.
 */
const protectedDeletions = (before: Plan, after: Plan): string[] => {
  const kept = new Set(after.resources.map((resource) => resource.urn));
  return before.resources
    .filter((resource) => resource.protect && !kept.has(resource.urn))
    .map((resource) => resource.name);
};

describe("the names of the media URL anchors", () => {
  it("write the base as previousMediaDomains does, and tell every base apart", () => {
    expect(anchoredMediaBases({ mediaDomain: "files.example.com", previousMediaDomains: [] })).toEqual([
      "files.example.com",
    ]);
    expect(
      anchoredMediaBases({
        mediaDomain: "files.example.com",
        keyPrefix: "social",
        previousMediaDomains: ["old.example.com"],
      }),
    ).toEqual(["files.example.com/social", "old.example.com"]);
    // The provider's own host (no mediaDomain) is not anchored: it lasts as long as the (protected) bucket.
    expect(anchoredMediaBases({ keyPrefix: "social", previousMediaDomains: [] })).toEqual([]);
    expect(mediaUrlAnchorName("media", "files.example.com/social")).toMatch(
      /^media-media-url-files-example-com-social-[0-9a-f]{8}$/,
    );
    // The same slug, different bases: different names.
    expect(mediaUrlAnchorName("media", "files.example.com/social")).not.toBe(
      mediaUrlAnchorName("media", "files-example.com/social"),
    );
  });
});

describe("the media URL anchors of a stack", () => {
  it("anchor the current base on a production stack, protected", async () => {
    const anchors = anchorsOf(await planConfig(cloudflare));
    expect(anchors.map((anchor) => [anchor.name, anchor.inputs.triggers, anchor.protect])).toEqual([
      [mediaUrlAnchorName("media", "files.example.com"), [MEDIA_URL_ANCHOR_MARK, "files.example.com"], true],
    ]);
    expect(anchors[0]?.inputs.create).toBeUndefined();
  });

  it("make Pulumi refuse a new media host on a production stack unless previousMediaDomains keeps the old one", async () => {
    const before = await planConfig(cloudflare);
    const moved = await planConfig({ ...cloudflare, mediaDomain: "media.example.com" });
    expect(protectedDeletions(before, moved)).toEqual([mediaUrlAnchorName("media", "files.example.com")]);

    const kept = await planConfig({
      ...cloudflare,
      mediaDomain: "media.example.com",
      previousMediaDomains: ["files.example.com"],
    });
    expect(protectedDeletions(before, kept)).toEqual([]);
    expect(
      anchorsOf(kept)
        .map((anchor) => anchor.name)
        .sort(),
    ).toEqual(
      [mediaUrlAnchorName("media", "files.example.com"), mediaUrlAnchorName("media", "media.example.com")].sort(),
    );
    // Dropping the old base later is refused the same way: its URLs would break then.
    expect(protectedDeletions(kept, moved)).toEqual([mediaUrlAnchorName("media", "files.example.com")]);
  });

  it("treat a new key prefix as a new base", async () => {
    const before = await planConfig(cloudflare);
    const prefixed = await planConfig({ ...cloudflare, keyPrefix: "social" });
    expect(protectedDeletions(before, prefixed)).toEqual([mediaUrlAnchorName("media", "files.example.com")]);
  });

  it("leave a test stack free to change, and to be destroyed", async () => {
    const test = { ...cloudflare, environment: "test" };
    const before = await planConfig(test);
    expect(anchorsOf(before).map((anchor) => anchor.protect)).toEqual([false]);
    expect(protectedDeletions(before, await planConfig({ ...test, mediaDomain: "media.example.com" }))).toEqual([]);
  });

  it("let a stack without a mediaDomain adopt one: the provider's own host keeps answering", async () => {
    const digitalocean = {
      provider: "digitalocean",
      webDomain: "social.example.com",
      bucket: "example-social-media",
      environment: "production",
      digitalocean: { region: "fra1" },
    };
    const before = await planConfig(digitalocean);
    expect(anchorsOf(before)).toEqual([]);
    const adopted = await planConfig({
      ...digitalocean,
      mediaDomain: "files.example.com",
      digitalocean: { region: "fra1", certificate: { type: "lets_encrypt" } },
    });
    expect(protectedDeletions(before, adopted)).toEqual([]);
    expect(anchorsOf(adopted).map((anchor) => [anchor.name, anchor.protect])).toEqual([
      [mediaUrlAnchorName("media", "files.example.com"), true],
    ]);
  });
});
