import { describe, expect, it } from "vitest";
import { evaluateExpression } from "../../../policy/analysis/rules-language/evaluate";
import { parseExpression, RulesLanguageError } from "../../../policy/analysis/rules-language/parse";

const request = { "http.host": "Files.Example.com.", "http.request.uri.path": "/social/backups%2F1.zip" };
const run = (expression: string) => evaluateExpression(expression, request);

describe("the Rules-language evaluator", () => {
  it("applies the functions a guard uses", () => {
    expect(run('lower(http.host) eq "files.example.com."')).toBe(true);
    expect(run('upper(http.host) eq "FILES.EXAMPLE.COM."')).toBe(true);
    expect(run('url_decode(http.request.uri.path) eq "/social/backups/1.zip"')).toBe(true);
    expect(run('starts_with(http.request.uri.path, "/social/")')).toBe(true);
    expect(run('ends_with(http.request.uri.path, ".zip")')).toBe(true);
    expect(run("len(http.host) eq 18")).toBe(true);
    expect(evaluateExpression('url_decode(http.request.uri.path) eq "a b"', { "http.request.uri.path": "a+b" })).toBe(
      true,
    );
    expect(
      evaluateExpression('url_decode(http.request.uri.path, "r") eq "/a/b"', { "http.request.uri.path": "/a%252Fb" }),
    ).toBe(true);
    expect(
      evaluateExpression('url_decode(http.request.uri.path) eq "/a%2Fb"', { "http.request.uri.path": "/a%252Fb" }),
    ).toBe(true);
  });

  it("applies the comparison operators, symbols included", () => {
    expect(run('http.host == "Files.Example.com."')).toBe(true);
    expect(run('http.host != "files.example.com"')).toBe(true);
    expect(run('lower(http.host) in {"files.example.com" "files.example.com."}')).toBe(true);
    expect(run('http.request.uri.path contains "backups"')).toBe(true);
    expect(run('http.request.uri.path matches "^/[a-z]+/backups"')).toBe(true);
    expect(run('http.request.uri.path ~ "^/backups"')).toBe(false);
    expect(run('http.host wildcard "files.*"')).toBe(true);
    expect(run('http.host strict wildcard "files.*"')).toBe(false);
  });

  it("follows the documented precedence: not, and, xor, or", () => {
    expect(run('http.host eq "x" and http.host eq "y" or http.host contains "Files"')).toBe(true);
    expect(run('not http.host eq "x" and http.host eq "y"')).toBe(false);
    expect(run('not (http.host eq "x" and http.host eq "y")')).toBe(true);
    expect(run('http.host contains "F" ^^ http.host contains "E"')).toBe(false);
    expect(run('!(http.host contains "F") || http.host contains "E" && http.host contains "."')).toBe(true);
  });

  it("reads escapes and raw strings", () => {
    expect(evaluateExpression('http.host eq "a\\"b"', { "http.host": 'a"b' })).toBe(true);
    expect(evaluateExpression('http.host eq r#"a"b"#', { "http.host": 'a"b' })).toBe(true);
  });

  it("refuses what it cannot evaluate instead of guessing", () => {
    expect(() => run("cf.edge.server_port eq 443")).toThrowError(
      new RulesLanguageError("the field cf.edge.server_port is not modelled by the plan's requests"),
    );
    expect(() => run('regex_replace(http.host, "a", "b") eq "x"')).toThrowError(RulesLanguageError);
    expect(() => run("http.host")).toThrowError(RulesLanguageError);
    expect(() => parseExpression('(http.host eq "x"')).toThrowError(RulesLanguageError);
    expect(() => parseExpression('http.host eq "x" garbage')).toThrowError(RulesLanguageError);
    expect(() => run('http.request.uri.path matches "(?<x"')).toThrowError(RulesLanguageError);
  });
});
