import { existsSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../offline-plan/run";
import { COMMITTED_STACKS, job } from "./workflow-files";

const productionStacks = COMMITTED_STACKS.filter(({ config }) => config.environment === "production")
  .map(({ stack }) => stack)
  .sort();
const matrixStacks = (file: string, id: string) =>
  [...((job(file, id).strategy?.matrix?.stack as string[] | undefined) ?? [])].sort();

describe("the stacks the workflows name", () => {
  it("include production stacks at all", () => {
    expect(productionStacks.length).toBeGreaterThan(0);
  });

  it("are, for the pull request preview, exactly the committed production stacks", () => {
    expect(matrixStacks("preview.yml", "preview")).toEqual(productionStacks);
  });

  it("are, for the deployment on merge, exactly the committed production stacks", () => {
    expect(matrixStacks("deploy.yml", "deploy")).toEqual(productionStacks);
  });

  it("include, as the review stacks' template, a committed stack file", () => {
    const template = String(job("review-stack.yml", "deploy").with?.["review-of"]);
    expect(existsSync(path.join(PROJECT_ROOT, `Pulumi.${template}.yaml`))).toBe(true);
    expect(productionStacks).toContain(template);
  });

  it("run the policy pack that is committed in policy/", () => {
    expect(existsSync(path.join(PROJECT_ROOT, "policy", "PulumiPolicy.yaml"))).toBe(true);
  });
});
