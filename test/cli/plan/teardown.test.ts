import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseStackConfig, type StackConfig } from "../../../components/config";
import { projectConfigObject } from "../../../components/config/raw";
import { reviewStackFile } from "../../../components/review-stack";
import { BUCKET_FACTS, isBucket } from "../../../cli/plan/diff";
import { PROJECT } from "../../../offline-plan/engine";
import { planStack, PROJECT_ROOT } from "../../../offline-plan/run";
import { committedStacks } from "../../../cli/plan/stacks";
import { readStackFile, stackFilePath } from "../../../offline-plan/stack-file";
import type { Plan, PlannedResource } from "../../../components/plan-model";

/** Every stack file present, with its parsed config: the tests follow the files, not a fixed list. */
const STACKS = committedStacks(PROJECT_ROOT).map((stack) => ({ stack, config: configOf(stack, PROJECT_ROOT) }));
const PRODUCTION = STACKS.filter(({ config }) => config.environment === "production").map(({ stack }) => stack);
const TEST = STACKS.filter(({ config }) => config.environment === "test").map(({ stack }) => stack);

function configOf(stack: string, root: string): StackConfig {
  return parseStackConfig(projectConfigObject(readStackFile(stack, root).config, PROJECT));
}

function bucketsOf(plan: Plan): PlannedResource[] {
  const buckets = plan.resources.filter(isBucket);
  expect(buckets.map((bucket) => bucket.name)).toEqual(["media-bucket"]);
  return buckets;
}

/** What `pulumi destroy` needs to remove a test stack with its objects. */
function expectDestroysCleanly(plan: Plan): void {
  const held = plan.resources
    .filter((resource) => resource.protect || resource.retainOnDelete)
    .map((resource) => resource.name);
  expect(held).toEqual([]);
  for (const bucket of bucketsOf(plan)) {
    // R2 has no forceDestroy: R2 refuses to delete a bucket that still holds objects (docs/cloudflare.md, "Tearing down").
    const expected = BUCKET_FACTS[bucket.type as keyof typeof BUCKET_FACTS].hasForceDestroy ? true : undefined;
    expect(bucket.inputs.forceDestroy).toBe(expected);
  }
}

describe("pulumi destroy of a committed production stack", () => {
  it("has production stacks to check", () => {
    expect(PRODUCTION.length).toBeGreaterThan(0);
  });

  it.each(PRODUCTION)(
    "leaves the %s bucket and its media in place: protected, retained on delete, no forceDestroy",
    async (stack) => {
      const plan = await planStack(stack);
      for (const bucket of bucketsOf(plan)) {
        expect({
          protect: bucket.protect,
          retainOnDelete: bucket.retainOnDelete,
          forceDestroy: bucket.inputs.forceDestroy ?? false,
        }).toEqual({
          protect: true,
          retainOnDelete: true,
          forceDestroy: false,
        });
      }
    },
  );
});

describe("pulumi destroy of a committed test stack", () => {
  it.each(TEST)(
    "removes the %s stack with its objects: nothing protected or retained, forceDestroy on the bucket",
    async (stack) => {
      expectDestroysCleanly(await planStack(stack));
    },
  );
});

describe("pulumi destroy of a review stack", () => {
  // A long number and the longest template bucket: the derived names must stay valid.
  const pullRequest = 987654;

  it.each(PRODUCTION)(
    "removes the review stack derived from %s with its objects, and it touches none of its names",
    async (template) => {
      const root = mkdtempSync(path.join(tmpdir(), "review-stack-"));
      const review = reviewStackFile(
        readFileSync(stackFilePath(template, PROJECT_ROOT), "utf8"),
        template,
        pullRequest,
        PROJECT,
      );
      writeFileSync(stackFilePath(review.stack, root), review.yaml);

      const config = configOf(review.stack, root);
      const original = configOf(template, PROJECT_ROOT);
      expect(config.environment).toBe("test");
      expect(config.bucket).not.toBe(original.bucket);
      expect(config.mediaDomain === undefined || config.mediaDomain !== original.mediaDomain).toBe(true);

      const plan = await planStack(review.stack, root);
      expect(plan.violations.filter((violation) => violation.level === "mandatory")).toEqual([]);
      expectDestroysCleanly(plan);
    },
  );
});
