import { describe, expect, it } from "vitest";
import { doctorCommand } from "../../../cli/doctor/command";
import { migrateCommand } from "../../../cli/migrate/command";
import { planCommand } from "../../../cli/plan/command";
import { purgeCommand } from "../../../cli/purge/command";
import type { Command } from "../../../cli/shared/command";
import { parseOptions } from "../../../cli/shared/options";
import { verifyCommand } from "../../../cli/verify/command";

async function run(command: Command, argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await command(argv, { out: (text) => void (stdout += text), err: (text) => void (stderr += text) });
  return { code, stdout, stderr };
}

describe("every command refuses a repeated single-value option (exit 2, naming it), never last-wins", () => {
  it.each([
    ["plan", planCommand, ["--stack", "aws", "--stack", "cloudflare"], "--stack"],
    ["verify", verifyCommand({}), ["--env", "a.env", "--env", "b.env"], "--env"],
    ["verify", verifyCommand({}), ["--env", "a.env", "--json", "a.json", "--json", "b.json"], "--json"],
    ["doctor", doctorCommand, ["--env", "a.env", "--previous", "x.env", "--previous", "y.env"], "--previous"],
    ["migrate", migrateCommand, ["--from", "local:/a", "--from", "local:/b", "--to-env", "n.env"], "--from"],
    ["migrate", migrateCommand, ["--from", "local:/a", "--to-env", "n.env", "--to-env=m.env"], "--to-env"],
    [
      "purge",
      purgeCommand({}),
      [
        "--nginx",
        "--media-base",
        "https://a.example",
        "--media-base",
        "https://b.example",
        "--url",
        "https://a.example/x.png",
      ],
      "--media-base",
    ],
  ] as const)("%s: a repeated option", async (name, command, argv, flag) => {
    const result = await run(command, [...argv]);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe(
      `${name}: ${flag} is given more than once: give it once (which one was meant is not guessed)`,
    );
    expect(result.stderr).toContain("usage: npm run");
  });

  it("keeps repeatable options repeatable (purge --url) and a repeated boolean harmless", async () => {
    const result = await run(purgeCommand({}), [
      "--nginx",
      "--nginx",
      "--media-base",
      "https://a.example",
      "--dry-run",
      "--url",
      "https://a.example/x.png",
      "--url",
      "https://a.example/y.png",
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("https://a.example/x.png");
    expect(result.stdout).toContain("https://a.example/y.png");
  });
});

describe("parseOptions rewords node's parseArgs messages", () => {
  const options = { env: { type: "string" }, live: { type: "boolean" } } as const;
  it.each([
    [["--env"], "--env needs a value"],
    [["--env", "--live"], "--env needs a value (a value starting with - is written --env=VALUE)"],
    [["--live=yes"], "--live takes no value"],
    [["--bogus"], "unknown option --bogus"],
    [["extra"], 'unexpected argument "extra"'],
  ])("%j: %s", (argv, problem) => {
    expect(parseOptions(argv, options)).toEqual({ problems: [problem] });
  });

  it("gives the value, the positionals and --json's file", () => {
    expect(parseOptions(["--env", "a", "--json", "out.json"], options, { json: true })).toEqual({
      values: { env: "a" },
      positionals: [],
      json: "out.json",
    });
  });
});
