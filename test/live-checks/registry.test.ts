import { readdirSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKS, REQUIREMENT_SOURCES } from "../../live-checks/registry";

const CHECKS_DIR = path.resolve(__dirname, "../../live-checks/checks");

describe("the live-check registry", () => {
  it("lists every file of live-checks/checks/ once, and each check's id is its file's name", async () => {
    const files = readdirSync(CHECKS_DIR)
      .filter((name) => name.endsWith(".ts"))
      .map((name) => name.replace(/\.ts$/, ""))
      .sort();
    expect(CHECKS.map((check) => check.id).sort()).toEqual(files);
    for (const id of files) {
      const module = (await import(path.join(CHECKS_DIR, `${id}.ts`))) as Record<string, unknown>;
      // One check per file, and one spelling: its export is the id in camelCase (`no-listing` -> noListing).
      const exportName = id.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
      const checks = Object.entries(module).filter(
        ([, value]) => typeof (value as { run?: unknown })?.run === "function",
      );
      expect(
        checks.map(([name, value]) => [name, (value as { id: string }).id]),
        id,
      ).toEqual([[exportName, id]]);
    }
  });

  it("has requirements established by checks that run before the checks needing them", () => {
    const order = CHECKS.map((check) => check.id);
    for (const check of CHECKS) {
      for (const need of ("needs" in check ? check.needs : undefined) ?? []) {
        expect(order.indexOf(REQUIREMENT_SOURCES[need]), `${check.id} needs ${need}`).toBeLessThan(
          order.indexOf(check.id),
        );
      }
    }
  });
});
