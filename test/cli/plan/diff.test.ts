import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { planCli } from "../../helpers/plan-cli";
import { UserError } from "../../../components/errors";
import {
  BUCKET_FACTS,
  diffPlans,
  parsePlanJson,
  renderDiff,
  type DiffablePlan,
  type DiffableResource,
} from "../../../cli/plan/diff";
import { renderPlanErrorMarkdown, renderPlanMarkdown } from "../../../cli/plan/markdown";
import type { PublicPlan } from "../../../offline-plan/run";

const COMPONENT = "mastodon-media:aws:MediaStorage";

function resource(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  options: Partial<DiffableResource> = {},
): DiffableResource {
  return {
    type,
    name,
    urn: `urn:pulumi:aws::mastodon-media::${COMPONENT}$${type}::${name}`,
    inputs,
    protect: false,
    retainOnDelete: false,
    ...options,
  };
}

const plan = (...resources: DiffableResource[]): DiffablePlan => ({ stack: "aws", resources });

const BUCKET = "aws:s3/bucket:Bucket";
const productionBucket = resource(
  BUCKET,
  "media-bucket",
  { bucket: "example-social-media", region: "eu-central-1", forceDestroy: false },
  { protect: true, retainOnDelete: true },
);
const writerPolicy = (action: string) =>
  resource("aws:iam/userPolicy:UserPolicy", "media-writer-policy", {
    user: "media-writer",
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: [action], Resource: "arn:aws:s3:::example-social-media/*" }],
    }),
  });

describe("diffPlans", () => {
  it("reports nothing when both plans register the same resources with the same inputs", () => {
    const diff = diffPlans(
      plan(productionBucket, writerPolicy("s3:GetObject")),
      plan(productionBucket, writerPolicy("s3:GetObject")),
    );
    expect(diff).toEqual({ added: [], removed: [], changed: [], bucketAlerts: [] });
  });

  it("reports a resource only in the new plan as added and one only in the old plan as removed", () => {
    const cors = resource("aws:s3/bucketCorsConfiguration:BucketCorsConfiguration", "media-cors", {
      bucket: "example-social-media",
    });
    const diff = diffPlans(plan(productionBucket, cors), plan(productionBucket, writerPolicy("s3:GetObject")));
    expect(diff.added).toEqual([
      { urn: writerPolicy("s3:GetObject").urn, type: "aws:iam/userPolicy:UserPolicy", name: "media-writer-policy" },
    ]);
    expect(diff.removed).toEqual([
      { urn: cors.urn, type: "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration", name: "media-cors" },
    ]);
    expect(diff.changed).toEqual([]);
    expect(diff.bucketAlerts).toEqual([]);
  });

  it("names each changed input by its path, decoding JSON documents down to the changed leaf", () => {
    const diff = diffPlans(plan(writerPolicy("s3:GetObject")), plan(writerPolicy("s3:PutObject")));
    expect(diff.changed).toEqual([
      {
        urn: writerPolicy("s3:GetObject").urn,
        type: "aws:iam/userPolicy:UserPolicy",
        name: "media-writer-policy",
        inputs: [{ path: "policy(json).Statement[0].Action[0]", before: "s3:GetObject", after: "s3:PutObject" }],
        options: [],
      },
    ]);
  });

  it("reports a list whose length changed as a whole, and a key that appeared as a change from undefined", () => {
    const before = resource("aws:cloudfront/distribution:Distribution", "media-cdn", {
      aliases: ["files.example.com"],
    });
    const after = resource("aws:cloudfront/distribution:Distribution", "media-cdn", {
      aliases: ["files.example.com", "media.example.com"],
      comment: "x",
    });
    expect(diffPlans(plan(before), plan(after)).changed[0]?.inputs).toEqual([
      { path: "aliases", before: ["files.example.com"], after: ["files.example.com", "media.example.com"] },
      { path: "comment", before: undefined, after: "x" },
    ]);
  });

  it("matches resources across stacks by their URN without the stack name", () => {
    const review = { ...productionBucket, urn: productionBucket.urn.replace("urn:pulumi:aws::", "urn:pulumi:pr-12::") };
    const diff = diffPlans(plan(productionBucket), { stack: "pr-12", resources: [review] });
    expect(diff).toEqual({ added: [], removed: [], changed: [], bucketAlerts: [] });
  });

  const identityCases = Object.entries(BUCKET_FACTS).flatMap(([type, { identity }]) =>
    identity.map((key) => [type, key] as const),
  );
  it.each(identityCases)("raises a replacement alert when a %s changes its %s", (type, key) => {
    const before = resource(type, "media-bucket", { [key]: "before-value" });
    const after = resource(type, "media-bucket", { [key]: "after-value" });
    const diff = diffPlans(plan(before), plan(after));
    expect(diff.bucketAlerts).toEqual([
      {
        urn: before.urn,
        type,
        name: "media-bucket",
        kind: "replaced",
        message: `${key} "before-value" -> "after-value": forces a new, empty bucket; the old one and its media are deleted unless protected or retained`,
      },
    ]);
  });

  it("raises no alert when only inputs the provider updates in place change on a bucket", () => {
    const after = {
      ...productionBucket,
      inputs: { ...productionBucket.inputs, forceDestroy: true, tags: { team: "media" } },
    };
    const diff = diffPlans(plan(productionBucket), plan(after));
    expect(diff.changed[0]?.inputs.map((change) => change.path)).toEqual(["forceDestroy", "tags"]);
    expect(diff.bucketAlerts).toEqual([]);
  });

  it("raises a deletion alert when the bucket leaves the program, saying that a retained bucket is only forgotten", () => {
    const diff = diffPlans(plan(productionBucket), plan());
    expect(diff.bucketAlerts).toEqual([
      {
        urn: productionBucket.urn,
        type: BUCKET,
        name: "media-bucket",
        kind: "deleted",
        message: "it leaves the program: Pulumi forgets the bucket (retainOnDelete keeps it and its media)",
      },
    ]);
  });

  it("raises a deletion alert naming the new URN when the same bucket moves to another resource name", () => {
    const renamed = {
      ...productionBucket,
      name: "media-store",
      urn: productionBucket.urn.replace("::media-bucket", "::media-store"),
    };
    const diff = diffPlans(plan(productionBucket), plan(renamed));
    expect(diff.bucketAlerts.map((alert) => [alert.kind, alert.message])).toEqual([
      [
        "deleted",
        `its resource moves to ${renamed.urn}: without an alias to the old URN, Pulumi deletes the bucket and creates it again`,
      ],
    ]);
  });

  it("raises an unprotected alert when a bucket loses protect or retainOnDelete", () => {
    const after = { ...productionBucket, protect: false };
    const diff = diffPlans(plan(productionBucket), plan(after));
    expect(diff.changed[0]?.options).toEqual([{ path: "protect", before: true, after: false }]);
    expect(diff.bucketAlerts.map((alert) => [alert.kind, alert.message])).toEqual([
      ["unprotected", "loses protect: a later `pulumi destroy` would delete the bucket"],
    ]);
  });

  it("raises no bucket alert for resources that are not buckets, whatever changes", () => {
    const before = resource(
      "aws:s3/bucketPolicy:BucketPolicy",
      "media-bucket-policy",
      { bucket: "a" },
      { protect: true },
    );
    const diff = diffPlans(plan(before), plan());
    expect(diff.removed).toHaveLength(1);
    expect(diff.bucketAlerts).toEqual([]);
  });
});

describe("renderDiff", () => {
  it("prints a line starting with !!! for every bucket alert, before the resource lines", () => {
    const after = { ...productionBucket, inputs: { ...productionBucket.inputs, bucket: "other-bucket" } };
    const text = renderDiff(diffPlans(plan(productionBucket), plan(after)), "old.json");
    expect(text.split("\n")).toEqual([
      "Changes against old.json:",
      '!!! BUCKET REPLACED: media-bucket (aws:s3/bucket:Bucket): bucket "example-social-media" -> "other-bucket": forces a new, empty bucket; the old one and its media are deleted unless protected or retained',
      "  ~ media-bucket  aws:s3/bucket:Bucket",
      '      bucket: "example-social-media" -> "other-bucket"',
      "",
    ]);
  });

  it("says so when nothing changed", () => {
    expect(renderDiff(diffPlans(plan(productionBucket), plan(productionBucket)), "old.json")).toBe(
      "Changes against old.json:\n  no changes\n",
    );
  });
});

describe("parsePlanJson", () => {
  it("rejects a file that is not JSON with a UserError naming the file", () => {
    expect(() => parsePlanJson("not json", "old.json")).toThrowError(
      new UserError("--against old.json is not JSON: pass a plan written by `npm run plan -- --json FILE`"),
    );
  });

  it("rejects JSON that is not a plan", () => {
    expect(() => parsePlanJson(JSON.stringify({ stack: "aws", resources: [{ name: "x" }] }), "old.json")).toThrowError(
      "--against old.json is not a plan written by `npm run plan -- --json FILE`",
    );
  });
});

const publicPlanOf = (overrides: Partial<PublicPlan>): PublicPlan => ({
  stack: "aws",
  provider: "aws",
  resources: [],
  outputs: {},
  violations: [],
  envProductionMasked: null,
  mockPlaceholders: { marker: "(known after deploy)", at: [] },
  ...overrides,
});

describe("renderPlanMarkdown", () => {
  it("puts the bucket alerts in a caution block above the resource table", () => {
    const after = { ...productionBucket, inputs: { ...productionBucket.inputs, region: "us-east-1" } };
    const markdown = renderPlanMarkdown(publicPlanOf({}), {
      diff: diffPlans(plan(productionBucket), plan(after)),
      against: "the base branch",
    });
    const lines = markdown.split("\n");
    expect(lines.slice(0, 5)).toEqual([
      "### Offline plan of `aws` (aws)",
      "",
      "> [!CAUTION]",
      '> **BUCKET REPLACED: media-bucket (aws:s3/bucket:Bucket)**: region "eu-central-1" -> "us-east-1": forces a new, empty bucket; the old one and its media are deleted unless protected or retained<br>',
      "",
    ]);
    expect(lines).toContain("#### Changes against the base branch");
    expect(lines).toContain(
      '| changed | `media-bucket` | `aws:s3/bucket:Bucket` | `region`: `"eu-central-1"` → `"us-east-1"` |',
    );
  });

  it("escapes pipes and HTML so that a config value cannot break the table or inject markup", () => {
    const markdown = renderPlanMarkdown(
      publicPlanOf({
        violations: [
          {
            policy: "bucket-name",
            level: "advisory",
            resource: "urn:pulumi:aws::p::t::a|b",
            message: "got <img src=x> | and more",
          },
        ],
      }),
    );
    expect(markdown).toContain("| advisory | `bucket-name` | `a\\|b` | got &lt;img src=x> \\| and more |");
  });

  it("fences the env block with more backticks than the block holds", () => {
    const markdown = renderPlanMarkdown(publicPlanOf({ envProductionMasked: "S3_ENABLED=true\nX=```\n" }));
    expect(markdown).toContain("#### `.env.production` (secrets masked)\n\n````sh\nS3_ENABLED=true\nX=```\n````\n");
  });

  it("renders a config error as a warning with the message in a block", () => {
    expect(renderPlanErrorMarkdown("aws", "The stack config has 1 problem")).toBe(
      "### Offline plan of `aws`\n\n> [!WARNING]\n> The config could not be planned:\n\n```text\nThe stack config has 1 problem\n```\n",
    );
  });
});

describe("npm run plan --against", () => {
  it("compares with an older JSON plan, prints the loud line and writes a masked Markdown summary", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "plan-diff-"));
    const old = path.join(dir, "old.json");
    expect((await planCli(["--stack", "aws", "--json", old])).code).toBe(0);
    const written = JSON.parse(readFileSync(old, "utf8")) as PublicPlan;
    const bucket = written.resources.find((candidate) => candidate.type === BUCKET);
    if (!bucket) throw new Error("the aws plan has no bucket");
    bucket.inputs.bucket = "old-social-media";
    writeFileSync(old, JSON.stringify(written));

    const summary = path.join(dir, "summary.md");
    const shown = path.join(dir, "shown.json");
    const { code, stdout } = await planCli([
      "--stack",
      "aws",
      "--against",
      old,
      "--markdown",
      summary,
      "--json",
      shown,
      "--show-secrets",
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      `\nChanges against ${old}:\n!!! BUCKET REPLACED: media-bucket (aws:s3/bucket:Bucket): bucket "old-social-media" -> "example-social-media": `,
    );
    const markdown = readFileSync(summary, "utf8");
    expect(markdown).toContain("> [!CAUTION]");
    expect(markdown).toContain("AWS_SECRET_ACCESS_KEY=[secret]");
    // --show-secrets unmasks the JSON plan, never the summary; the offline secret itself is the mock engine's
    // invention, so it shows as a placeholder there.
    const env = String((JSON.parse(readFileSync(shown, "utf8")) as PublicPlan).outputs.envProduction);
    expect(env).toContain("\nAWS_SECRET_ACCESS_KEY=(known after deploy)\n");
    expect(markdown).not.toContain("AWS_SECRET_ACCESS_KEY=(known after deploy)");
  });

  it("exits 2 and names the file when the older plan does not exist", async () => {
    const { code, stderr } = await planCli(["--stack", "aws", "--against", "/nonexistent/old.json"]);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe("--against /nonexistent/old.json: no such file (write one with --json)");
  });
});
