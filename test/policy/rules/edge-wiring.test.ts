import { describe, expect, it } from "vitest";
import { mediaHeaderRules, mediaHttpsRedirectRule } from "../../../providers/cloudflare/edge-rules";
import { previousMediaRedirectRules } from "../../../providers/cloudflare/previous-media-redirect";
import { cloudfrontPreflightForwardsOrigin } from "../../../policy/rules/cloudfront-preflight-forwards-origin";
import { r2MediaHostCorsAfterCache } from "../../../policy/rules/r2-media-host-cors-after-cache";
import { r2MediaHostHttpsRedirect } from "../../../policy/rules/r2-media-host-https-redirect";
import { aws, cloudflare } from "../fixtures";
import { validateResource, validateStack } from "../helpers";

/**
 * The wiring of the media host at the edge, which no mock can see working: R2's plain HTTP and its CORS headers
 * lost in Cloudflare's cache (R2 docs, "Configure CORS"; Cloudflare docs, "Cache-Control"), CloudFront's preflight
 * without Origin (S3 API reference, "OPTIONS object"). Rulesets are built with the program's own rule builders.
 */
const ZONE = String(cloudflare.customDomain().props.zoneId);
const ruleset = (phase: string, rules: unknown[]) => ({
  type: "cloudflare:index/ruleset:Ruleset",
  props: { kind: "zone", phase, zoneId: ZONE, rules } as Record<string, unknown>,
});
const redirects = (rules: unknown[] = [mediaHttpsRedirectRule("files.example.com")]) =>
  ruleset("http_request_dynamic_redirect", rules);
const headers = (origins: string[]) =>
  ruleset("http_response_headers_transform", mediaHeaderRules("files.example.com", origins));
const corsFor = (origins: string[]) => {
  const cors = cloudflare.cors();
  (cors.props.rules as { allowed: { origins: string[] } }[])[0]!.allowed.origins = origins;
  return cors;
};
const messages = async (rule: Parameters<typeof validateStack>[0], resources: Parameters<typeof validateStack>[1]) =>
  (await validateStack(rule, resources)).map((finding) => finding.message);

describe("r2-media-host-https-redirect", () => {
  const rule = r2MediaHostHttpsRedirect;

  it("passes the stack's Single Redirect of plain HTTP on the media host", async () => {
    expect(await messages(rule, [cloudflare.customDomain(), redirects()])).toEqual([]);
  });

  it("fails a media host with no redirect, or a redirect in another zone", async () => {
    const expected = [
      "The R2 custom domain files.example.com must redirect plain HTTP to HTTPS (a Single Redirect in its zone): R2 serves media over plain HTTP otherwise.",
    ];
    expect(await messages(rule, [cloudflare.customDomain()])).toEqual(expected);
    const elsewhere = redirects();
    elsewhere.props.zoneId = "ffffffffffffffffffffffffffffffff";
    expect(await messages(rule, [cloudflare.customDomain(), elsewhere])).toEqual(expected);
  });

  it("fails a temporary redirect, and one that also catches HTTPS (a loop)", async () => {
    const temporary = mediaHttpsRedirectRule("files.example.com");
    temporary.actionParameters.fromValue.statusCode = 302;
    expect(await messages(rule, [cloudflare.customDomain(), redirects([temporary])])).toEqual([
      'The redirect of plain HTTP on files.example.com (rule mastodon_media_https) must be permanent (301 or 308) and go to https://: found 302 to concat("https://", http.host, http.request.uri.path).',
    ]);
    const loop = {
      ...mediaHttpsRedirectRule("files.example.com"),
      expression: '(lower(http.host) in {"files.example.com" "files.example.com."})',
    };
    expect(await messages(rule, [cloudflare.customDomain(), redirects([loop])])).toEqual([
      "HTTPS requests for media on files.example.com must end at the media, not loop: rule mastodon_media_https redirects https://files.example.com/media_attachments/files/000/000/001/original/a.png to https://files.example.com/media_attachments/files/000/000/001/original/a.png, a loop.",
    ]);
  });

  it("passes a previous base on the media host redirected once to the key prefix, and fails it when the current base is not excluded (issue #21)", async () => {
    const fixed = previousMediaRedirectRules(["files.example.com"], "files.example.com", "social");
    expect(
      await messages(rule, [
        cloudflare.customDomain(),
        redirects([mediaHttpsRedirectRule("files.example.com"), ...fixed]),
      ]),
    ).toEqual([]);
    const looping = fixed.map((redirect) => ({
      ...redirect,
      expression: redirect.expression.replace(/ and not starts_with\([^)]*\)/, ""),
    }));
    expect(
      await messages(rule, [
        cloudflare.customDomain(),
        redirects([mediaHttpsRedirectRule("files.example.com"), ...looping]),
      ]),
    ).toEqual([
      "HTTPS requests for media on files.example.com must end at the media, not loop: the redirects never end: https://files.example.com/media_attachments/files/000/000/001/original/a.png -> https://files.example.com/social/media_attachments/files/000/000/001/original/a.png -> https://files.example.com/social/social/media_attachments/files/000/000/001/original/a.png -> https://files.example.com/social/social/social/media_attachments/files/000/000/001/original/a.png -> https://files.example.com/social/social/social/social/media_attachments/files/000/000/001/original/a.png -> ....",
    ]);
  });
});

describe("r2-media-host-cors-after-cache", () => {
  const rule = r2MediaHostCorsAfterCache;

  it("passes the stack's rules for any origin and for a list of origins", async () => {
    expect(await messages(rule, [cloudflare.customDomain(), cloudflare.cors(), headers(["*"])])).toEqual([]);
    const listed = ["https://social.example.com", "https://elk.zone"];
    expect(await messages(rule, [cloudflare.customDomain(), corsFor(listed), headers(listed)])).toEqual([]);
  });

  it("fails a media host with only HSTS and nosniff at the edge (R2's CORS headers lost in the cache)", async () => {
    const security = headers(["*"]);
    delete (security.props.rules as { actionParameters: { headers: Record<string, unknown> } }[])[0]!.actionParameters
      .headers["Access-Control-Allow-Origin"];
    expect(await messages(rule, [cloudflare.customDomain(), cloudflare.cors(), security])).toEqual([
      "The R2 custom domain files.example.com must set Access-Control-Allow-Origin after the cache (a response header transform rule in its zone) for https://third-party-client.example: R2's own CORS headers are lost on cached copies.",
    ]);
  });

  it("fails edge rules that miss a listed origin, and list mode without Vary: Origin on every response", async () => {
    const listed = ["https://social.example.com", "https://elk.zone"];
    expect(
      await messages(rule, [cloudflare.customDomain(), corsFor(listed), headers(["https://social.example.com"])]),
    ).toEqual([
      "The R2 custom domain files.example.com must set Access-Control-Allow-Origin after the cache (a response header transform rule in its zone) for https://elk.zone: R2's own CORS headers are lost on cached copies.",
    ]);
    const noVary = headers(listed);
    delete (noVary.props.rules as { actionParameters: { headers: Record<string, unknown> } }[])[0]!.actionParameters
      .headers.Vary;
    expect(await messages(rule, [cloudflare.customDomain(), corsFor(listed), noVary])).toEqual([
      "Every response of files.example.com must carry Vary: Origin when CORS lists origins: a copy answered to one origin (or to none) would be reused for another.",
    ]);
  });
});

describe("cloudfront-preflight-forwards-origin", () => {
  const rule = cloudfrontPreflightForwardsOrigin;

  it("passes OPTIONS with the managed CORS-S3Origin policy, and a behaviour without OPTIONS", async () => {
    expect(await validateResource(rule, aws.distribution())).toEqual([]);
    const getOnly = aws.distribution();
    const behaviour = getOnly.props.defaultCacheBehavior as Record<string, unknown>;
    behaviour.allowedMethods = ["GET", "HEAD"];
    delete behaviour.originRequestPolicyId;
    expect(await validateResource(rule, getOnly)).toEqual([]);
  });

  it("fails OPTIONS without an origin request policy that forwards Origin", async () => {
    const broken = aws.distribution();
    delete (broken.props.defaultCacheBehavior as Record<string, unknown>).originRequestPolicyId;
    expect(await validateResource(rule, broken)).toEqual([
      "The default cache behaviour allows OPTIONS but must forward Origin to the origin (originRequestPolicyId CORS-S3Origin, 88a5eaf4-2fd4-4709-b370-b4c650ea3fcf): found no origin request policy, and S3 answers such preflights 400.",
    ]);
  });
});
