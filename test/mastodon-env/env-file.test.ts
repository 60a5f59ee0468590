import { describe, expect, it } from "vitest";
import { parseEnvFile } from "../../mastodon-env/env-file";

describe("parseEnvFile", () => {
  it("reads plain, exported, quoted and commented assignments the way dotenv loads them", () => {
    const file = parseEnvFile(
      [
        "# Mastodon storage",
        "",
        "S3_ENABLED=true",
        "export S3_BUCKET=example-social-media",
        "S3_REGION=eu-central-1 # the bucket's region",
        "S3_PERMISSION=",
        "AWS_SECRET_ACCESS_KEY='wJalrXUtnFEMI/K7MDENG#bPxRfiCYEXAMPLEKEY'",
        'SMTP_FROM_ADDRESS="Mastodon <notifications@example.com>"',
        'MULTI="first\\nsecond',
        'third"',
        "LAST=1",
      ].join("\n"),
    );
    expect(file.problems).toEqual([]);
    expect(Object.fromEntries(file.values)).toEqual({
      S3_ENABLED: "true",
      S3_BUCKET: "example-social-media",
      S3_REGION: "eu-central-1",
      S3_PERMISSION: "",
      AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG#bPxRfiCYEXAMPLEKEY",
      SMTP_FROM_ADDRESS: "Mastodon <notifications@example.com>",
      MULTI: "first\nsecond\nthird",
      LAST: "1",
    });
    expect(file.lines.get("LAST")).toBe(11);
  });

  it("accepts Windows line endings and a byte order mark", () => {
    const file = parseEnvFile("\uFEFFS3_ENABLED=true\r\nS3_BUCKET=media\r\n");
    expect(file.problems).toEqual([]);
    expect(file.values.get("S3_BUCKET")).toBe("media");
  });

  it("reports each malformed line by number and never repeats its text, which may hold a credential", () => {
    const file = parseEnvFile(
      [
        "S3_REGION us-east-1",
        "AWS_SECRET_ACCESS_KEY = topsecretvalue",
        "1BAD=x",
        "S3_HOSTNAME='files.example.com",
        'S3_ALIAS_HOST="files.example.com" trailing',
        "AWS_ACCESS_KEY_ID=AKIA'EXAMPLE",
        "S3_BUCKET=media#archive",
        "just some words",
      ].join("\n"),
    );
    expect(file.problems).toEqual([
      "line 1: S3_REGION has no '=': expected S3_REGION=value",
      "line 2: AWS_SECRET_ACCESS_KEY has spaces around '=': write NAME=value without spaces",
      "line 3: the text before '=' is not a variable name (letters, digits and _); the line is not shown: it may hold a credential",
      "line 4: S3_HOSTNAME has no closing single quote",
      "line 5: S3_ALIAS_HOST has text after its closing quote",
      "line 6: AWS_ACCESS_KEY_ID has a stray quote: quote the whole value or none of it",
      "line 7: S3_BUCKET has a '#' in an unquoted value, where dotenv cuts it: quote the value",
      "line 8: expected NAME=value (the line is not shown: it may hold a credential)",
    ]);
    expect(file.problems.join("\n")).not.toContain("topsecretvalue");
    expect([...file.malformed].sort()).toEqual([
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "S3_ALIAS_HOST",
      "S3_BUCKET",
      "S3_HOSTNAME",
      "S3_REGION",
    ]);
    expect(file.values.size).toBe(0);
  });

  it("passes over malformed lines of variables it does not read, as Mastodon's dotenv does, and reads the storage lines", () => {
    const file = parseEnvFile(
      [
        "LOCAL_DOMAIN=social.example.com",
        "SMTP_LOGIN notifications",
        "DB_PASS = hunter2",
        "SECRET_KEY_BASE='abc",
        "S3_BUCKET=media",
        "S3_REGION eu-west-1",
      ].join("\n"),
    );
    expect(file.problems).toEqual(["line 6: S3_REGION has no '=': expected S3_REGION=value"]);
    expect(file.values.get("S3_BUCKET")).toBe("media");
    expect(file.values.get("LOCAL_DOMAIN")).toBe("social.example.com");
    expect(file.problems.join("\n")).not.toContain("hunter2");
  });

  it("never repeats a secret pasted on a line of its own or in front of an '=', whatever its shape", () => {
    const secrets = [
      "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY=",
      "AKIAIOSFODNN7EXAMPLE",
      "Xq3rExampleRawTokenValue0000 = 1",
      "ghp_abcdefSECRET 'x",
    ];
    const file = parseEnvFile(secrets.join("\n"));
    expect(file.problems).toHaveLength(4);
    for (const problem of file.problems) expect(problem).toMatch(/^line \d: /);
    const shown = file.problems.join("\n");
    for (const fragment of ["wJalr", "AKIA", "Xq3r", "ghp_", "SECRET"]) expect(shown).not.toContain(fragment);
    expect(file.malformed.size).toBe(0);
  });

  it("reports an unclosed double quote on its own line and reads the lines after it normally", () => {
    const file = parseEnvFile(['AWS_SECRET_ACCESS_KEY="abc', "S3_BUCKET=media"].join("\n"));
    expect(file.problems).toEqual(["line 1: AWS_SECRET_ACCESS_KEY has no closing double quote"]);
    expect(file.values.get("S3_BUCKET")).toBe("media");
  });

  it("reports a storage variable set twice, and keeps the last value as dotenv does", () => {
    const file = parseEnvFile(["S3_BUCKET=old", "OTHER=1", "OTHER=2", "S3_BUCKET=new"].join("\n"));
    expect(file.problems).toEqual(["line 4: S3_BUCKET is already set on line 1: keep one of them"]);
    expect(file.values.get("S3_BUCKET")).toBe("new");
    expect(file.values.get("OTHER")).toBe("2");
  });
});
