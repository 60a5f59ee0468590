import { describe, expect, it } from "vitest";
import type { RuleResource } from "../../../policy/rule";
import { bucketProtectionMatchesEnvironment } from "../../../policy/rules/bucket-protection-matches-environment";
import { aws, cloudflare, digitalocean, minio } from "../fixtures";
import { validateResource } from "../helpers";

const rule = bucketProtectionMatchesEnvironment;

describe("bucket-protection-matches-environment", () => {
  it("passes protected production buckets of every provider (production being the default)", async () => {
    for (const bucket of [aws.bucket(), cloudflare.bucket(), digitalocean.bucket()]) {
      expect(await validateResource(rule, { ...bucket, protect: true })).toEqual([]);
    }
  });

  it("passes an unprotected, force-destroyed test bucket", async () => {
    expect(await validateResource(rule, { ...minio.bucket(), protect: false }, { environment: "test" })).toEqual([]);
  });

  it("fails an unprotected production bucket", async () => {
    expect(await validateResource(rule, { ...cloudflare.bucket(), protect: false })).toEqual([
      "The production bucket must be protected (resource option protect: true).",
    ]);
  });

  it("fails a production bucket that would be destroyed with its objects", async () => {
    expect(await validateResource(rule, { ...minio.bucket(), protect: true }, { environment: "production" })).toEqual([
      "The production bucket must not set forceDestroy: it deletes every object with the bucket.",
    ]);
  });

  it("fails a protected test bucket", async () => {
    expect(await validateResource(rule, { ...aws.bucket(), protect: true }, { environment: "test" })).toEqual([
      "The test bucket must not be protected: `pulumi destroy` of a test stack must remove it.",
    ]);
  });

  it("checks retainOnDelete only where the runner can see it (the offline plan, not CrossGuard)", () => {
    const bucket = (retainOnDelete: boolean | undefined): RuleResource => ({
      type: "aws:s3/bucket:Bucket",
      urn: "urn:pulumi:aws::mastodon-media::aws:s3/bucket:Bucket::media-bucket",
      name: "media-bucket",
      props: aws.bucket().props,
      protect: true,
      ...(retainOnDelete === undefined ? {} : { retainOnDelete }),
    });
    const production = { environment: "production" as const, config: {} };
    expect(rule.validate(bucket(undefined), production)).toEqual([]);
    expect(rule.validate(bucket(true), production)).toEqual([]);
    expect(rule.validate(bucket(false), production)).toEqual([
      "The production bucket must be retained on delete (resource option retainOnDelete: true).",
    ]);
    expect(rule.validate({ ...bucket(true), protect: false }, { environment: "test", config: {} })).toEqual([
      "The test bucket must not be retained on delete: it would outlive its stack.",
    ]);
  });
});
