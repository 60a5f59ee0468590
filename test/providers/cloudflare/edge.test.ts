import { describe, expect, it } from "vitest";
import { UserError } from "../../../components/errors";
import {
  assertNoForeignEntryPoints,
  foreignEntryPoints,
  type ZoneRuleset,
} from "../../../providers/cloudflare/entry-points";
import { mediaHeaderRules, mediaHostMatch } from "../../../providers/cloudflare/edge-rules";

const ZONE = "fedcba9876543210fedcba9876543210";
const ruleset = (phase: string, name: string, kind = "zone"): ZoneRuleset => ({ id: `${phase}-id`, kind, name, phase });

describe("foreignEntryPoints", () => {
  it("finds the zone entry points of the phases this stack owns that another hand made", () => {
    const rulesets = [
      ruleset("http_request_firewall_custom", "default"),
      ruleset("http_response_headers_transform", "Zone response header rules (managed by mastodon-media)"),
      ruleset("http_request_dynamic_redirect", "Redirects from the dashboard"),
      ruleset("http_request_firewall_managed", "Cloudflare Managed Free Ruleset", "managed"),
      ruleset("http_request_cache_settings", "default"),
    ];
    expect(foreignEntryPoints(rulesets, "organization/mastodon-media/test").map((r) => r.phase)).toEqual([
      "http_request_firewall_custom",
      "http_request_dynamic_redirect",
    ]);
  });

  it("lets a redeploy through: its own entry points carry the project's mark", () => {
    expect(() =>
      assertNoForeignEntryPoints(
        ZONE,
        "files.example.com",
        [ruleset("http_request_firewall_custom", "Zone custom rules (managed by mastodon-media)")],
        "organization/mastodon-media/test",
      ),
    ).not.toThrow();
  });

  it("stops with one error naming every foreign entry point", () => {
    const rulesets = [
      ruleset("http_request_firewall_custom", "default"),
      ruleset("http_request_dynamic_redirect", "mine"),
    ];
    expect(() =>
      assertNoForeignEntryPoints(ZONE, "files.example.com", rulesets, "organization/mastodon-media/test"),
    ).toThrow(UserError);
    expect(() =>
      assertNoForeignEntryPoints(ZONE, "files.example.com", rulesets, "organization/mastodon-media/test"),
    ).toThrow(
      /already has entry-point rulesets .*\n {2}- phase http_request_firewall_custom: ruleset "default" \(id http_request_firewall_custom-id\).*\n {2}- phase http_request_dynamic_redirect: ruleset "mine" .*the HTTP to HTTPS redirect on files\.example\.com\n/,
    );
  });
});

describe("mediaHostMatch", () => {
  it("matches the media host in lower case, with and without the trailing dot of a fully qualified Host", () => {
    expect(mediaHostMatch("Files.Example.com")).toBe('lower(http.host) in {"files.example.com" "files.example.com."}');
  });
});

describe("mediaHeaderRules", () => {
  it("sets HSTS, nosniff and Vary: Origin (keeping Accept-Encoding) on every response in list mode, and one CORS rule for all listed origins", () => {
    const rules = mediaHeaderRules("files.example.com", ["https://social.example.com", "https://elk.zone"]);
    expect(rules.map((rule) => rule.ref)).toEqual(["mastodon_media_headers", "mastodon_media_headers_cors"]);
    // Matched or not, the answer depends on Origin: every response of the media host says so.
    expect(rules[0]).toMatchObject({ expression: '(lower(http.host) in {"files.example.com" "files.example.com."})' });
    expect(rules[0]?.actionParameters.headers).toEqual({
      "Strict-Transport-Security": { operation: "set", value: "max-age=63072000" },
      "X-Content-Type-Options": { operation: "set", value: "nosniff" },
      Vary: { operation: "set", value: "Accept-Encoding, Origin" },
    });
    expect(rules[1]?.expression).toBe(
      '(lower(http.host) in {"files.example.com" "files.example.com."} and http.request.headers["origin"][0] in {"https://social.example.com" "https://elk.zone"})',
    );
    expect(rules[1]?.actionParameters.headers).toEqual({
      "Access-Control-Allow-Origin": { operation: "set", expression: 'http.request.headers["origin"][0]' },
      "Access-Control-Expose-Headers": { operation: "set", value: "ETag" },
    });
  });

  it("with any origin, one static rule and no Vary", () => {
    const rules = mediaHeaderRules("files.example.com", ["*"]);
    expect(rules).toHaveLength(1);
    expect(rules[0]?.actionParameters.headers).not.toHaveProperty("Vary");
    expect(rules[0]?.actionParameters.headers["Access-Control-Allow-Origin"]).toEqual({ operation: "set", value: "*" });
  });
});
