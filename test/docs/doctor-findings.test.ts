import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Every finding id doctor can print is listed in docs/troubleshooting.md (with its severity, what goes wrong and
 * its source): the ids are read from the rule files, as `finding("id", ...)` and `finding(cond ? "a" : "b", ...)`.
 */
const ROOT = path.resolve(__dirname, "../..");
const RULES = path.join(ROOT, "cli/doctor/rules");

describe("docs/troubleshooting.md lists every doctor finding", () => {
  it("has a row for each id in cli/doctor/rules", () => {
    const ids = new Set<string>();
    for (const file of readdirSync(RULES).filter((f) => f.endsWith(".ts"))) {
      const text = readFileSync(path.join(RULES, file), "utf8");
      for (const match of text.matchAll(/finding\(\s*(?:[\w.]+\s*\?\s*)?"([a-z0-9-]+)"(?:\s*:\s*"([a-z0-9-]+)")?/g)) {
        ids.add(match[1] as string);
        if (match[2]) ids.add(match[2]);
      }
    }
    expect(ids.size).toBeGreaterThan(40);
    const doc = readFileSync(path.join(ROOT, "docs/troubleshooting.md"), "utf8");
    expect([...ids].filter((id) => !doc.includes(`\`${id}\``)).sort()).toEqual([]);
  });
});
