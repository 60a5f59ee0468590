import { describe, expect, it } from "vitest";
import { corsOrigin, DEFAULT_ORIGIN } from "../../../live-checks/cors-origin";
import { parseVerifyArgs } from "../../../cli/verify/args";
import { selfCheckCommand } from "../../../components/self-check";

describe("parseVerifyArgs", () => {
  it("reads exactly the flags the pulumi up self-check passes", () => {
    const argv = selfCheckCommand("https://social.example.com").split("; ")[0]?.split(" -- ")[1]?.split(" ") ?? [];
    expect(parseVerifyArgs(argv)).toEqual({
      help: false,
      options: { env: "-", origin: "https://social.example.com", json: false, retryForSeconds: 900 },
    });
  });

  it("defaults to no retries and text output", () => {
    expect(parseVerifyArgs(["--env", ".env.production"])).toEqual({
      help: false,
      options: { env: ".env.production", origin: undefined, json: false, retryForSeconds: 0 },
    });
    expect(parseVerifyArgs(["--env", "x", "--json"])).toMatchObject({ options: { json: true } });
  });

  it("reports every bad flag at once", () => {
    expect(parseVerifyArgs(["--origin", "https://social.example.com/path", "--retry-for", "1.5"])).toEqual({
      help: false,
      problems: [
        "--env is required: a file, or - for standard input",
        '--origin must be an origin such as https://social.example.com, without a path (got "https://social.example.com/path")',
        '--retry-for must be a whole number of seconds from 0 to 3600 (got "1.5")',
      ],
    });
    expect(parseVerifyArgs(["--env", "x", "--retry-for", "7200"])).toMatchObject({
      problems: ['--retry-for must be a whole number of seconds from 0 to 3600 (got "7200")'],
    });
  });

  it("rejects unknown flags and positional arguments", () => {
    expect(parseVerifyArgs(["--env", "x", "--verbose"])).toMatchObject({
      help: false,
      problems: [expect.stringContaining("--verbose")],
    });
    expect(parseVerifyArgs(["--env", "x", "extra"])).toMatchObject({
      help: false,
      problems: [expect.stringContaining("extra")],
    });
  });

  it("answers --help", () => {
    expect(parseVerifyArgs(["--help"])).toEqual({ help: true });
  });
});

describe("corsOrigin", () => {
  it("prefers the flag, then the instance named in a full Mastodon env, then a third-party origin", () => {
    const env = new Map([
      ["LOCAL_DOMAIN", "example.com"],
      ["WEB_DOMAIN", "social.example.com"],
    ]);
    expect(corsOrigin("https://elk.example", env)).toBe("https://elk.example");
    expect(corsOrigin(undefined, env)).toBe("https://social.example.com");
    expect(corsOrigin(undefined, new Map([["LOCAL_DOMAIN", "example.com"]]))).toBe("https://example.com");
    expect(corsOrigin(undefined, new Map())).toBe(DEFAULT_ORIGIN);
  });
});
