import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { bucketNameProblem, hostnameProblem } from "../../components/config/validators";
import { UserError } from "../../components/errors";
import {
  reviewBucketName,
  reviewHost,
  reviewStackConfig,
  reviewStackFile,
  reviewStackName,
} from "../../components/review-stack";
import { job, runStep, step, workflow } from "./workflow-files";

describe("reviewStackName", () => {
  it("names the review stack of pull request 12 pr-12", () => {
    expect(reviewStackName(12)).toBe("pr-12");
  });

  it("refuses what is not a pull request number", () => {
    expect(() => reviewStackName(0)).toThrowError(
      "reviewStackName: a pull request number is a positive integer (got 0)",
    );
    expect(() => reviewStackName(1.5)).toThrowError("(got 1.5)");
  });
});

describe("reviewBucketName", () => {
  it("puts the stack name in front of the template's bucket", () => {
    expect(reviewBucketName("example-social-media", 12)).toBe("pr-12-example-social-media");
  });

  it("cuts a long name to 63 characters without leaving a hyphen or a dot at the end, so it stays a valid bucket name", () => {
    const template = `media-${"a".repeat(46)}.bucket`; // the cut falls right after the dot
    const name = reviewBucketName(template, 987654);
    expect(name).toBe(`pr-987654-media-${"a".repeat(46)}`);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(bucketNameProblem(name, { allowDots: true })).toBeUndefined();
    expect(bucketNameProblem(reviewBucketName(`x${"-".repeat(55)}yz`, 12), { allowDots: false })).toBeUndefined();
  });
});

describe("reviewHost", () => {
  it("prefixes the first label, so the host stays in the template's DNS zone", () => {
    expect(reviewHost("files.example.com", 12)).toBe("pr-12-files.example.com");
  });

  it("keeps the first label within the 63 characters DNS allows", () => {
    const host = reviewHost(`${"m".repeat(60)}.example.com`, 987654);
    expect(host).toBe(`pr-987654-${"m".repeat(53)}.example.com`);
    expect(hostnameProblem(host)).toBeUndefined();
  });
});

describe("reviewStackConfig", () => {
  const template = {
    "aws:region": "eu-central-1",
    "mastodon-media:provider": "aws",
    "mastodon-media:environment": "production",
    "mastodon-media:webDomain": "social.example.com",
    "mastodon-media:mediaDomain": "files.example.com",
    "mastodon-media:bucket": "example-social-media",
    "mastodon-media:aws": { region: "eu-central-1", dns: { type: "route53", zoneId: "Z0123456789EXAMPLEABC" } },
  };

  it("makes a test stack with its own bucket and media host and keeps every other key", () => {
    expect(reviewStackConfig(template, 12, "mastodon-media")).toEqual({
      ...template,
      "mastodon-media:environment": "test",
      "mastodon-media:mediaDomain": "pr-12-files.example.com",
      "mastodon-media:bucket": "pr-12-example-social-media",
    });
  });

  it("leaves a template without a media domain without one, and does not change the template", () => {
    const { ["mastodon-media:mediaDomain"]: _dropped, ...withoutDomain } = template;
    const config = reviewStackConfig(withoutDomain, 12, "mastodon-media");
    expect("mastodon-media:mediaDomain" in config).toBe(false);
    expect(withoutDomain["mastodon-media:environment"]).toBe("production");
  });

  it("says what is missing when the template has no bucket", () => {
    expect(() => reviewStackConfig({ "mastodon-media:provider": "aws" }, 12, "mastodon-media")).toThrowError(
      new UserError("The template stack has no mastodon-media:bucket to derive the review bucket from."),
    );
  });
});

describe("reviewStackFile", () => {
  it("writes a stack file with a header saying where it comes from, and the derived config", () => {
    const review = reviewStackFile(
      "config:\n  mastodon-media:provider: aws\n  mastodon-media:bucket: b-1\n",
      "aws",
      7,
      "mastodon-media",
    );
    expect(review.stack).toBe("pr-7");
    expect(review.yaml.split("\n").slice(0, 2)).toEqual([
      "# Review stack of pull request #7, written by `npm run plan -- --stack aws --review 7`.",
      "# Not committed: the review-stack workflow deploys it and destroys it when the pull request closes.",
    ]);
    expect(parse(review.yaml)).toEqual({
      config: {
        "mastodon-media:provider": "aws",
        "mastodon-media:bucket": "pr-7-b-1",
        "mastodon-media:environment": "test",
      },
    });
  });
});

describe("review-stack.yml", () => {
  const SAME_REPOSITORY = "github.event.pull_request.head.repo.full_name == github.repository";

  it("listens to the pull request events that create, update and remove a review stack", () => {
    expect(workflow("review-stack.yml").on).toEqual({
      pull_request: { types: ["opened", "reopened", "synchronize", "labeled", "unlabeled", "closed"] },
    });
  });

  it("deploys pr-<number> from the template for a labelled same-repository pull request", () => {
    const deploy = job("review-stack.yml", "deploy");
    expect(deploy.if).toContain(SAME_REPOSITORY);
    expect(deploy.if).toContain("contains(github.event.pull_request.labels.*.name, 'review-stack')");
    expect(deploy.with).toMatchObject({ command: "up", stack: "pr-${{ github.event.pull_request.number }}" });
  });

  it("destroys and removes the stack when the pull request closes, merged or not, or loses the label", () => {
    const teardown = job("review-stack.yml", "teardown");
    expect(teardown.if).toContain(SAME_REPOSITORY);
    expect(teardown.if).toContain("github.event.action == 'closed'");
    expect(teardown.if).toContain("github.event.action == 'unlabeled' && github.event.label.name == 'review-stack'");
    expect(teardown.if).not.toContain("merged");
    expect(teardown.with).toEqual({ command: "destroy", stack: "pr-${{ github.event.pull_request.number }}" });
  });

  it("never lets an update and a destroy of the same review stack overlap, the sweep's included", () => {
    const group = { group: "review-stack-pr-${{ github.event.pull_request.number }}", "cancel-in-progress": false };
    expect(job("review-stack.yml", "deploy").concurrency).toEqual(group);
    expect(job("review-stack.yml", "teardown").concurrency).toEqual(group);
    expect(job("review-stack-sweep.yml", "destroy").concurrency).toEqual({
      group: "review-stack-pr-${{ matrix.pull-request }}",
      "cancel-in-progress": false,
    });
  });

  it("comments the media host and the live checks' result, with the values passed as environment, not as code", () => {
    const comment = job("review-stack.yml", "comment");
    expect(comment.needs).toBe("deploy");
    expect(comment.permissions).toEqual({ "pull-requests": "write" });
    const script = step("review-stack.yml", "comment", "Comment on the pull request");
    expect(String(script.with?.script)).not.toContain("${{");
    expect(script.env).toMatchObject({
      MEDIA_BASE_URL: "${{ needs.deploy.outputs.media-base-url }}",
      VERIFY_OUTCOME: "${{ needs.deploy.outputs.verify-outcome }}",
    });
  });
});

describe("review-stack-sweep.yml", () => {
  const DAY = 86_400_000;
  const stacks = [
    { name: "pr-12", lastUpdate: new Date(Date.now() - 30 * DAY).toISOString(), updateInProgress: false },
    { name: "acme/pr-13", lastUpdate: new Date(Date.now() - 8 * DAY).toISOString() },
    { name: "pr-14", lastUpdate: new Date(Date.now() - 1 * DAY).toISOString(), updateInProgress: false },
    { name: "pr-15", lastUpdate: new Date(Date.now() - 30 * DAY).toISOString(), updateInProgress: true },
    { name: "pr-16" },
    { name: "aws", lastUpdate: new Date(Date.now() - 90 * DAY).toISOString() },
    { name: "pr-17-old", lastUpdate: new Date(Date.now() - 90 * DAY).toISOString() },
  ];

  function sweep(maxAgeDays: string) {
    const temp = mkdtempSync(path.join(tmpdir(), "sweep-"));
    const fake = path.join(temp, "pulumi");
    writeFileSync(
      fake,
      `#!/usr/bin/env bash\necho "$*" >> "${temp}/calls"\ncase "$*" in login*) exit 0 ;; "stack ls --json") ;; *) exit 9 ;; esac\ncat <<'JSON'\n${JSON.stringify(stacks)}\nJSON\n`,
    );
    chmodSync(fake, 0o755);
    const output = path.join(temp, "output");
    writeFileSync(output, "");
    const script = step("review-stack-sweep.yml", "find", "stale").run as string;
    const result = runStep(script, {
      PATH: `${temp}:${process.env.PATH}`,
      MAX_AGE_DAYS: maxAgeDays,
      RUNNER_TEMP: temp,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: path.join(temp, "summary"),
    });
    return {
      result,
      output: readFileSync(output, "utf8"),
      calls: existsSync(path.join(temp, "calls")) ? readFileSync(path.join(temp, "calls"), "utf8") : "",
    };
  }

  it("logs in to the backend the secrets name before listing the stacks", () => {
    expect(sweep("7").calls).toBe("login\nstack ls --json\n");
  });

  it("picks the review stacks not updated for the limit, and those never updated, but none being updated", () => {
    const { result, output } = sweep("7");
    expect(result.status).toBe(0);
    expect(output).toBe("pull-requests=[12,13,16]\n");
  });

  it("refuses a limit that is not a whole number of days", () => {
    const { result } = sweep("7; rm -rf /");
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("::error::max-age-days must be a whole number of days\n");
  });

  it("runs every day, and on demand with another limit", () => {
    expect(workflow("review-stack-sweep.yml").on).toEqual({
      schedule: [{ cron: "17 4 * * *" }],
      workflow_dispatch: {
        inputs: {
          "max-age-days": {
            description: "Destroy review stacks not updated for this many days",
            type: "string",
            default: "7",
          },
        },
      },
    });
    expect(job("review-stack-sweep.yml", "destroy").with).toEqual({
      command: "destroy",
      stack: "pr-${{ matrix.pull-request }}",
    });
  });
});

describe("a review stack that could never finish deploying", () => {
  const template = {
    "mastodon-media:provider": "aws",
    "mastodon-media:mediaDomain": "files.example.com",
    "mastodon-media:bucket": "example-social-media",
    "mastodon-media:aws": { region: "eu-central-1", dns: { type: "route53", zoneId: "Z0123456789EXAMPLEABC" } },
  };
  const withAws = (aws: Record<string, unknown>) => ({ ...template, "mastodon-media:aws": aws });

  it("is refused for a template with external DNS, named or by default, saying why", () => {
    for (const aws of [{ region: "eu-central-1", dns: { type: "external" } }, { region: "eu-central-1" }]) {
      expect(() => reviewStackConfig(withAws(aws), 12, "mastodon-media")).toThrowError(UserError);
      expect(() => reviewStackConfig(withAws(aws), 12, "mastodon-media")).toThrowError(
        /aws\.dns\.type is external.*: no one would create the certificate's validation record for pr-12-files\.example\.com, ACM would wait out its 75-minute timeout and the job would stop at 60 minutes with the stack locked/,
      );
    }
  });

  it("is refused for a template with a given certificate, which does not cover the review host", () => {
    const certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012";
    expect(() =>
      reviewStackConfig(
        withAws({ region: "eu-central-1", dns: { type: "route53", zoneId: "Z0123456789EXAMPLEABC" }, certificateArn }),
        12,
        "mastodon-media",
      ),
    ).toThrowError(
      "A review stack cannot deploy from this template; nothing was written:\n  - aws.certificateArn names a certificate for files.example.com: it does not cover pr-12-files.example.com, and CloudFront refuses that alias. Use a template without aws.certificateArn, whose stack requests its own certificate.",
    );
  });

  it("passes the committed AWS template (Route 53, its own certificate) and other providers", () => {
    expect(() => reviewStackConfig(template, 12, "mastodon-media")).not.toThrow();
    expect(() =>
      reviewStackConfig(
        { ...template, "mastodon-media:provider": "cloudflare", "mastodon-media:aws": undefined },
        12,
        "mastodon-media",
      ),
    ).not.toThrow();
  });
});
