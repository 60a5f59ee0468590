import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FINDING_IDS } from "../../../cli/doctor/finding";

const TROUBLESHOOTING = path.resolve(__dirname, "../../../docs/troubleshooting.md");

describe("FINDING_IDS", () => {
  it("are the ids docs/troubleshooting.md lists, in its order", () => {
    const rows = readFileSync(TROUBLESHOOTING, "utf8")
      .split("\n")
      .filter((line) => line.startsWith("| `"));
    const documented = rows.flatMap((row) =>
      [...(row.split("|")[1] ?? "").matchAll(/`([a-z0-9-]+)`/g)].map((match) => match[1]),
    );
    expect([...new Set(documented)]).toEqual([...FINDING_IDS]);
  });
});
