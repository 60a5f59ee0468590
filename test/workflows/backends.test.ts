import { createRequire } from "node:module";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { job, runStep, step, workflow, type Step } from "./workflow-files";

/** A bin directory whose `pulumi` runs the given bash body (arguments in "$*"), first on PATH. */
function fakePulumi(body: string): string {
  const bin = mkdtempSync(path.join(tmpdir(), "fake-pulumi-"));
  writeFileSync(path.join(bin, "pulumi"), `#!/usr/bin/env bash\n${body}\n`);
  chmodSync(path.join(bin, "pulumi"), 0o755);
  return bin;
}

/** The steps of a job that talk to the Pulumi backend: they run `pulumi`, or are the Pulumi action with a command. */
function backendSteps(steps: Step[]): Step[] {
  return steps.filter(
    (s) =>
      /(^|\n|\s)pulumi (login|stack|preview|config)/.test(s.run ?? "") ||
      (s.uses?.startsWith("pulumi/actions@") && s.with?.command),
  );
}

describe("every job that reaches the Pulumi backend", () => {
  const jobs = [
    ["pulumi.yml", "pulumi"],
    ["review-stack-sweep.yml", "find"],
  ] as const;

  it.each(jobs)("%s (%s) logs in to every backend the README lists, each with its own credentials", (file, id) => {
    const steps = job(file, id).steps ?? [];
    const names = steps.map((s) => s.name ?? s.uses ?? s.run);
    const first = Math.min(...backendSteps(steps).map((s) => steps.indexOf(s)));
    // s3:// through the AWS credentials, gs:// through a service account key, both in place before the backend is reached.
    const aws = steps.findIndex((s) => s.uses === "aws-actions/configure-aws-credentials@v6");
    const google = steps.findIndex((s) => s.uses === "google-github-actions/auth@v2");
    expect(aws).toBeGreaterThanOrEqual(0);
    expect(google).toBeGreaterThanOrEqual(0);
    expect(aws).toBeLessThan(first);
    expect(google).toBeLessThan(first);
    expect(steps[google]?.with).toEqual({ credentials_json: "${{ secrets.GOOGLE_CREDENTIALS }}" });
    // azblob:// through the storage account's key, on every step that reaches the backend.
    for (const s of backendSteps(steps)) {
      expect({ step: s.name, env: s.env }).toMatchObject({
        step: s.name,
        env: {
          AZURE_STORAGE_ACCOUNT: "${{ secrets.AZURE_STORAGE_ACCOUNT }}",
          AZURE_STORAGE_KEY: "${{ secrets.AZURE_STORAGE_KEY }}",
        },
      });
    }
    expect(names.length).toBeGreaterThan(0);
    expect(job(file, id).permissions).toMatchObject(file === "pulumi.yml" ? {} : { "id-token": "write" });
  });

  it.each([
    ["", "login"],
    ["azblob://mastodon-state", "login azblob://mastodon-state"],
  ])("logs in with PULUMI_BACKEND_URL=%j as `pulumi %s`", (url, expected) => {
    const temp = mkdtempSync(path.join(tmpdir(), "login-"));
    const bin = fakePulumi(`echo "$*" > "${temp}/calls"`);
    const result = runStep(step("pulumi.yml", "pulumi", "Log in to the Pulumi backend").run as string, {
      PATH: `${bin}:${process.env.PATH}`,
      PULUMI_BACKEND_URL: url,
    });
    expect(result.status).toBe(0);
    expect(readFileSync(path.join(temp, "calls"), "utf8").trim()).toBe(expected);
  });
});

describe("npm ci in the job that later holds the credentials", () => {
  it("runs no install script", () => {
    const runs = (job("pulumi.yml", "pulumi").steps ?? [])
      .map((s) => s.run?.trim())
      .filter((run) => run?.startsWith("npm ci"));
    expect(runs).toEqual(["npm ci --ignore-scripts --no-fund --no-audit"]);
  });
});

describe("tearing down a review stack", () => {
  function exists(stackLs: string) {
    const temp = mkdtempSync(path.join(tmpdir(), "exists-"));
    const output = path.join(temp, "output");
    writeFileSync(output, "");
    const bin = fakePulumi(`[ "$*" = "stack ls --json" ] || exit 9\n${stackLs}`);
    const result = runStep(step("pulumi.yml", "pulumi", "exists").run as string, {
      PATH: `${bin}:${process.env.PATH}`,
      TARGET: "pr-12",
      RUNNER_TEMP: temp,
      GITHUB_OUTPUT: output,
    });
    return { result, output: readFileSync(output, "utf8") };
  }

  it("that was never created succeeds quietly and destroys nothing", () => {
    const { result, output } = exists(`echo '[{"name":"aws"},{"name":"pr-120"}]'`);
    expect(result.status).toBe(0);
    expect(output).toBe("exists=false\n");
    expect(result.stdout).toContain(
      "::notice::The review stack pr-12 was never created, or is already removed: nothing to destroy.",
    );
    expect(step("pulumi.yml", "pulumi", "exists").if).toBe("inputs.command == 'destroy'");
  });

  it("that exists (also under an organization) is destroyed", () => {
    expect(exists(`echo '[{"name":"acme/pr-12"}]'`).output).toBe("exists=true\n");
    expect(exists(`echo '[{"name":"pr-12"}]'`).output).toBe("exists=true\n");
  });

  it("fails, rather than calling it absent, when the backend cannot be listed", () => {
    const { result, output } = exists(`echo "error: unauthorized" >&2; exit 255`);
    expect(result.status).not.toBe(0);
    expect(output).toBe("");
  });
});

describe("previews on a pull request", () => {
  const VIOLATION =
    "Policy Violations:\n    [mandatory]  mastodon-media v0.1.0  bucket-policy-public-read-limited-to-public-prefixes (media-bucket-policy)\n";

  it("keep the output of a preview the policy pack stops, and fail the step", () => {
    const temp = mkdtempSync(path.join(tmpdir(), "preview-"));
    const bin = fakePulumi(`echo "$*" > "${temp}/calls"\nprintf '%s' "${VIOLATION}"\nexit 255`);
    const result = runStep(step("pulumi.yml", "pulumi", "preview").run as string, {
      PATH: `${bin}:${process.env.PATH}`,
      STACK: "acme/aws",
      RUNNER_TEMP: temp,
    });
    expect(result.status).toBe(255);
    expect(readFileSync(path.join(temp, "preview.txt"), "utf8")).toBe(VIOLATION);
    expect(result.stdout).toBe(VIOLATION);
    expect(readFileSync(path.join(temp, "calls"), "utf8").trim()).toBe(
      "preview --stack acme/aws --policy-pack policy --diff --suppress-outputs --non-interactive --color never",
    );
  });

  it("are commented whatever their outcome, by a step of their own, updating the previous comment", async () => {
    const comment = step("pulumi.yml", "pulumi", "Comment the preview on the pull request");
    expect(comment.if).toBe(
      "always() && inputs.command == 'preview' && steps.preview.outcome != 'skipped' && github.event_name == 'pull_request'",
    );
    expect(JSON.stringify(comment)).not.toContain("secrets.");

    const temp = mkdtempSync(path.join(tmpdir(), "comment-"));
    writeFileSync(path.join(temp, "preview.txt"), `Previewing update (aws)\n${VIOLATION}`);
    const calls: { method: string; args: Record<string, unknown> }[] = [];
    const github = {
      paginate: async () => [{ id: 7, user: { type: "Bot" }, body: "<!-- mastodon-media preview aws -->\nold" }],
      rest: {
        issues: {
          listComments: () => undefined,
          updateComment: async (args: Record<string, unknown>) => void calls.push({ method: "update", args }),
          createComment: async (args: Record<string, unknown>) => void calls.push({ method: "create", args }),
        },
      },
    };
    const context = { repo: { owner: "acme", repo: "media" }, payload: { pull_request: { number: 12 } } };
    const saved = { ...process.env };
    Object.assign(process.env, {
      STACK_NAME: "aws",
      OUTCOME: "failure",
      OUTPUT_FILE: path.join(temp, "preview.txt"),
      RUN_URL: "https://github.com/acme/media/actions/runs/1",
    });
    try {
      const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
        ...args: string[]
      ) => (...values: unknown[]) => Promise<void>;
      await new AsyncFunction("github", "context", "core", "require", String(comment.with?.script))(
        github,
        context,
        {},
        createRequire(__filename),
      );
    } finally {
      for (const key of ["STACK_NAME", "OUTCOME", "OUTPUT_FILE", "RUN_URL"])
        if (!(key in saved)) delete process.env[key];
    }
    expect(calls.map((call) => call.method)).toEqual(["update"]);
    const body = String(calls[0]?.args.body);
    expect(calls[0]?.args.comment_id).toBe(7);
    expect(body.startsWith("<!-- mastodon-media preview aws -->\n### `pulumi preview` of `aws`: **FAILED**\n")).toBe(
      true,
    );
    expect(body).toContain(VIOLATION.trim());
    expect(body).toContain("<details open>");
  });

  it("are no longer left to pulumi/actions, which comments only on success", () => {
    expect(workflow("pulumi.yml").jobs.pulumi?.steps?.some((s) => s.with?.["comment-on-pr"] !== undefined)).toBe(false);
  });
});
