import { describe, expect, it } from "vitest";
import { blockNames, LOCATION_VARIABLES, mergeEnvBlock } from "../../../components/mastodon-host/merge";
import { parseEnvFile } from "../../../mastodon-env/env-file";
import { BLOCK, MERGE_FIXTURES } from "../../helpers/env-merge-fixtures";

describe("mergeEnvBlock", () => {
  for (const fixture of MERGE_FIXTURES) {
    it(fixture.name, () => {
      expect(mergeEnvBlock(fixture.before, BLOCK).text).toBe(fixture.after);
    });
  }

  it("is idempotent: merging the same block again changes nothing", () => {
    for (const fixture of MERGE_FIXTURES) expect(mergeEnvBlock(fixture.after, BLOCK).text).toBe(fixture.after);
  });

  it("leaves a file Mastodon reads with exactly the block's storage values, and every other value as it was", () => {
    for (const fixture of MERGE_FIXTURES) {
      const before = parseEnvFile(fixture.before).values;
      const after = parseEnvFile(fixture.after).values;
      const block = parseEnvFile(BLOCK).values;
      for (const [name, value] of block) expect(after.get(name)).toBe(value);
      for (const [name, value] of before) {
        if (!block.has(name) && !(LOCATION_VARIABLES as readonly string[]).includes(name))
          expect(after.get(name)).toBe(value);
      }
      for (const name of LOCATION_VARIABLES) if (!block.has(name)) expect(after.has(name)).toBe(false);
    }
  });

  it("reports which old lines it removed and where the block went", () => {
    const result = mergeEnvBlock(MERGE_FIXTURES[3]!.before, BLOCK);
    expect(result.removedLines).toEqual([1, 3, 4]);
    expect(result.insertedAt).toBe(1);
  });

  it("reads the names a block sets", () => {
    expect(blockNames("A=1\nexport B=2\n# C=3\n\n")).toEqual(["A", "B"]);
  });
});
