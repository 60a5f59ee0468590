import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { diffPlans, renderDiff, type DiffablePlan } from "../../../cli/plan/diff";
import { mediaUrlBase, mediaUrlChange, mediaUrlContext } from "../../../cli/plan/media-urls";
import { planStack, PROJECT_ROOT, publicPlan } from "../../../offline-plan/run";
import { readStackFile, stackFilePath } from "../../../offline-plan/stack-file";
import { previousMediaRedirect } from "../../../providers/cloudflare/previous-media-redirect-expression";
import { safeParseStackConfig } from "../../../components/config";
import { planCli } from "../../helpers/plan-cli";

const FIXTURES = path.join(__dirname, "../../fixtures/cases/stacks");

function planWithEnv(env: string): DiffablePlan {
  return { stack: "aws", resources: [], envProductionMasked: env };
}

const AWS_ENV =
  "S3_ENABLED=true\nS3_BUCKET=example-social-media\nS3_REGION=eu-central-1\nS3_HOSTNAME=s3.eu-central-1.amazonaws.com\nS3_ALIAS_HOST=files.example.com\nS3_PERMISSION=\n";
const production = { environment: "production" as const, previousMediaDomains: [] };

describe("mediaUrlBase", () => {
  it("is https://ALIAS/PREFIX/ as Mastodon builds URLs, or path style on S3_HOSTNAME without an alias", () => {
    expect(mediaUrlBase(planWithEnv(AWS_ENV))).toBe("https://files.example.com/");
    expect(mediaUrlBase(planWithEnv(`${AWS_ENV}S3_KEY_PREFIX=social\n`))).toBe("https://files.example.com/social/");
    expect(mediaUrlBase(planWithEnv(AWS_ENV.replace("S3_ALIAS_HOST=files.example.com\n", "")))).toBe(
      "https://s3.eu-central-1.amazonaws.com/example-social-media/",
    );
    expect(mediaUrlBase({ stack: "aws", resources: [], outputs: { mediaBaseUrl: "https://files.example.com" } })).toBe(
      "https://files.example.com/",
    );
  });
});

describe("mediaUrlChange", () => {
  it("says nothing when the media URLs stay", () => {
    expect(mediaUrlChange(planWithEnv(AWS_ENV), planWithEnv(AWS_ENV), production)).toBeUndefined();
  });

  it.each([
    ["the media domain", AWS_ENV.replace("files.example.com", "media.example.com"), "https://media.example.com/"],
    ["the key prefix", `${AWS_ENV}S3_KEY_PREFIX=social\n`, "https://files.example.com/social/"],
    [
      "the host (alias removed)",
      AWS_ENV.replace("S3_ALIAS_HOST=files.example.com\n", ""),
      "https://s3.eu-central-1.amazonaws.com/example-social-media/",
    ],
  ])("refuses a change of %s on production unless previousMediaDomains keeps the old base", (_what, env, after) => {
    const alert = mediaUrlChange(planWithEnv(AWS_ENV), planWithEnv(env), production);
    expect(alert).toMatchObject({ before: "https://files.example.com/", after, refused: true });
    expect(
      mediaUrlChange(planWithEnv(AWS_ENV), planWithEnv(env), {
        environment: "production",
        previousMediaDomains: ["files.example.com"],
      })?.refused,
    ).toBe(false);
    expect(
      mediaUrlChange(planWithEnv(AWS_ENV), planWithEnv(env), { environment: "test", previousMediaDomains: [] })
        ?.refused,
    ).toBe(false);
  });
});

describe("the handed case: Pulumi.case12.yaml planned against the committed aws stack", () => {
  it("gives the !!! line and is refused on production; listing the old domain makes it allowed but still loud", async () => {
    const before = publicPlan(await planStack("aws"), false);
    const root = mkdtempSync(path.join(tmpdir(), "case12-"));
    copyFileSync(path.join(FIXTURES, "Pulumi.case12.yaml"), stackFilePath("case12", root));
    const after = publicPlan(await planStack("case12", root), false);
    const diff = diffPlans(before, after, mediaUrlContext(readStackFile("case12", root).config));
    const text = renderDiff(diff, "aws.json");
    expect(text).toContain(
      "!!! MEDIA URLS CHANGE: https://files.example.com/KEY -> https://media.example.com/KEY: every media URL other servers hold (https://files.example.com/KEY) breaks",
    );
    expect(text).toContain("Refused on a production stack.");
    expect(diff.mediaUrlAlert?.refused).toBe(true);

    writeFileSync(
      stackFilePath("case12kept", root),
      `${readFileSync(path.join(FIXTURES, "Pulumi.case12.yaml"), "utf8").trimEnd()}\n  mastodon-media:previousMediaDomains:\n    - files.example.com\n`,
    );
    const kept = diffPlans(
      before,
      publicPlan(await planStack("case12kept", root), false),
      mediaUrlContext(readStackFile("case12kept", root).config),
    );
    expect(kept.mediaUrlAlert).toMatchObject({ refused: false });
    expect(renderDiff(kept, "aws.json")).toContain(
      "!!! MEDIA URLS CHANGE: https://files.example.com/KEY -> https://media.example.com/KEY: previousMediaDomains lists files.example.com",
    );
  });

  it("the committed aws stack against itself has no such line", async () => {
    const plan = publicPlan(await planStack("aws", PROJECT_ROOT), false);
    expect(
      renderDiff(diffPlans(plan, plan, mediaUrlContext(readStackFile("aws", PROJECT_ROOT).config)), "aws.json"),
    ).not.toContain("MEDIA URLS");
  });
});

describe("previousMediaDomains in the config", () => {
  const base = {
    provider: "cloudflare",
    webDomain: "social.example.com",
    mediaDomain: "media.example.com",
    bucket: "media",
    cloudflare: { accountId: "0123456789abcdef0123456789abcdef", zoneId: "fedcba9876543210fedcba9876543210" },
  };

  it("accepts old hosts with an optional key path, and refuses the current base or a scheme", () => {
    expect(
      safeParseStackConfig({ ...base, previousMediaDomains: ["files.example.com", "files.example.com/social"] })
        .success,
    ).toBe(true);
    const bad = safeParseStackConfig({
      ...base,
      previousMediaDomains: ["https://files.example.com", "media.example.com"],
    });
    // Every bad key at once: the scheme (a single-key error) and the current base (a rule between keys) together.
    expect(bad.success ? [] : bad.issues.map((issue) => issue.path)).toEqual([
      "previousMediaDomains.0",
      "previousMediaDomains.1",
    ]);
    const current = safeParseStackConfig({ ...base, previousMediaDomains: ["media.example.com"] });
    expect(current.success ? [] : current.issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      "previousMediaDomains.0: is the current media base (mediaDomain and keyPrefix): list only old ones",
    ]);
  });

  it("needs the list before the Cloudflare stack can redirect it", () => {
    const result = safeParseStackConfig({
      ...base,
      cloudflare: { ...base.cloudflare, redirectPreviousMediaDomains: true },
    });
    expect(result.success ? [] : result.issues.map((issue) => issue.path)).toEqual([
      "cloudflare.redirectPreviousMediaDomains",
    ]);
  });
});

describe("previousMediaRedirect (Cloudflare Single Redirect)", () => {
  it("sends an old host to the same path on the media domain, query string kept", () => {
    expect(previousMediaRedirect("files.example.com", "media.example.com")).toEqual({
      expression: '(http.host eq "files.example.com")',
      targetExpression: 'concat("https://media.example.com", http.request.uri.path)',
      preserveQueryString: true,
    });
  });

  it("moves keys between prefixes with one wildcard_replace on https requests", () => {
    expect(previousMediaRedirect("files.example.com/old", "media.example.com", "social")).toEqual({
      expression: '(http.host eq "files.example.com" and ssl and starts_with(http.request.uri.path, "/old/"))',
      targetExpression:
        'wildcard_replace(http.request.full_uri, "https://files.example.com/old/*", "https://media.example.com/social/${1}")',
      preserveQueryString: false,
    });
  });

  it("is registered by the cloudflare stack when asked, in the dynamic redirect phase of the zone", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "cf-redirect-"));
    const yaml = readFileSync(stackFilePath("cloudflare", PROJECT_ROOT), "utf8")
      .replace(
        "mastodon-media:mediaDomain: files.example.com",
        "mastodon-media:mediaDomain: media.example.com\n  mastodon-media:previousMediaDomains:\n    - files.example.com",
      )
      .replace("    locationHint: weur", "    locationHint: weur\n    redirectPreviousMediaDomains: true");
    writeFileSync(stackFilePath("cfmove", root), yaml);
    const plan = await planStack("cfmove", root);
    const rulesets = plan.resources.filter(
      (resource) =>
        resource.type === "cloudflare:index/ruleset:Ruleset" &&
        resource.inputs.phase === "http_request_dynamic_redirect",
    );
    expect(rulesets).toHaveLength(1);
    // One ruleset per phase and zone: the previous host's rule joins the HTTP-to-HTTPS redirect.
    expect(rulesets[0]!.inputs.rules).toEqual([
      expect.objectContaining({ ref: "mastodon_media_https" }),
      expect.objectContaining({
        expression: '(http.host eq "files.example.com")',
        action: "redirect",
        actionParameters: {
          fromValue: {
            statusCode: 301,
            targetUrl: { expression: 'concat("https://media.example.com", http.request.uri.path)' },
            preserveQueryString: true,
          },
        },
      }),
    ]);
    expect(plan.violations.filter((violation) => violation.level === "mandatory")).toEqual([]);
  });
});

describe("npm run plan -- --against, with the handed case12 stack file", () => {
  it("prints the !!! line and exits 1 when case12 is planned against a plan of the committed aws stack", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "case12-"));
    const awsPlan = path.join(dir, "aws.json");
    expect((await planCli(["-s", "aws", "--json", awsPlan])).code).toBe(0);
    // A stack file of its own name, removed afterwards: tests read committed stack files only, so it disturbs none.
    const stack = `case12-${process.pid}`;
    copyFileSync(path.join(FIXTURES, "Pulumi.case12.yaml"), stackFilePath(stack, PROJECT_ROOT));
    try {
      const run = await planCli(["-s", stack, "--against", awsPlan]);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /^!!! MEDIA URLS CHANGE: https:\/\/files\.example\.com\/KEY -> https:\/\/media\.example\.com\/KEY/m,
      );
      expect(run.stderr).toContain(`Comparing stack ${stack} with a plan of stack aws (same provider)`);
      expect(run.stderr).toContain("The media URLs change on a production stack");
    } finally {
      rmSync(stackFilePath(stack, PROJECT_ROOT), { force: true });
    }
  });
});
