import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../../offline-plan/run";
import { committedStacks, missingFromMatrices } from "../../../cli/plan/stacks";
import { planCli } from "../../helpers/plan-cli";

const STACK = (environment: string) =>
  `config:\n  mastodon-media:provider: aws\n  mastodon-media:environment: ${environment}\n  mastodon-media:bucket: Not_Valid\n`;

/** A throwaway git repository with two committed stacks, the two workflow files, and a user's own copy. */
function repository(): string {
  const root = mkdtempSync(path.join(tmpdir(), "stacks-"));
  const git = (...args: string[]) => execFileSync("git", args, { cwd: root, stdio: "ignore" });
  git("init", "-q");
  writeFileSync(path.join(root, "Pulumi.aws.yaml"), STACK("production"));
  writeFileSync(path.join(root, "Pulumi.dev.yaml"), STACK("test"));
  mkdirSync(path.join(root, ".github", "workflows"), { recursive: true });
  writeFileSync(
    path.join(root, ".github/workflows/preview.yml"),
    "jobs:\n  preview:\n    strategy:\n      matrix:\n        stack: [aws]\n",
  );
  writeFileSync(
    path.join(root, ".github/workflows/deploy.yml"),
    "jobs:\n  deploy:\n    strategy:\n      matrix:\n        stack: [aws, mysocial]\n",
  );
  git("add", "Pulumi.aws.yaml", "Pulumi.dev.yaml");
  // The README's advice: copy an example to Pulumi.<your-stack>.yaml. Not committed (yet); plus a review stack file.
  writeFileSync(path.join(root, "Pulumi.mysocial.yaml"), STACK("production"));
  writeFileSync(path.join(root, "Pulumi.pr-12.yaml"), STACK("test"));
  return root;
}

describe("committedStacks", () => {
  it("lists the stack files in git's index, not a user's uncommitted copy nor a review stack", () => {
    expect(committedStacks(repository())).toEqual(["aws", "dev"]);
  });

  it("lists, in this repository, exactly what git ls-files lists", () => {
    const listed = execFileSync("git", ["ls-files", "--", "Pulumi.*.yaml"], { cwd: PROJECT_ROOT, encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map((file) => file.replace(/^Pulumi\.(.+)\.yaml$/, "$1"))
      .sort();
    expect(committedStacks(PROJECT_ROOT)).toEqual(listed);
  });

  it("falls back to the stack files present outside a git work tree", () => {
    const root = mkdtempSync(path.join(tmpdir(), "no-git-"));
    writeFileSync(path.join(root, "Pulumi.b.yaml"), "config: {}\n");
    writeFileSync(path.join(root, "Pulumi.a.yaml"), "config: {}\n");
    expect(committedStacks(root)).toEqual(["a", "b"]);
  });
});

describe("missingFromMatrices", () => {
  it("names the workflow files whose matrix lacks a production stack", () => {
    expect(missingFromMatrices(repository(), "mysocial")).toBe(
      "stack mysocial is production but not in the matrix of .github/workflows/preview.yml: CI would not preview it. " +
        "Add mysocial to strategy.matrix.stack there when you commit Pulumi.mysocial.yaml (npm test then checks the lists).",
    );
    expect(missingFromMatrices(repository(), "other")).toMatch(
      /^stack other is production but not in the matrices of \.github\/workflows\/preview\.yml and \.github\/workflows\/deploy\.yml: CI would not preview or deploy it\./,
    );
    expect(missingFromMatrices(repository(), "aws")).toBeUndefined();
  });
});

describe("a user's own copy of a production stack file in this repository", () => {
  it("changes nothing the tests read, and the plan says which workflow matrices lack it", async () => {
    const stack = `zz-own-copy-${process.pid}`;
    const file = path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);
    writeFileSync(file, readFileSync(path.join(PROJECT_ROOT, "Pulumi.aws.yaml"), "utf8"));
    try {
      expect(committedStacks(PROJECT_ROOT)).not.toContain(stack);
      const { code, stderr } = await planCli(["-s", stack]);
      expect(code).toBe(0);
      expect(stderr).toContain(
        `Warning: stack ${stack} is production but not in the matrices of .github/workflows/preview.yml and .github/workflows/deploy.yml: ` +
          "CI would not preview or deploy it.",
      );
    } finally {
      rmSync(file, { force: true });
    }
  });
});
