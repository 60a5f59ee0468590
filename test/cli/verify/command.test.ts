import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { verifyCommand } from "../../../cli/verify/command";

const dir = mkdtempSync(path.join(tmpdir(), "verify-command-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GOOD_ENV = [
  "S3_ENABLED=true",
  "S3_BUCKET=example-social-media",
  "S3_REGION=us-east-1",
  "S3_ENDPOINT=http://127.0.0.1:9",
  "S3_ALIAS_HOST=files.example.com",
  "AWS_ACCESS_KEY_ID=EXAMPLEKEY",
  "AWS_SECRET_ACCESS_KEY=examplesecret",
  "",
].join("\n");

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stderr = "";
  const code = await verifyCommand(env)(argv, { out: () => undefined, err: (text) => void (stderr += text) });
  return { code, stderr };
}

describe("verify names where an input mistake is", () => {
  it("blames --mastodon and MASTODON_ACCESS_TOKEN on verify's input, not on a good env file", async () => {
    const file = path.join(dir, "good.env");
    writeFileSync(file, GOOD_ENV);
    const result = await run(["--env", file, "--mastodon", "notaurl"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("verify's input (--mastodon, MASTODON_ACCESS_TOKEN) has 2 problems");
    expect(result.stderr).toContain("MASTODON_ACCESS_TOKEN is not set");
    expect(result.stderr).not.toContain("The env file");
  });

  it("names each source apart when both have problems", async () => {
    const file = path.join(dir, "bad.env");
    writeFileSync(file, "S3_ENABLED=true\n");
    const result = await run(["--env", file, "--mastodon", "https://social.example.com"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`The env file ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} has \\d+ problems?;`),
    );
    expect(result.stderr).toContain("verify's input (--mastodon, MASTODON_ACCESS_TOKEN) has 1 problem;");
  });
});
