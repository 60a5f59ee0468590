import { describe, expect, it } from "vitest";
import type { PlannedResource } from "../../components/plan-model";
import { evaluatePlan } from "../../policy/evaluate";
import { aws, cloudflare, writerDocument } from "./fixtures";
import { MEDIA_URL_ANCHOR_MARK } from "../../components/media-urls";

function planned(
  resource: { type: string; props: Record<string, unknown> },
  name: string,
  options: Partial<PlannedResource> = {},
): PlannedResource {
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
/** The anchor of the media URLs every production stack has (components/media-url-anchors.ts). */
const anchor = (protect = true) =>
  planned(
    { type: "command:local:Command", props: { triggers: [MEDIA_URL_ANCHOR_MARK, "files.example.com"] } },
    "media-media-url-files-example-com-1b2c3d4e",
    { protect },
  );
const wideWriter = () => {
  const document = writerDocument();
  (document.Statement[0] as { Action: string[] }).Action.push("s3:*");
  return planned(aws.userPolicy(document), "media-writer-policy");
};

describe("evaluatePlan", () => {
  it("finds nothing in a compliant plan", () => {
    expect(
      evaluatePlan([
        protectedBucket,
        planned(aws.lifecycle(), "media-lifecycle"),
        planned(aws.userPolicy(), "media-writer-policy"),
        anchor(),
      ]),
    ).toEqual([]);
  });

  it("reports a violation with the rule, its level, the resource's URN and the message", () => {
    const writer = wideWriter();
    expect(evaluatePlan([protectedBucket, planned(aws.lifecycle(), "media-lifecycle"), writer, anchor()])).toEqual([
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
    expect(evaluatePlan([testBucket, lifecycle, anchor()], {}).map((violation) => violation.message)).toEqual([
      "The production bucket must be protected (resource option protect: true).",
      "The production bucket must be retained on delete (resource option retainOnDelete: true).",
    ]);
    const notRetained = planned(aws.bucket(), "media-bucket", { protect: true, retainOnDelete: false });
    expect(
      evaluatePlan([notRetained, lifecycle, anchor()], { "mastodon-media:environment": "production" }).map(
        (violation) => violation.message,
      ),
    ).toEqual(["The production bucket must be retained on delete (resource option retainOnDelete: true)."]);
  });

  it("applies enforcement levels from a policy pack config: per policy, then `all`; remediate counts as mandatory", () => {
    const resources = [protectedBucket, wideWriter(), anchor()];
    const levels = (config: Parameters<typeof evaluatePlan>[2]) =>
      evaluatePlan(resources, {}, config).map((violation) => `${violation.policy}:${violation.level}`);
    expect(levels({})).toEqual([
      "writer-policy-least-privilege:mandatory",
      "bucket-aborts-incomplete-multipart-uploads:advisory",
    ]);
    expect(levels({ "writer-policy-least-privilege": "disabled" })).toEqual([
      "bucket-aborts-incomplete-multipart-uploads:advisory",
    ]);
    expect(levels({ all: "advisory" })).toEqual([
      "writer-policy-least-privilege:advisory",
      "bucket-aborts-incomplete-multipart-uploads:advisory",
    ]);
    expect(
      levels({ all: "disabled", "bucket-aborts-incomplete-multipart-uploads": { enforcementLevel: "remediate" } }),
    ).toEqual(["bucket-aborts-incomplete-multipart-uploads:mandatory"]);
  });

  it("passes a policy's own config properties to its rule", () => {
    const token = planned(cloudflare.token(undefined, ["bf7481a1826f439697cb59a20b22293e"]), "media-writer");
    expect(evaluatePlan([token]).map((violation) => violation.policy)).toEqual(["r2-token-bucket-item-scoped"]);
    expect(
      evaluatePlan(
        [token],
        {},
        { "r2-token-bucket-item-scoped": { permissionGroupIds: ["bf7481a1826f439697cb59a20b22293e"] } },
      ),
    ).toEqual([]);
  });

  it("turns a value the plan could not know into an advisory finding, as CrossGuard does in preview", () => {
    const policy = planned(
      { type: "aws:s3/bucketPolicy:BucketPolicy", props: { bucket: "b", policy: "[unknown]" } },
      "media-bucket-policy",
    );
    expect(evaluatePlan([policy])).toEqual([
      {
        policy: "bucket-policy-public-access-read-only",
        level: "advisory",
        resource: policy.urn,
        message:
          "can't run policy bucket-policy-public-access-read-only during preview: string value at .policy can't be known during preview",
      },
      {
        policy: "bucket-policy-public-read-limited-to-public-prefixes",
        level: "advisory",
        resource: policy.urn,
        message:
          "can't run policy bucket-policy-public-read-limited-to-public-prefixes during preview: string value at .policy can't be known during preview",
      },
      {
        policy: "bucket-policy-principals-limited",
        level: "advisory",
        resource: "urn:pulumi:aws::mastodon-media::pulumi:pulumi:Stack::mastodon-media-aws",
        message:
          "can't run policy bucket-policy-principals-limited during preview: string value at .policy can't be known during preview",
      },
    ]);
  });

  it("reports stack rule findings on the resource they name", () => {
    const domain = planned(cloudflare.customDomain(), "media-custom-domain");
    expect(
      evaluatePlan([
        planned(cloudflare.bucket(), "media-bucket", { protect: true, retainOnDelete: true }),
        domain,
        anchor(),
      ]),
    ).toEqual([
      {
        policy: "r2-private-prefixes-blocked",
        level: "mandatory",
        resource: domain.urn,
        message:
          "The R2 custom domain files.example.com must have a WAF rule in its zone blocking /backups/ and /imports/: R2 serves every key on a custom domain.",
      },
      {
        policy: "r2-media-host-https-redirect",
        level: "mandatory",
        resource: domain.urn,
        message:
          "The R2 custom domain files.example.com must redirect plain HTTP to HTTPS (a Single Redirect in its zone): R2 serves media over plain HTTP otherwise.",
      },
      {
        policy: "r2-media-host-cors-after-cache",
        level: "mandatory",
        resource: domain.urn,
        message:
          "The R2 custom domain files.example.com must set Access-Control-Allow-Origin after the cache (a response header transform rule in its zone) for https://third-party-client.example: R2's own CORS headers are lost on cached copies.",
      },
      {
        policy: "cdn-busts-deleted-media",
        level: "advisory",
        resource: domain.urn,
        message: expect.stringContaining("The media host files.example.com must act on Mastodon's cache buster"),
      },
    ]);
  });

  it("refuses a production stack whose media URL anchors are not protected; a test stack's must not be", () => {
    const lifecycle = planned(aws.lifecycle(), "media-lifecycle");
    const messages = (resources: PlannedResource[], environment?: string) =>
      evaluatePlan(resources, environment ? { "mastodon-media:environment": environment } : {})
        .filter((violation) => violation.policy === "media-urls-anchored")
        .map((violation) => `${violation.level} ${violation.resource.split("::").pop()}: ${violation.message}`);
    // No mediaDomain: the provider's own host, no anchor to check.
    expect(messages([protectedBucket, lifecycle])).toEqual([]);
    expect(messages([protectedBucket, lifecycle, anchor(false)])).toEqual([
      "mandatory media-media-url-files-example-com-1b2c3d4e: The media URL anchor must be protected on a production stack: it is what makes Pulumi refuse a change that drops a media base.",
    ]);
    expect(messages([protectedBucket, lifecycle, anchor()])).toEqual([]);
    const testBucket = planned(aws.bucket(), "media-bucket");
    expect(messages([testBucket, lifecycle, anchor(false)], "test")).toEqual([]);
    expect(messages([testBucket, lifecycle], "test")).toEqual([]);
    expect(messages([testBucket, lifecycle, anchor()], "test")).toEqual([
      "mandatory media-media-url-files-example-com-1b2c3d4e: The media URL anchor must not be protected on a test stack: `pulumi destroy` of a test stack must remove it.",
    ]);
    // Another command is not an anchor.
    const other = planned({ type: "command:local:Command", props: { triggers: ["something"] } }, "media-self-check", {
      protect: true,
    });
    expect(messages([protectedBucket, lifecycle, { ...other, protect: false }])).toEqual([]);
  });
});
