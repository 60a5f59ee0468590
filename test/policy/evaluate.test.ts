import { describe, expect, it } from "vitest";
import type { PlannedResource } from "../../cli/plan/types";
import { evaluatePlan } from "../../policy/evaluate";
import { aws, cloudflare, writerDocument } from "./fixtures";

function planned(resource: { type: string; props: Record<string, unknown> }, name: string, options: Partial<PlannedResource> = {}): PlannedResource {
  return {
    type: resource.type,
    name,
    urn: `urn:pulumi:aws::mastodon-media::mastodon-media:aws:MediaStorage$${resource.type}::${name}`,
    parent: "urn:pulumi:aws::mastodon-media::mastodon-media:aws:MediaStorage::media",
    custom: true,
    inputs: resource.props,
    secretInputs: [],
    protect: false,
    retainOnDelete: false,
    dependsOn: [],
    additionalSecretOutputs: [],
    ...options,
  };
}

const protectedBucket = planned(aws.bucket(), "media-bucket", { protect: true, retainOnDelete: true });
const wideWriter = () => {
  const document = writerDocument();
  (document.Statement[0] as { Action: string[] }).Action.push("s3:*");
  return planned(aws.userPolicy(document), "media-writer-policy");
};

describe("evaluatePlan", () => {
  it("finds nothing in a compliant plan", () => {
    expect(evaluatePlan([protectedBucket, planned(aws.lifecycle(), "media-lifecycle"), planned(aws.userPolicy(), "media-writer-policy")])).toEqual([]);
  });

  it("reports a violation with the rule, its level, the resource's URN and the message", () => {
    const writer = wideWriter();
    expect(evaluatePlan([protectedBucket, planned(aws.lifecycle(), "media-lifecycle"), writer])).toEqual([
      {
        policy: "writer-policy-least-privilege",
        level: "mandatory",
        resource: writer.urn,
        message:
          "The writer policy statement ReadWriteMediaObjects must grant only s3:PutObject, s3:GetObject, s3:DeleteObject, s3:AbortMultipartUpload, s3:ListBucket: found s3:*.",
      },
    ]);
  });

  it("takes the environment from the stack config, production when unset, and sees retainOnDelete", () => {
    const testBucket = planned(aws.bucket(), "media-bucket", { protect: false, retainOnDelete: false });
    const lifecycle = planned(aws.lifecycle(), "media-lifecycle");
    expect(evaluatePlan([testBucket, lifecycle], { "mastodon-media:environment": "test" })).toEqual([]);
    expect(evaluatePlan([testBucket, lifecycle], {}).map((violation) => violation.message)).toEqual([
      "The production bucket must be protected (resource option protect: true).",
      "The production bucket must be retained on delete (resource option retainOnDelete: true).",
    ]);
    const notRetained = planned(aws.bucket(), "media-bucket", { protect: true, retainOnDelete: false });
    expect(evaluatePlan([notRetained, lifecycle], { "mastodon-media:environment": "production" }).map((violation) => violation.message)).toEqual([
      "The production bucket must be retained on delete (resource option retainOnDelete: true).",
    ]);
  });

  it("applies enforcement levels from a policy pack config: per policy, then `all`; remediate counts as mandatory", () => {
    const resources = [protectedBucket, wideWriter()];
    const levels = (config: Parameters<typeof evaluatePlan>[2]) => evaluatePlan(resources, {}, config).map((violation) => `${violation.policy}:${violation.level}`);
    expect(levels({})).toEqual(["writer-policy-least-privilege:mandatory", "bucket-aborts-incomplete-multipart-uploads:advisory"]);
    expect(levels({ "writer-policy-least-privilege": "disabled" })).toEqual(["bucket-aborts-incomplete-multipart-uploads:advisory"]);
    expect(levels({ all: "advisory" })).toEqual(["writer-policy-least-privilege:advisory", "bucket-aborts-incomplete-multipart-uploads:advisory"]);
    expect(levels({ all: "disabled", "bucket-aborts-incomplete-multipart-uploads": { enforcementLevel: "remediate" } })).toEqual([
      "bucket-aborts-incomplete-multipart-uploads:mandatory",
    ]);
  });

  it("passes a policy's own config properties to its rule", () => {
    const token = planned(cloudflare.token(undefined, ["bf7481a1826f439697cb59a20b22293e"]), "media-writer");
    expect(evaluatePlan([token]).map((violation) => violation.policy)).toEqual(["r2-token-bucket-item-scoped"]);
    expect(evaluatePlan([token], {}, { "r2-token-bucket-item-scoped": { permissionGroupIds: ["bf7481a1826f439697cb59a20b22293e"] } })).toEqual([]);
  });

  it("turns a value the plan could not know into an advisory finding, as CrossGuard does in preview", () => {
    const policy = planned({ type: "aws:s3/bucketPolicy:BucketPolicy", props: { bucket: "b", policy: "[unknown]" } }, "media-bucket-policy");
    expect(evaluatePlan([policy])).toEqual([
      {
        policy: "bucket-policy-public-access-read-only",
        level: "advisory",
        resource: policy.urn,
        message: "can't run policy bucket-policy-public-access-read-only during preview: string value at .policy can't be known during preview",
      },
      {
        policy: "bucket-policy-public-read-limited-to-public-prefixes",
        level: "advisory",
        resource: policy.urn,
        message: "can't run policy bucket-policy-public-read-limited-to-public-prefixes during preview: string value at .policy can't be known during preview",
      },
      {
        policy: "bucket-policy-principals-limited",
        level: "advisory",
        resource: "urn:pulumi:aws::mastodon-media::pulumi:pulumi:Stack::mastodon-media-aws",
        message: "can't run policy bucket-policy-principals-limited during preview: string value at .policy can't be known during preview",
      },
    ]);
  });

  it("reports stack rule findings on the resource they name", () => {
    const domain = planned(cloudflare.customDomain(), "media-custom-domain");
    expect(evaluatePlan([planned(cloudflare.bucket(), "media-bucket", { protect: true, retainOnDelete: true }), domain])).toEqual([
      {
        policy: "r2-private-prefixes-blocked",
        level: "mandatory",
        resource: domain.urn,
        message: "The R2 custom domain files.example.com must have a WAF rule in its zone blocking /backups/ and /imports/: R2 serves every key on a custom domain.",
      },
    ]);
  });
});
