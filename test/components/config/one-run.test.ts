import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { safeParseStackConfig } from "../../../components/config";
import { readProjectConfig } from "../../../components/config/namespaces";
import { runProgram } from "../../../offline-plan/engine";

const PROJECT = "mastodon-media";

function issuesOf(all: Record<string, string>, secret: string[] = []) {
  const placed = readProjectConfig({ all, isSecret: (key) => secret.includes(key) }, PROJECT);
  const result = safeParseStackConfig(placed.raw, placed);
  if (result.success) throw new Error("expected the config to be rejected");
  return result.issues.map((issue) => [issue.key ?? `${PROJECT}:${issue.path}`, issue.message, issue.value]);
}

const aws = {
  "mastodon-media:provider": "aws",
  "mastodon-media:webDomain": "social.example.com",
  "mastodon-media:mediaDomain": "files.example.com",
  "mastodon-media:bucket": "example-social-media",
  "mastodon-media:aws": JSON.stringify({ region: "eu-central-1" }),
};

describe("every bad key in one run", () => {
  it("reports a rule between two keys together with a single key's problem", () => {
    const { "mastodon-media:mediaDomain": _dropped, ...withoutMediaDomain } = aws;
    const issues = issuesOf({ ...withoutMediaDomain, "mastodon-media:bucket": "Bad_Bucket" });
    expect(issues.map(([key]) => key)).toEqual(["mastodon-media:bucket", "mastodon-media:mediaDomain"]);
    expect(issues[1]?.[1]).toBe("is required for aws: media URLs must live on a host you own, chosen once");
  });

  it("reports a rule between keys inside a block that has another bad key", () => {
    const issues = issuesOf({
      ...aws,
      "mastodon-media:provider": "cloudflare",
      "mastodon-media:environment": "production",
      "mastodon-media:aws": "",
      "mastodon-media:cloudflare": JSON.stringify({
        accountId: "nope",
        zoneId: "fedcba9876543210fedcba9876543210",
        r2DevDomain: true,
      }),
    });
    expect(issues.map(([key]) => key)).toEqual([
      "mastodon-media:cloudflare.accountId",
      "mastodon-media:aws",
      "mastodon-media:cloudflare.r2DevDomain",
    ]);
  });

  it("does not repeat a rule between keys for a key that has its own problem", () => {
    const issues = issuesOf({
      ...aws,
      "mastodon-media:mediaDomain": "Social.example.com",
      "mastodon-media:webDomain": "Social.example.com",
    });
    expect(issues.map(([key, message]) => `${key}: ${message}`)).toEqual([
      "mastodon-media:webDomain: must be lowercase",
      "mastodon-media:mediaDomain: must be lowercase",
    ]);
  });

  it("still names the other bad keys when the provider is unknown or missing", () => {
    const bad = {
      ...aws,
      "mastodon-media:provider": "gcs",
      "mastodon-media:bucket": "ab",
      "mastodon-media:environment": "staging",
    };
    expect(issuesOf(bad).map(([key]) => key)).toEqual([
      "mastodon-media:provider",
      "mastodon-media:environment",
      "mastodon-media:bucket",
    ]);
    const { "mastodon-media:provider": _provider, ...missing } = bad;
    expect(issuesOf(missing).map(([key, message]) => `${key}: ${message}`)).toEqual([
      "mastodon-media:provider: is required: one of aws, cloudflare, digitalocean, minio",
      "mastodon-media:environment: must be one of production, test",
      "mastodon-media:bucket: must be 3 to 63 characters long",
    ]);
  });

  it("names a key under another namespace as such instead of calling the real key missing", () => {
    const { "mastodon-media:bucket": bucket, ...rest } = aws;
    const issues = issuesOf({ ...rest, "aws:bucket": bucket, "aws:region": "eu-central-1" });
    expect(issues).toEqual([
      [
        "aws:bucket",
        "is in the aws namespace, which this project does not read: the key is mastodon-media:bucket",
        bucket,
      ],
    ]);
  });

  it("names a provider block's field under the provider's namespace", () => {
    const issues = issuesOf(
      {
        "mastodon-media:provider": "cloudflare",
        "mastodon-media:webDomain": "social.example.com",
        "mastodon-media:mediaDomain": "files.example.com",
        "mastodon-media:bucket": "example-social-media",
        "cloudflare:accountId": "0123456789abcdef0123456789abcdef",
        "cloudflare:zoneId": "fedcba9876543210fedcba9876543210",
        "cloudflare:apiToken": "encrypted",
      },
      ["cloudflare:apiToken"],
    );
    expect(issues.map(([key, message]) => `${key}: ${message}`)).toEqual([
      "cloudflare:accountId: is in the cloudflare namespace, which this project does not read: the key is mastodon-media:cloudflare.accountId (pulumi config set --path)",
      "cloudflare:zoneId: is in the cloudflare namespace, which this project does not read: the key is mastodon-media:cloudflare.zoneId (pulumi config set --path)",
    ]);
  });

  it("names a flat dotted key as such and checks its value where it belongs", () => {
    const { "mastodon-media:aws": _block, ...rest } = aws;
    expect(issuesOf({ ...rest, "mastodon-media:aws.region": "eu-central-1" })).toEqual([
      [
        "mastodon-media:aws.region",
        "is a flat key with a dot in its name, but aws is an object: set it with pulumi config set --path mastodon-media:aws.region VALUE, or nest it in the stack file",
        "eu-central-1",
      ],
    ]);
    expect(
      issuesOf({ ...rest, "mastodon-media:aws.region": "Frankfurt" }).map(([key, message]) => `${key}: ${message}`),
    ).toEqual([
      expect.stringContaining("mastodon-media:aws.region: is a flat key"),
      expect.stringMatching(/^mastodon-media:aws\.region: must be an AWS region/),
    ]);
  });

  it("refuses an encrypted value on a key that is not a secret, without showing it", () => {
    const issues = issuesOf(aws, ["mastodon-media:bucket"]);
    expect(issues).toEqual([
      [
        "mastodon-media:bucket",
        "is encrypted (a secure: value), but it is not a secret: it would be rendered into plain outputs. Set it in plain text: pulumi config set mastodon-media:bucket VALUE (without --secret)",
        undefined,
      ],
    ]);
  });
});

describe("the program (index.ts) on a bad config", () => {
  it("reports the MinIO provider's settings in the same run as the other bad keys, and registers nothing", async () => {
    const config = {
      "mastodon-media:provider": "minio",
      "mastodon-media:webDomain": "social.example.com",
      "mastodon-media:bucket": "Bad_Bucket",
      "mastodon-media:minio": JSON.stringify({ endpoint: "http://127.0.0.1:9000" }),
      "minio:minioServer": "127.0.0.1:9001",
    };
    const error = await runProgram("bad", config, []).then(
      () => undefined,
      (caught: Error) => caught,
    );
    expect(
      error?.message
        .split("\n")
        .slice(1)
        .map((line) => line.split(":").slice(0, 2).join(":")),
    ).toEqual(["  - mastodon-media:bucket", "  - mastodon-media:minio.endpoint"]);
    const monitor = pulumi.runtime.getMonitor() as unknown as { resources: Map<string, unknown> };
    expect(monitor.resources.size).toBe(0);
  });

  it("refuses a secure: value on one of its keys when the engine marks it secret", async () => {
    const config = { ...aws, "mastodon-media:mediaDomain": "files.example.com" };
    await expect(runProgram("bad", config, ["mastodon-media:mediaDomain"])).rejects.toThrowError(
      "mastodon-media:mediaDomain: is encrypted (a secure: value), but it is not a secret",
    );
  });
});
