import { describe, expect, it } from "vitest";
import { takeJsonOption } from "../../../cli/shared/json-option";

describe("takeJsonOption", () => {
  it("takes --json with a file, with -, alone before another flag, and at the end", () => {
    expect(takeJsonOption(["--env", "x", "--json", "out.json"])).toEqual({ argv: ["--env", "x"], json: "out.json" });
    expect(takeJsonOption(["--json", "-", "--env", "x"])).toEqual({ argv: ["--env", "x"], json: "-" });
    expect(takeJsonOption(["--json", "--env", "x"])).toEqual({ argv: ["--env", "x"], json: "-" });
    expect(takeJsonOption(["--env", "x", "--json"])).toEqual({ argv: ["--env", "x"], json: "-" });
  });

  it("leaves argv alone without the flag", () => {
    expect(takeJsonOption(["--env", "x"])).toEqual({ argv: ["--env", "x"] });
  });
});
