import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
const json = (file: string) => JSON.parse(readFileSync(path.join(root, file), "utf8"));

describe("the dependencies `pulumi up` and `--policy-pack` need at run time", () => {
  // The Pulumi CLI compiles index.ts and the policy pack with the project's own TypeScript when it finds one, and
  // otherwise with the TypeScript bundled in its Node.js language host (3.8), which rejects `import { type X }`.
  // An install without dev dependencies (`npm ci --omit=dev`, a production image) must still have it.
  it("lists typescript as a runtime dependency of the project and of the policy pack, at one exact version", () => {
    const project = json("package.json");
    const policy = json("policy/package.json");
    expect(project.dependencies.typescript).toMatch(/^\d+\.\d+\.\d+$/);
    expect(project.devDependencies?.typescript).toBeUndefined();
    expect(policy.dependencies.typescript).toBe(project.dependencies.typescript);
  });

  it("has the lock file agree: typescript is installed without dev dependencies too", () => {
    const lock = json("package-lock.json");
    expect(lock.packages[""].dependencies.typescript).toBe(json("package.json").dependencies.typescript);
    expect(lock.packages["node_modules/typescript"].dev).toBeUndefined();
    expect(lock.packages["node_modules/typescript"].devOptional).toBeUndefined();
  });
});
