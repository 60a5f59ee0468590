import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../../../components/errors";
import { outputFileProblem, userPath, writeUserFile } from "../../../cli/shared/user-files";
import { planCli } from "../../helpers/plan-cli";

describe("output files the user names", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "user-files-"));

  it("names a missing folder or a folder given as the file, before any work", () => {
    expect(outputFileProblem("--json", "-")).toBeUndefined();
    expect(outputFileProblem("--json", path.join(dir, "plan.json"))).toBeUndefined();
    expect(outputFileProblem("--json", "/nonexistent-folder/x.json")).toBe(
      "--json /nonexistent-folder/x.json: its folder /nonexistent-folder does not exist",
    );
    expect(outputFileProblem("--markdown", dir)).toBe(`--markdown ${dir}: is a folder, not a file`);
  });

  it("turns a failed write into a UserError naming the option, and writes otherwise", () => {
    expect(() => writeUserFile("--json", "/nonexistent-folder/x.json", "{}")).toThrowError(UserError);
    expect(() => writeUserFile("--json", "/nonexistent-folder/x.json", "{}")).toThrowError(
      "--json /nonexistent-folder/x.json: cannot write it (its folder does not exist)",
    );
    writeUserFile("--json", path.join(dir, "ok.json"), "{}\n");
    expect(readFileSync(path.join(dir, "ok.json"), "utf8")).toBe("{}\n");
  });

  it("resolves a relative path against the folder npm was started in (INIT_CWD)", () => {
    const saved = process.env.INIT_CWD;
    process.env.INIT_CWD = dir;
    try {
      expect(userPath(".env.production")).toBe(path.join(dir, ".env.production"));
      expect(userPath("-")).toBe("-");
    } finally {
      if (saved === undefined) delete process.env.INIT_CWD;
      else process.env.INIT_CWD = saved;
    }
  });

  it("makes plan exit 2 with one line, not a stack trace, for a --json path it cannot write", async () => {
    const run = await planCli(["-s", "dev", "--json", "/nonexistent-folder/plan.json"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^plan: --json \/nonexistent-folder\/plan\.json: its folder \/nonexistent-folder does not exist\n/,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
