import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT, type PublicPlan } from "../../offline-plan/run";
import { COMMITTED_STACKS, job, runStep, step, workflow, workflowText } from "./workflow-files";
import { planCli } from "../helpers/plan-cli";

const runSteps = (file: string) =>
  Object.values(workflow(file).jobs)
    .flatMap((candidate) => candidate.steps ?? [])
    .map((candidate) => candidate.run?.trim())
    .filter((run): run is string => run !== undefined);

describe("ci.yml", () => {
  it("runs on every pull request, forks included, and on every push to main, with a read-only token", () => {
    const ci = workflow("ci.yml");
    expect(ci.on).toEqual({ pull_request: null, push: { branches: ["main"] } });
    expect(ci.permissions).toEqual({ contents: "read" });
  });

  it("uses no secret, so that a fork's pull request runs it whole", () => {
    expect(workflowText("ci.yml")).not.toMatch(/secrets\./);
  });

  it("runs every npm command of .ci/run as a step of its own", () => {
    const commands = readFileSync(path.join(PROJECT_ROOT, ".ci", "run"), "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line.startsWith("npm "));
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) expect(runSteps("ci.yml")).toContain(command);
  });

  it("runs .ci/run on the Node.js line every workflow sets up", () => {
    const line = /NODE_LINE=\$\{NODE_LINE:-(\d+)\}/.exec(
      readFileSync(path.join(PROJECT_ROOT, "scripts", "node-lts.sh"), "utf8"),
    )?.[1];
    expect(line).toBeDefined();
    for (const file of ["ci.yml", "deploy.yml", "pulumi.yml"]) {
      // ci.yml's test-node22 job runs npm test on the other LTS line, as .ci/run does (the test below).
      const jobs = Object.entries(workflow(file).jobs).filter(([id]) => id !== "test-node22");
      const versions = jobs
        .flatMap(([, candidate]) =>
          (candidate.steps ?? []).map((s) => s.with?.["node-version"]).filter((v) => v !== undefined),
        )
        .map(String);
      expect(versions.length, file).toBeGreaterThan(0);
      for (const version of versions) expect(version, file).toBe(line);
    }
    expect(readFileSync(path.join(PROJECT_ROOT, ".ci", "run"), "utf8")).toContain("source scripts/node-lts.sh");
  });

  it("runs npm test on Node.js 22 as well, in .ci/run and in its own ci.yml job", () => {
    expect(readFileSync(path.join(PROJECT_ROOT, ".ci", "run"), "utf8")).toMatch(
      /NODE_LINE=22\n\s*# shellcheck source=\.\.\/scripts\/node-lts\.sh\n\s*source scripts\/node-lts\.sh[\s\S]*?npm test/,
    );
    const node22 = job("ci.yml", "test-node22").steps ?? [];
    expect(
      node22
        .map((s) => s.with?.["node-version"])
        .filter((v) => v !== undefined)
        .map(String),
    ).toEqual(["22"]);
    expect(node22.map((s) => s.run?.trim()).filter(Boolean)).toEqual(["npm ci --no-fund --no-audit", "npm test"]);
  });

  it("keeps the JSON plans of the run as an artifact, also when a plan fails", () => {
    expect(step("ci.yml", "plan", "Upload the JSON plans")).toEqual({
      name: "Upload the JSON plans",
      if: "always()",
      uses: "actions/upload-artifact@v7",
      with: { name: "offline-plans", path: "${{ runner.temp }}/plans/*.json", "if-no-files-found": "warn" },
    });
  });

  it("compares with the plans of the base branch only on pull requests", () => {
    expect(step("ci.yml", "plan", "Plan every stack of the base branch").if).toBe(
      "github.event_name == 'pull_request'",
    );
    expect(job("ci.yml", "plan").steps?.find((candidate) => candidate.with?.path === "base")?.with).toEqual({
      ref: "${{ github.event.pull_request.base.sha }}",
      path: "base",
      "persist-credentials": false,
    });
  });

  it("plans every committed stack into the job summary, compares with the base plans, and turns bucket alerts into annotations", async () => {
    const temp = mkdtempSync(path.join(tmpdir(), "ci-plan-"));
    mkdirSync(path.join(temp, "base-plans"));
    // The base branch's plan of aws, with another bucket name: this change "replaces" the bucket.
    const base = path.join(temp, "base-plans", "aws.json");
    expect((await planCli(["--stack", "aws", "--json", base])).code).toBe(0);
    const plan = JSON.parse(readFileSync(base, "utf8")) as PublicPlan;
    const bucket = plan.resources.find((resource) => resource.type === "aws:s3/bucket:Bucket");
    if (!bucket) throw new Error("the aws plan has no bucket");
    bucket.inputs.bucket = "old-social-media";
    writeFileSync(base, JSON.stringify(plan));

    const summary = path.join(temp, "summary.md");
    const script = step("ci.yml", "plan", "Plan every stack of this change").run as string;
    const result = runStep(script, { RUNNER_TEMP: temp, GITHUB_STEP_SUMMARY: summary, COMPARE: "true" });

    // --fail-on-loss: the replaced production bucket fails the check, after every stack was planned.
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "--fail-on-loss: 1 bucket alert(s) (the !!! lines above): a production bucket would be lost.",
    );
    expect(result.stdout).toContain(
      '::warning title=Offline plan of aws::BUCKET REPLACED: media-bucket (aws:s3/bucket:Bucket): bucket "old-social-media" -> "example-social-media": ',
    );
    const markdown = readFileSync(summary, "utf8");
    for (const { stack, config } of COMMITTED_STACKS) {
      expect(markdown).toContain(`### Offline plan of \`${stack}\` (${config.provider})`);
      expect(existsSync(path.join(temp, "plans", `${stack}.json`))).toBe(true);
      if (stack !== "aws")
        expect(markdown).toContain(`_The base branch has no plan of \`${stack}\`: nothing to compare with._`);
    }
    expect(markdown).toContain("> [!CAUTION]\n> **BUCKET REPLACED: media-bucket (aws:s3/bucket:Bucket)**");
    expect(markdown).toContain("#### Changes against");
    expect(markdown).not.toMatch(/AWS_SECRET_ACCESS_KEY=(?!\[secret\])/);
  }, 180_000);
});
