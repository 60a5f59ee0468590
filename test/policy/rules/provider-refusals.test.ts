import { describe, expect, it } from "vitest";
import { rules } from "../../../policy/registry";
import { spacesScopedKeyWithoutBucketPolicy } from "../../../policy/rules/spaces-scoped-key-without-bucket-policy";
import { BUCKET, digitalocean } from "../fixtures";
import { validateStack } from "../helpers";

const refusal = (keys: string) =>
  `The Spaces bucket ${BUCKET} must not have a bucket policy while a limited-access key (${keys}) is scoped to it: ` +
  `DigitalOcean refuses the policy beside such a key and the key beside such a policy ("How to Configure Bucket Policies"). ` +
  `Serve public media through object ACLs (S3_PERMISSION=public-read, a private bucket ACL) instead.`;

describe("spaces-scoped-key-without-bucket-policy", () => {
  const rule = spacesScopedKeyWithoutBucketPolicy;

  it("is a mandatory rule of the pack", () => {
    expect(rules).toContain(rule);
    expect(rule.enforcementLevel).toBe("mandatory");
  });

  it("passes the object-ACL Spaces stack: a private bucket and a readwrite key, no bucket policy", async () => {
    expect(await validateStack(rule, [digitalocean.bucket(), digitalocean.key(), digitalocean.cdn()])).toEqual([]);
  });

  it("passes a bucket policy when no limited-access key is scoped to its bucket (a full-access key, or a key on another bucket)", async () => {
    expect(
      await validateStack(rule, [
        digitalocean.bucket(),
        digitalocean.bucketPolicy(),
        digitalocean.key([{ bucket: "", permission: "fullaccess" }]),
      ]),
    ).toEqual([]);
    expect(
      await validateStack(rule, [
        digitalocean.bucketPolicy(),
        digitalocean.key([{ bucket: "other-bucket", permission: "readwrite" }]),
      ]),
    ).toEqual([]);
    // The API prioritises fullaccess over scoped grants in one key ("Create a New Spaces Access Key").
    expect(
      await validateStack(rule, [
        digitalocean.bucketPolicy(),
        digitalocean.key([
          { bucket: BUCKET, permission: "read" },
          { bucket: "", permission: "fullaccess" },
        ]),
      ]),
    ).toEqual([]);
  });

  it("fails a bucket policy beside a readwrite key on the same bucket, on the policy, naming the key", async () => {
    const findings = await validateStack(rule, [
      digitalocean.bucket(),
      { ...digitalocean.bucketPolicy(), name: "media-bucket-policy" },
      { ...digitalocean.key(), name: "media-writer" },
    ]);
    expect(findings).toEqual([{ name: "media-bucket-policy", message: refusal("media-writer") }]);
  });

  it("fails a bucket policy beside a read-only key too, and names every such key", async () => {
    const findings = await validateStack(rule, [
      { ...digitalocean.bucketPolicy(), name: "media-bucket-policy" },
      { ...digitalocean.key([{ bucket: BUCKET, permission: "read" }]), name: "media-reader" },
      { ...digitalocean.key(), name: "media-writer" },
    ]);
    expect(findings.map((finding) => finding.message)).toEqual([refusal("media-reader, media-writer")]);
  });
});
