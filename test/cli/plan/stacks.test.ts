import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { planCli } from "../../helpers/plan-cli";
import { ConfigError } from "../../../components/errors";
import { runProgram } from "../../../offline-plan/engine";
import { planStack, PROJECT_ROOT, publicPlan } from "../../../offline-plan/run";
import { committedStacks } from "../../../cli/plan/stacks";
import { MOCK_PLACEHOLDER } from "../../../components/masks";

/** The committed stack files only: a user's own uncommitted copy must not change what the tests check. */
const STACKS = committedStacks(PROJECT_ROOT);

describe("planStack on every committed stack file", () => {
  it("finds the dev stack and the aws example at least", () => {
    expect(STACKS).toContain("aws");
  });

  it.each(STACKS)("plans %s with no mandatory violation and a secret env block", async (stack) => {
    const plan = await planStack(stack);
    expect(plan.violations.filter((violation) => violation.level === "mandatory")).toEqual([]);
    expect(
      plan.resources.filter((resource) => resource.type === `mastodon-media:${plan.provider}:MediaStorage`),
    ).toHaveLength(1);
    expect(plan.outputs.envProduction?.secret).toBe(true);
    const env = String(plan.outputs.envProduction?.value);
    expect(env).toMatch(/^S3_ENABLED=true\n/);
    // The provider's ACL mode: object ACLs on Spaces (its per-bucket key forbids a bucket policy), none elsewhere.
    expect(env).toContain(plan.provider === "digitalocean" ? "\nS3_PERMISSION=public-read\n" : "\nS3_PERMISSION=\n");

    const shown = JSON.stringify(publicPlan(plan, false));
    const secret = /AWS_SECRET_ACCESS_KEY=(.+)/.exec(env)?.[1] as string;
    expect(shown).not.toContain(secret);
    // The only secrets an offline plan has are the mock engine's inventions: shown as such even when asked for.
    const revealed = publicPlan(plan, true);
    expect(JSON.stringify(revealed)).not.toContain(secret);
    expect(String(revealed.outputs.envProduction)).toContain(`\nAWS_SECRET_ACCESS_KEY=${MOCK_PLACEHOLDER}\n`);
  });
});

describe("npm run plan", () => {
  it("writes the JSON plan in the documented shape with secrets masked, and exits 0", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "plan-")), "aws.json");
    const { code, stdout } = await planCli(["--stack", "aws", "--json", file]);
    expect(code).toBe(0);
    expect(stdout).toContain('Offline plan of stack "aws" (provider aws)');
    expect(stdout).toContain("AWS_SECRET_ACCESS_KEY=[secret]");
    const plan = JSON.parse(readFileSync(file, "utf8"));
    expect(Object.keys(plan)).toEqual([
      "stack",
      "provider",
      "resources",
      "outputs",
      "violations",
      "envProductionMasked",
      "mockPlaceholders",
    ]);
    expect(plan).toMatchObject({
      stack: "aws",
      provider: "aws",
      outputs: { envProduction: "[secret]", bucket: "example-social-media" },
    });
    const bucket = plan.resources.find((resource: { type: string }) => resource.type === "aws:s3/bucket:Bucket");
    expect(Object.keys(bucket)).toEqual([
      "type",
      "name",
      "urn",
      "parent",
      "inputs",
      "protect",
      "retainOnDelete",
      "dependsOn",
    ]);
    expect(bucket).toMatchObject({ protect: true, retainOnDelete: true, inputs: { bucket: "example-social-media" } });
    expect(bucket.parent).toBe("urn:pulumi:aws::mastodon-media::mastodon-media:aws:MediaStorage::media");
    // CORS preflights reach S3 only through the managed origin request policy CORS-S3Origin.
    const distribution = plan.resources.find(
      (resource: { type: string }) => resource.type === "aws:cloudfront/distribution:Distribution",
    );
    expect(distribution.inputs.defaultCacheBehavior).toMatchObject({
      allowedMethods: ["GET", "HEAD", "OPTIONS"],
      originRequestPolicyId: "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
    });
  });

  it("exits 2 and names the problem when the stack file does not exist", async () => {
    const { code, stderr } = await planCli(["--stack", "no-such-stack"]);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      "There is no Pulumi.no-such-stack.yaml: create it, or pick one of the committed stacks.",
    );
  });
});

describe("a stack with a bad config", () => {
  it("is rejected with every bad key named, before any resource is registered", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "stack-"));
    writeFileSync(
      path.join(root, "Pulumi.bad.yaml"),
      [
        "config:",
        "  mastodon-media:provider: aws",
        "  mastodon-media:webDomain: social.example.com",
        "  mastodon-media:bucket: Bad_Name",
        "",
      ].join("\n"),
    );
    await expect(planStack("bad", root)).rejects.toThrowError(ConfigError);
    await expect(planStack("bad", root)).rejects.toThrowError(
      /mastodon-media:bucket: .*\n.*mastodon-media:aws: is required/,
    );
    const monitor = pulumi.runtime.getMonitor() as unknown as { resources: Map<string, unknown> };
    expect(monitor.resources.size).toBe(0);
  });

  it("registers nothing even when only a cross-key rule fails", async () => {
    const config = {
      "mastodon-media:provider": "aws",
      "mastodon-media:webDomain": "social.example.com",
      "mastodon-media:bucket": "example-social-media",
      "mastodon-media:aws": JSON.stringify({ region: "eu-central-1" }),
    };
    await expect(runProgram("bad", config, [])).rejects.toThrowError("mastodon-media:mediaDomain: is required for aws");
    const monitor = pulumi.runtime.getMonitor() as unknown as { resources: Map<string, unknown> };
    expect(monitor.resources.size).toBe(0);
  });
});
