import { describe, expect, it } from "vitest";
import { privateKeysExpression } from "../../../providers/cloudflare/guard-expression";
import { mediaHostRequests } from "../../../policy/analysis/media-host-requests";
import { evaluateExpression } from "../../../policy/analysis/rules-language/evaluate";

const matches = (expression: string, host: string, path: string) =>
  evaluateExpression(expression, { "http.host": host, "http.request.uri.path": path });

describe("privateKeysExpression", () => {
  const expression = privateKeysExpression("files.example.com");

  it("is the media host, with or without a trailing dot, and the private classes on the normalized and the decoded path", () => {
    expect(expression).toBe(
      '(lower(http.host) in {"files.example.com" "files.example.com."} and (' +
        'http.request.uri.path contains "/backups/" or http.request.uri.path contains "/imports/" or ' +
        'url_decode(http.request.uri.path) contains "/backups/" or url_decode(http.request.uri.path) contains "/imports/"))',
    );
  });

  it("matches a Host header with a trailing dot, in any case", () => {
    expect(matches(expression, "files.example.com.", "/backups/x")).toBe(true);
    expect(matches(expression, "FILES.Example.COM.", "/imports/x")).toBe(true);
  });

  it("matches every private sample request and no public one (as the policy judges it)", () => {
    for (const request of mediaHostRequests("files.example.com")) {
      expect([request.label, evaluateExpression(expression, request.fields)]).toEqual([
        request.label,
        request.expect === "blocked",
      ]);
    }
  });

  it("matches the private classes under any key prefix, encoded slash included", () => {
    expect(matches(expression, "files.example.com", "/social/one/backups%2F1.zip")).toBe(true);
    expect(matches(expression, "files.example.com", "/social/media_attachments/files/1.png")).toBe(false);
  });
});
