import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readAgainstPlan } from "../../../cli/plan/against";
import { parsePlanArgs, UsageError } from "../../../cli/plan/args";
import { PROJECT_ROOT } from "../../../offline-plan/run";
import { readStackFile } from "../../../offline-plan/stack-file";
import { UserError } from "../../../components/errors";
import { planCli } from "../../helpers/plan-cli";

function usageErrorOf(argv: string[]): string {
  try {
    parsePlanArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`expected ${argv.join(" ")} to be refused`);
}

describe("parsePlanArgs", () => {
  it("takes -s NAME, Pulumi's own short flag, as --stack NAME", () => {
    expect(parsePlanArgs(["-s", "aws"]).stack).toBe("aws");
    expect(parsePlanArgs(["--stack=aws", "--json", "out.json", "--show-secrets"])).toMatchObject({
      stack: "aws",
      json: "out.json",
      showSecrets: true,
    });
  });

  it.each([
    [["--stack", "aws", "--bogus"], "unknown option --bogus"],
    [
      ["aws"],
      "unexpected argument aws: name the stack with --stack aws or -s aws (through npm, after --: npm run plan -- -s aws)",
    ],
    [["-s", "aws", "extra"], "unexpected argument extra"],
    [["--stack", "aws", "--json"], "--json needs a value (a file name)"],
    [["--stack", "aws", "--json", "--show-secrets"], "--json needs a value (a file name)"],
    [["--stack", "aws", "--json="], "--json needs a value"],
    [["-s"], "--stack needs a value"],
    [
      ["-s", "aws", "--stack", "cloudflare"],
      "--stack is given more than once: give it once (which one was meant is not guessed)",
    ],
    [
      ["-s", "aws", "--json", "a.json", "--json=b.json"],
      "--json is given more than once: give it once (which one was meant is not guessed)",
    ],
    [[], "--stack NAME is required (the stack file Pulumi.NAME.yaml)"],
    [["--stack", "aws", "--show-secrets=yes"], "--show-secrets takes no value"],
    [["--stack", "aws", "--fail-on-loss"], "--fail-on-loss needs --against OLD.json to compare with"],
  ])("refuses %j: %s", (argv, message) => {
    expect(usageErrorOf(argv)).toBe(message);
  });
});

describe("npm run plan on a user's mistake", () => {
  it("prints one line and the usage, exits 2, and shows no stack trace", async () => {
    const { code, stdout, stderr } = await planCli(["aws"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^plan: unexpected argument aws: name the stack with --stack aws/);
    expect(stderr).toContain("usage: npm run plan -- --stack NAME");
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 on an unknown flag", async () => {
    const { code, stderr } = await planCli(["--stack", "dev", "--colour"]);
    expect(code).toBe(2);
    expect(stderr.split("\n")[0]).toBe("plan: unknown option --colour");
  });

  it("refuses `-` as the --json or --markdown file (standard output carries the plan's text), and writes no file named -", async () => {
    for (const option of ["--json", "--markdown"]) {
      const { code, stdout, stderr } = await planCli(["--stack", "dev", option, "-"]);
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr.split("\n")[0]).toBe(
        `plan: ${option} -: the plan's text goes to standard output; give ${option} a file name`,
      );
    }
    expect(existsSync(path.join(PROJECT_ROOT, "-"))).toBe(false);
  });
});

describe("the stack file's YAML", () => {
  it("names the file, the line and the column of a syntax error, without quoting the file", () => {
    const root = mkdtempSync(path.join(tmpdir(), "yaml-"));
    writeFileSync(
      path.join(root, "Pulumi.broken.yaml"),
      "config:\n  mastodon-media:provider: aws\n mastodon-media:bucket: [x\n",
    );
    expect(() => readStackFile("broken", root)).toThrowError(UserError);
    expect(() => readStackFile("broken", root)).toThrowError(/^Pulumi\.broken\.yaml:3:1: not valid YAML: [^\n]+$/);
  });

  it("names a file that is YAML but not a stack file", () => {
    const root = mkdtempSync(path.join(tmpdir(), "yaml-"));
    writeFileSync(path.join(root, "Pulumi.list.yaml"), "- mastodon-media:provider: aws\n");
    expect(() => readStackFile("list", root)).toThrowError(
      "Pulumi.list.yaml: not a stack file: it must be a mapping with a config: mapping of keys (as pulumi config set writes it)",
    );
  });

  it("marks a key secret when a secure: value is nested in its structured value", () => {
    const root = mkdtempSync(path.join(tmpdir(), "yaml-"));
    writeFileSync(
      path.join(root, "Pulumi.nested.yaml"),
      "config:\n  mastodon-media:cloudflare:\n    accountId:\n      secure: AAABAxyz\n",
    );
    expect(readStackFile("nested", root).secretKeys).toEqual(["mastodon-media:cloudflare"]);
  });
});

describe("--against", () => {
  const root = mkdtempSync(path.join(tmpdir(), "against-"));
  writeFileSync(path.join(root, "Pulumi.aws.yaml"), "config:\n  mastodon-media:provider: aws\n");
  writeFileSync(path.join(root, "Pulumi.case12.yaml"), "config:\n  mastodon-media:provider: aws\n");
  const plan = (stack: string, provider: string) => {
    const file = path.join(root, `${stack}-${provider}.json`);
    writeFileSync(file, JSON.stringify({ stack, provider, resources: [] }));
    return file;
  };

  it("accepts a plan of the same stack, and of a review stack's template", () => {
    expect(readAgainstPlan(plan("aws", "aws"), "aws", root).stack).toBe("aws");
  });

  it("refuses, in one line, a plan of another provider, and reads a plan of another stack of the same provider", () => {
    const otherProvider = plan("aws", "cloudflare");
    expect(() => readAgainstPlan(otherProvider, "aws", root)).toThrowError(
      `--against ${otherProvider} is the plan of stack aws on cloudflare, but aws is on aws: compare plans of the same provider.`,
    );
    const otherStack = plan("dev", "minio");
    expect(() => readAgainstPlan(otherStack, "aws", root)).toThrowError(
      /is the plan of stack dev on minio, but aws is on aws/,
    );
    // An edited copy of the aws stack (the handed case12) compared with the aws stack's plan.
    expect(readAgainstPlan(plan("aws", "aws"), "case12", root).stack).toBe("aws");
  });

  it("refuses a directory, a missing file and a file that is not a plan as user errors", () => {
    expect(() => readAgainstPlan(root, "aws", root)).toThrowError(`--against ${root}: cannot be read`);
    expect(() => readAgainstPlan(path.join(root, "none.json"), "aws", root)).toThrowError(
      "no such file (write one with --json)",
    );
    const notPlan = path.join(root, "not-plan.json");
    writeFileSync(notPlan, "[1, 2]");
    expect(() => readAgainstPlan(notPlan, "aws", root)).toThrowError(UserError);
  });
});
