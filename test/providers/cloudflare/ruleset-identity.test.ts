import { describe, expect, it } from "vitest";
import { OTHER_STACK_ENTRY_POINT_ZONE } from "../../../offline-plan/mocks";
import { UserError } from "../../../components/errors";
import {
  assertNoForeignEntryPoints,
  entryPointOwner,
  foreignEntryPoints,
  unmarkedEntryPoints,
  type ZoneRuleset,
} from "../../../providers/cloudflare/entry-points";
import { ENTRY_POINT_NAMES, entryPointDescription } from "../../../providers/cloudflare/ruleset-identity";
import { planConfig, resourcesOf } from "../../helpers/plan";

const ZONE = "fedcba9876543210fedcba9876543210";
const THIS = "organization/mastodon-media/test";
const config = {
  provider: "cloudflare",
  webDomain: "social.example.com",
  mediaDomain: "files.example.com",
  bucket: "example-social-media",
  cloudflare: { accountId: "0123456789abcdef0123456789abcdef", zoneId: ZONE },
};
const ruleset = (phase: string, name: string, description = ""): ZoneRuleset => ({
  id: `${phase}-id`,
  kind: "zone",
  name,
  phase,
  description,
});

describe("the zone entry points' names", () => {
  // A change of name (or phase, kind, zone) replaces the ruleset, create-before-delete, and Cloudflare refuses a
  // second entry point per phase: these strings are what every deployed stack has. Never edit them.
  it("are frozen", () => {
    expect(ENTRY_POINT_NAMES).toEqual({
      http_request_firewall_custom: "Zone custom rules (managed by mastodon-media)",
      http_response_headers_transform: "Zone response header rules (managed by mastodon-media)",
      http_request_dynamic_redirect: "Zone single redirects (managed by mastodon-media)",
    });
  });

  it("are what the stack registers, with kind zone, in the given zone, and the stack's mark in the description", async () => {
    const plan = await planConfig(config);
    const registered = resourcesOf(plan, "cloudflare:index/ruleset:Ruleset").map((r) => [
      r.inputs.phase,
      r.inputs.kind,
      r.inputs.zoneId,
      r.inputs.name,
      r.inputs.description,
    ]);
    expect(registered.sort()).toEqual(
      Object.entries(ENTRY_POINT_NAMES)
        .map(([phase, name]) => [
          phase,
          "zone",
          ZONE,
          name,
          entryPointDescription(phase as keyof typeof ENTRY_POINT_NAMES, THIS),
        ])
        .sort(),
    );
    expect(entryPointDescription("http_request_firewall_custom", THIS)).toBe(
      "Custom WAF rules of the zone, managed by the mastodon-media Pulumi project [mastodon-media stack organization/mastodon-media/test]",
    );
  });
});

describe("who owns an entry point", () => {
  const marked = (stack: string) =>
    ruleset(
      "http_request_firewall_custom",
      ENTRY_POINT_NAMES.http_request_firewall_custom,
      entryPointDescription("http_request_firewall_custom", stack),
    );

  it("is read from the stack mark in the description, not from the name", () => {
    expect(entryPointOwner(marked(THIS), THIS)).toEqual({ kind: "this-stack" });
    expect(entryPointOwner(marked("acme/mastodon-media/pr-12"), THIS)).toEqual({
      kind: "other-stack",
      stack: "acme/mastodon-media/pr-12",
    });
    expect(
      entryPointOwner(
        ruleset(
          "http_request_firewall_custom",
          ENTRY_POINT_NAMES.http_request_firewall_custom,
          "Custom WAF rules of the zone, managed by the mastodon-media Pulumi project",
        ),
        THIS,
      ),
    ).toEqual({ kind: "unmarked" });
    expect(entryPointOwner(ruleset("http_request_firewall_custom", "default"), THIS)).toEqual({ kind: "foreign" });
  });

  it("refuses another stack's entry point although its name carries the project's mark", () => {
    const rulesets = [marked("acme/mastodon-media/pr-12")];
    expect(foreignEntryPoints(rulesets, THIS)).toEqual(rulesets);
    expect(() => assertNoForeignEntryPoints(ZONE, "files.example.com", rulesets, THIS)).toThrow(UserError);
    expect(() => assertNoForeignEntryPoints(ZONE, "files.example.com", rulesets, THIS)).toThrow(
      /managed by the mastodon-media stack acme\/mastodon-media\/pr-12\); this stack needs the phase/,
    );
  });

  it("lets this stack's own, and one made before the mark (with a warning), through", () => {
    const unmarked = ruleset(
      "http_response_headers_transform",
      ENTRY_POINT_NAMES.http_response_headers_transform,
      "Response header transform rules of the zone, managed by the mastodon-media Pulumi project",
    );
    expect(() => assertNoForeignEntryPoints(ZONE, "files.example.com", [marked(THIS), unmarked], THIS)).not.toThrow();
    expect(unmarkedEntryPoints([marked(THIS), unmarked], THIS)).toEqual([unmarked]);
  });

  it("stops the plan of a stack whose zone holds another stack's entry points, before anything is registered", async () => {
    const attempt = planConfig({
      ...config,
      cloudflare: { ...config.cloudflare, zoneId: OTHER_STACK_ENTRY_POINT_ZONE },
    });
    await expect(attempt).rejects.toThrow(UserError);
    await expect(attempt).rejects.toThrow(
      /ruleset "Zone custom rules \(managed by mastodon-media\)" \(id 5a5a5a5a5a5a4a5a9a5a5a5a5a5a5a5a, last updated 2025-03-01T10:00:00Z, managed by the mastodon-media stack acme\/mastodon-media\/production\)/,
    );
  });
});
