import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { job, runStep, step, workflow } from "./workflow-files";

const PULUMI_STEP = "pulumi ${{ inputs.command }}";
const VERIFY_STEP = "Live checks of the review stack";

/** A bin directory with fake commands, each a shell script, put first on PATH. */
function fakeCommands(commands: Record<string, string>): string {
  const bin = mkdtempSync(path.join(tmpdir(), "fake-bin-"));
  for (const [name, script] of Object.entries(commands)) {
    const file = path.join(bin, name);
    writeFileSync(file, `#!/usr/bin/env bash\n${script}\n`);
    chmodSync(file, 0o755);
  }
  return bin;
}

describe("pulumi.yml, the one job that holds the credentials", () => {
  it("runs up and destroy with the policy pack (in test mode for review stacks) and suppresses stack outputs", () => {
    expect(step("pulumi.yml", "pulumi", PULUMI_STEP).with).toEqual({
      command: "${{ inputs.command }}",
      "stack-name": "${{ env.STACK }}",
      "cloud-url": "${{ secrets.PULUMI_BACKEND_URL }}",
      policyPacks: "${{ inputs.command != 'destroy' && 'policy' || '' }}",
      policyPackConfigs:
        "${{ inputs.command != 'destroy' && inputs.review-of != '' && 'policy/config/test.json' || '' }}",
      upsert: "${{ inputs.review-of != '' }}",
      remove: "${{ inputs.command == 'destroy' }}",
      "suppress-outputs": true,
    });
    expect(step("pulumi.yml", "pulumi", PULUMI_STEP).uses).toBe("pulumi/actions@v7");
    // Previews run in a step of their own (below); a destroy only when the stack exists.
    expect(step("pulumi.yml", "pulumi", PULUMI_STEP).if).toBe(
      "inputs.command != 'preview' && (inputs.command != 'destroy' || steps.exists.outputs.exists == 'true')",
    );
  });

  it("previews a production stack with the policy pack before updating it, so that a refused delete stops the update before any change", () => {
    // pulumi/actions' `up` is the Automation API's, which passes --skip-preview: without a preview of its own, the
    // engine meets the protected media URL anchor's delete only after the other steps of the update have run.
    const preview = step("pulumi.yml", "pulumi", "pulumi preview");
    expect(preview.if).toBe("inputs.command == 'preview' || (inputs.command == 'up' && inputs.review-of == '')");
    expect(preview.run).toContain('pulumi preview --stack "$STACK" --policy-pack policy');
    const names = (job("pulumi.yml", "pulumi").steps ?? []).map((candidate) => candidate.name);
    expect(names.indexOf("pulumi preview")).toBeGreaterThanOrEqual(0);
    expect(names.indexOf("pulumi preview")).toBeLessThan(names.indexOf(PULUMI_STEP));
    // The update step keeps the implicit success(): a failed preview skips it.
    expect(step("pulumi.yml", "pulumi", PULUMI_STEP).if).not.toMatch(/always\(\)|failure\(\)|!cancelled\(\)/);
  });

  it("hands the secrets to the steps that call Pulumi or AWS only, never to npm ci or the offline plan", () => {
    const steps = job("pulumi.yml", "pulumi").steps ?? [];
    const withSecrets = steps
      .filter((candidate) => stringify(candidate).includes("secrets."))
      .map((candidate) => candidate.name);
    expect(withSecrets).toEqual([
      "AWS credentials (OIDC role, or access keys from the repository secrets)",
      "Google Cloud credentials (a gs:// backend)",
      "Log in to the Pulumi backend",
      "Is there a review stack to destroy",
      "pulumi preview",
      PULUMI_STEP,
      VERIFY_STEP,
    ]);
    expect(Object.keys(job("pulumi.yml", "pulumi").env ?? {})).toEqual([
      "HAS_PULUMI_BACKEND",
      "HAS_AWS_CREDENTIALS",
      "HAS_GOOGLE_CREDENTIALS",
      "STACK",
    ]);
    expect(Object.keys(step("pulumi.yml", "pulumi", PULUMI_STEP).env ?? {})).toEqual([
      "PULUMI_ACCESS_TOKEN",
      "PULUMI_CONFIG_PASSPHRASE",
      "AZURE_STORAGE_ACCOUNT",
      "AZURE_STORAGE_KEY",
      "CLOUDFLARE_API_TOKEN",
      "DIGITALOCEAN_TOKEN",
      "SPACES_ACCESS_KEY_ID",
      "SPACES_SECRET_ACCESS_KEY",
      "MINIO_USER",
      "MINIO_PASSWORD",
    ]);
  });

  it("writes and plans the review stack file before the update, and runs the live checks after it", () => {
    const names = (job("pulumi.yml", "pulumi").steps ?? []).map(
      (candidate) => candidate.name ?? candidate.run ?? candidate.uses,
    );
    const order = [
      "npm ci --ignore-scripts --no-fund --no-audit",
      "Write the review stack file and plan it offline",
      PULUMI_STEP,
      VERIFY_STEP,
    ].map((name) => names.indexOf(name));
    expect(
      order.every((index, position) => index >= 0 && (position === 0 || index > (order[position - 1] as number))),
    ).toBe(true);
    expect(step("pulumi.yml", "pulumi", "Write the review stack file and plan it offline").run?.trim()).toBe(
      'npm run --silent plan -- --stack "$TEMPLATE" --review "${REVIEW_STACK#pr-}" --markdown "$GITHUB_STEP_SUMMARY"',
    );
  });

  it.each([
    ["aws", 1],
    ["acme/pr-12", 1],
    ["pr-0", 1],
    ["pr-12", 0],
  ])("refuses to destroy %s unless it is a review stack (exit %i)", (target, status) => {
    const result = runStep(
      step("pulumi.yml", "pulumi", "Refuse to destroy anything but a review stack").run as string,
      { TARGET: target },
    );
    expect(result.status).toBe(status);
    if (status === 1)
      expect(result.stdout).toContain(`::error::Workflows only destroy review stacks (pr-<number>), not ${target}`);
  });

  describe("the live checks of a review stack", () => {
    const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYREVIEWKEY";
    const fakePulumi = [
      'case "$*" in',
      '  "stack output mediaBaseUrl --stack pr-12") echo https://pr-12-files.example.com ;;',
      '  "config get mastodon-media:webDomain --stack pr-12") echo social.example.com ;;',
      `  "stack output envProduction --show-secrets --stack pr-12") printf 'S3_ENABLED=true\\nAWS_SECRET_ACCESS_KEY=${SECRET}\\nS3_PERMISSION=\\n' ;;`,
      '  *) echo "unexpected pulumi $*" >&2; exit 9 ;;',
      "esac",
    ].join("\n");

    function check(verifyExit: number) {
      const temp = mkdtempSync(path.join(tmpdir(), "verify-step-"));
      mkdirSync(path.join(temp, "runner"));
      const output = path.join(temp, "output");
      writeFileSync(output, "");
      const bin = fakeCommands({
        pulumi: fakePulumi,
        // Stands for `npm run --silent verify`: records its arguments and what it read, prints a report.
        npm: `echo "$*" > "${temp}/npm-args"; cat > "${temp}/npm-stdin"; echo "7 checks, ${verifyExit === 0 ? "all passed" : "1 failed"}"; exit ${verifyExit}`,
      });
      const script = step("pulumi.yml", "pulumi", VERIFY_STEP).run as string;
      const result = runStep(script, {
        PATH: `${bin}:${process.env.PATH}`,
        STACK: "pr-12",
        RUNNER_TEMP: path.join(temp, "runner"),
        GITHUB_OUTPUT: output,
      });
      return {
        result,
        output: readFileSync(output, "utf8"),
        args: readFileSync(path.join(temp, "npm-args"), "utf8"),
        stdin: readFileSync(path.join(temp, "npm-stdin"), "utf8"),
      };
    }

    it("masks the writer's key in the log, feeds the env block to verify on stdin and reports the outcome", () => {
      const { result, output, args, stdin } = check(0);
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(`::add-mask::${SECRET}\n7 checks, all passed\n`);
      expect(args.trim()).toBe("run --silent verify -- --env - --origin https://social.example.com");
      expect(stdin).toBe(`S3_ENABLED=true\nAWS_SECRET_ACCESS_KEY=${SECRET}\nS3_PERMISSION=\n`);
      const lines = output.split("\n");
      expect(lines[0]).toBe("media-base-url=https://pr-12-files.example.com");
      expect(lines[1]).toBe("outcome=success");
      expect(lines[2]).toMatch(/^report<<VERIFY_[0-9a-f-]{36}$/);
      expect(lines.slice(3)).toEqual(["7 checks, all passed", (lines[2] as string).slice("report<<".length), ""]);
    });

    it("fails the job and reports failure when the live checks fail", () => {
      const { result, output } = check(1);
      expect(result.status).toBe(1);
      expect(output).toContain("\noutcome=failure\n");
      expect(output).toContain("\n7 checks, 1 failed\n");
    });
  });
});

describe("the workflows that call pulumi.yml", () => {
  it("preview every production stack on same-repository pull requests, with permission to comment", () => {
    const preview = job("preview.yml", "preview");
    expect(workflow("preview.yml").on).toEqual({ pull_request: null });
    expect(preview.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
    expect(preview.uses).toBe("./.github/workflows/pulumi.yml");
    expect(preview.with).toEqual({ command: "preview", stack: "${{ matrix.stack }}" });
    expect(preview.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
  });

  it("deploy every production stack after a merge to main, once the tests pass, behind the production environment", () => {
    const deploy = job("deploy.yml", "deploy");
    expect(workflow("deploy.yml").on).toEqual({ push: { branches: ["main"] }, workflow_dispatch: null });
    expect(deploy.needs).toBe("test");
    expect(deploy.with).toEqual({ command: "up", stack: "${{ matrix.stack }}", environment: "production" });
    expect(deploy.concurrency).toEqual({ group: "deploy-${{ matrix.stack }}", "cancel-in-progress": false });
    expect(job("pulumi.yml", "pulumi").environment).toBe("${{ inputs.environment }}");
    expect((job("deploy.yml", "test").steps ?? []).map((candidate) => candidate.run).filter(Boolean)).toEqual([
      "npm ci --no-fund --no-audit",
      "npm test",
    ]);
  });

  it("pass the repository's secrets on to it, and nothing but the workflows of this repository call it", () => {
    const callers = ["preview.yml", "deploy.yml", "review-stack.yml", "review-stack-sweep.yml"].flatMap((file) =>
      Object.values(workflow(file).jobs).filter((candidate) => candidate.uses !== undefined),
    );
    expect(callers.map((candidate) => [candidate.uses, candidate.secrets])).toEqual(
      callers.map(() => ["./.github/workflows/pulumi.yml", "inherit"]),
    );
    expect(Object.keys(workflow("pulumi.yml").on)).toEqual(["workflow_call"]);
  });
});
