import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { mediaUrlAnchorName } from "../../components/media-urls";
import { describe, expect, it } from "vitest";
import { planConfig, resourceOf, resourcesOf } from "../helpers/plan";
import { planCli } from "../helpers/plan-cli";
import { LEFTOVER_ENTRY_POINT_ZONE } from "../../offline-plan/mocks";
import { UserError } from "../../components/errors";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE = "fedcba9876543210fedcba9876543210";
const config = {
  provider: "cloudflare",
  webDomain: "social.example.com",
  mediaDomain: "files.example.com",
  bucket: "example-social-media",
  environment: "production",
  cloudflare: { accountId: ACCOUNT, zoneId: ZONE, locationHint: "weur" },
};
// What the mocks answer for the token (offline-plan/mocks.ts) and what R2 then expects as the secret key.
const TOKEN_ID = "8f4a0c3e2b1d4e6f9a7b5c3d1e0f2a4b";
const TOKEN_VALUE = "mock-r2-token-value-EXAMPLE";
const SECRET_KEY = createHash("sha256").update(TOKEN_VALUE).digest("hex");
const WRITE_GROUP_ID = "2efd5506f9c8494dacb1fa10a3e7d5b6";

const R2_TYPES = [
  "cloudflare:index/r2Bucket:R2Bucket",
  "cloudflare:index/r2BucketCors:R2BucketCors",
  "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle",
  "cloudflare:index/r2CustomDomain:R2CustomDomain",
  "cloudflare:index/r2ManagedDomain:R2ManagedDomain",
];
const GUARD_EXPRESSION =
  '(lower(http.host) in {"files.example.com" "files.example.com."} and (' +
  'http.request.uri.path contains "/backups/" or http.request.uri.path contains "/imports/" or ' +
  'url_decode(http.request.uri.path) contains "/backups/" or url_decode(http.request.uri.path) contains "/imports/"))';

describe("CloudflareMediaStorage", async () => {
  const plan = await planConfig(config);
  const component = resourceOf(plan, "mastodon-media:cloudflare:MediaStorage");

  it("parents every child to the component and derives every child name from it", () => {
    const children = plan.resources.filter((resource) => resource !== component);
    expect(children.map((child) => child.type).sort()).toEqual(
      [
        ...R2_TYPES,
        "cloudflare:index/accountToken:AccountToken",
        "cloudflare:index/ruleset:Ruleset",
        "cloudflare:index/ruleset:Ruleset",
        "cloudflare:index/ruleset:Ruleset",
        // No cache buster Worker, purge token or secret by default: cloudflare.cacheBuster is opt-in
        // (test/components/cloudflare-cache-buster.test.ts has the stack with it).
        // The live checks, and the anchor of the media URLs (components/media-url-anchors.ts).
        "command:local:Command",
        "command:local:Command",
      ].sort(),
    );
    for (const child of children) {
      expect(child.parent).toBe(component.urn);
      expect(child.name.startsWith("media-")).toBe(true);
    }
  });

  it("creates the named bucket with its location hint, protected and retained in production", () => {
    const bucket = resourceOf(plan, "cloudflare:index/r2Bucket:R2Bucket");
    expect(bucket.inputs).toEqual({
      accountId: ACCOUNT,
      name: "example-social-media",
      jurisdiction: "default",
      location: "weur",
    });
    expect(bucket.protect).toBe(true);
    expect(bucket.retainOnDelete).toBe(true);
    // Besides the bucket, only the anchor of the media URLs is protected (components/media-url-anchors.ts).
    const others = plan.resources.filter((resource) => resource !== bucket);
    expect(
      others.filter((resource) => resource.protect || resource.retainOnDelete).map((resource) => resource.name),
    ).toEqual([mediaUrlAnchorName("media", "files.example.com")]);
  });

  it("allows cross-origin GET and HEAD only", () => {
    expect(resourceOf(plan, "cloudflare:index/r2BucketCors:R2BucketCors").inputs).toEqual({
      accountId: ACCOUNT,
      bucketName: "example-social-media",
      jurisdiction: "default",
      rules: [
        {
          allowed: { methods: ["GET", "HEAD"], origins: ["*"], headers: ["*"] },
          exposeHeaders: ["ETag"],
          maxAgeSeconds: 3000,
        },
      ],
    });
  });

  it("aborts incomplete multipart uploads after seven days", () => {
    expect(resourceOf(plan, "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle").inputs).toEqual({
      accountId: ACCOUNT,
      bucketName: "example-social-media",
      jurisdiction: "default",
      rules: [
        {
          id: "abort-incomplete-multipart-uploads",
          enabled: true,
          conditions: { prefix: "" },
          abortMultipartUploadsTransition: { condition: { type: "Age", maxAge: 604800 } },
        },
      ],
    });
  });

  it("serves the bucket on the media host in the given zone with TLS 1.2 or newer, once the guard exists", () => {
    const domain = resourceOf(plan, "cloudflare:index/r2CustomDomain:R2CustomDomain");
    expect(domain.inputs).toEqual({
      accountId: ACCOUNT,
      bucketName: "example-social-media",
      jurisdiction: "default",
      zoneId: ZONE,
      domain: "files.example.com",
      enabled: true,
      minTls: "1.2",
    });
    expect(domain.dependsOn).toContain(resourceOf(plan, "cloudflare:index/ruleset:Ruleset", "-private-keys-guard").urn);
    expect(resourcesOf(plan, "cloudflare:index/dnsRecord:DnsRecord")).toEqual([]);
  });

  it("sets CORS, HSTS and nosniff after the cache on the media host only, with the zone's response header transform rules", () => {
    // R2 adds CORS only when a request carries Origin and Cloudflare's cache ignores Vary: a copy first cached
    // without Origin must still reach browsers with Access-Control-Allow-Origin.
    expect(resourceOf(plan, "cloudflare:index/ruleset:Ruleset", "-response-headers").inputs).toEqual({
      zoneId: ZONE,
      kind: "zone",
      phase: "http_response_headers_transform",
      name: "Zone response header rules (managed by mastodon-media)",
      description:
        "Response header transform rules of the zone, managed by the mastodon-media Pulumi project [mastodon-media stack organization/mastodon-media/test]",
      rules: [
        {
          ref: "mastodon_media_headers",
          description: "Mastodon media: HSTS, nosniff and CORS for any origin on files.example.com",
          expression: '(lower(http.host) in {"files.example.com" "files.example.com."})',
          action: "rewrite",
          actionParameters: {
            headers: {
              "Strict-Transport-Security": { operation: "set", value: "max-age=63072000" },
              "X-Content-Type-Options": { operation: "set", value: "nosniff" },
              "Access-Control-Allow-Origin": { operation: "set", value: "*" },
              "Access-Control-Expose-Headers": { operation: "set", value: "ETag" },
            },
          },
          enabled: true,
        },
      ],
    });
  });

  it("redirects plain HTTP to HTTPS on the media host only, before the media host goes live", () => {
    const redirect = resourceOf(plan, "cloudflare:index/ruleset:Ruleset", "-https-redirect");
    expect(redirect.inputs).toEqual({
      zoneId: ZONE,
      kind: "zone",
      phase: "http_request_dynamic_redirect",
      name: "Zone single redirects (managed by mastodon-media)",
      description:
        "Single Redirect rules of the zone, managed by the mastodon-media Pulumi project [mastodon-media stack organization/mastodon-media/test]",
      rules: [
        {
          ref: "mastodon_media_https",
          description: "Mastodon media: redirect plain HTTP to HTTPS on files.example.com",
          expression: '(lower(http.host) in {"files.example.com" "files.example.com."} and not ssl)',
          action: "redirect",
          actionParameters: {
            fromValue: {
              statusCode: 301,
              targetUrl: { expression: 'concat("https://", http.host, http.request.uri.path)' },
              preserveQueryString: true,
            },
          },
          enabled: true,
        },
      ],
    });
    expect(resourceOf(plan, "cloudflare:index/r2CustomDomain:R2CustomDomain").dependsOn).toContain(redirect.urn);
  });

  it("keeps the r2.dev URL switched off", () => {
    expect(resourceOf(plan, "cloudflare:index/r2ManagedDomain:R2ManagedDomain").inputs).toEqual({
      accountId: ACCOUNT,
      bucketName: "example-social-media",
      jurisdiction: "default",
      enabled: false,
    });
    expect(plan.outputs.r2DevDomain).toBeUndefined();
  });

  it("creates an account token that may only write the items of this one bucket, after the bucket", () => {
    const token = resourceOf(plan, "cloudflare:index/accountToken:AccountToken", "-writer");
    expect(token.inputs).toEqual({
      accountId: ACCOUNT,
      name: "mastodon-media writer for R2 bucket example-social-media",
      policies: [
        {
          effect: "allow",
          permissionGroups: [{ id: WRITE_GROUP_ID }],
          resources: `{"com.cloudflare.edge.r2.bucket.${ACCOUNT}_default_example-social-media":"*"}`,
        },
      ],
    });
    expect(token.dependsOn).toContain(resourceOf(plan, "cloudflare:index/r2Bucket:R2Bucket").urn);
    expect(token.additionalSecretOutputs).toContain("value");
  });

  it("blocks backups/ and imports/ on the media host with the zone's custom WAF rule", () => {
    expect(resourceOf(plan, "cloudflare:index/ruleset:Ruleset", "-private-keys-guard").inputs).toEqual({
      zoneId: ZONE,
      kind: "zone",
      phase: "http_request_firewall_custom",
      name: "Zone custom rules (managed by mastodon-media)",
      description:
        "Custom WAF rules of the zone, managed by the mastodon-media Pulumi project [mastodon-media stack organization/mastodon-media/test]",
      rules: [
        {
          ref: "mastodon_media_private_keys",
          description: "Mastodon media: keep user archives and imports on files.example.com private",
          expression: GUARD_EXPRESSION,
          action: "block",
          enabled: true,
        },
      ],
    });
  });

  it("exports the env block as a secret, with the token id as key id and the SHA-256 of its value as secret", () => {
    expect(plan.outputs.envProduction).toEqual({
      secret: true,
      value: [
        "S3_ENABLED=true",
        "S3_BUCKET=example-social-media",
        "S3_REGION=auto",
        "S3_PROTOCOL=https",
        `S3_ENDPOINT=https://${ACCOUNT}.r2.cloudflarestorage.com`,
        `S3_HOSTNAME=${ACCOUNT}.r2.cloudflarestorage.com`,
        "S3_ALIAS_HOST=files.example.com",
        `AWS_ACCESS_KEY_ID=${TOKEN_ID}`,
        `AWS_SECRET_ACCESS_KEY=${SECRET_KEY}`,
        "AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED",
        "AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_REQUIRED",
        // No CACHE_BUSTER_* lines: no edge acts on them without cloudflare.cacheBuster.
        "S3_PERMISSION=",
        "",
      ].join("\n"),
    });
    expect(plan.outputs.envProduction?.value).not.toContain(TOKEN_VALUE);
    expect(plan.outputs.bucket).toEqual({ value: "example-social-media", secret: false });
    expect(plan.outputs.region).toEqual({ value: "auto", secret: false });
    expect(plan.outputs.mediaBaseUrl).toEqual({ value: "https://files.example.com", secret: false });
    expect(plan.outputs.cdnDomain).toBeUndefined();
    expect(plan.outputs.dnsRecords).toBeUndefined();
  });

  it("checks the live storage after deploying, once the media host, CORS, token and guard exist", () => {
    const check = resourceOf(plan, "command:local:Command", "-self-check");
    expect(check.inputs.create).toMatch(
      /^npm run --silent verify -- --env - --origin https:\/\/social\.example\.com --retry-for 900; code=\$\?; if \[ "\$code" -eq 4 \]; then .*exit 0; fi; exit "\$code"$/,
    );
    expect(check.secretInputs).toContain("stdin");
    expect(check.additionalSecretOutputs).toEqual(["stdout", "stderr"]);
    const needed = ["cloudflare:index/r2CustomDomain:R2CustomDomain", "cloudflare:index/r2BucketCors:R2BucketCors"];
    for (const type of needed) expect(check.dependsOn).toContain(resourceOf(plan, type).urn);
    expect(check.dependsOn).toContain(resourceOf(plan, "cloudflare:index/accountToken:AccountToken", "-writer").urn);
    for (const ruleset of resourcesOf(plan, "cloudflare:index/ruleset:Ruleset"))
      expect(check.dependsOn).toContain(ruleset.urn);
    expect(check.inputs.triggers).toEqual([
      "files.example.com",
      "1.2",
      resourceOf(plan, "cloudflare:index/r2BucketCors:R2BucketCors").inputs.rules,
      TOKEN_ID,
      resourceOf(plan, "cloudflare:index/ruleset:Ruleset", "-private-keys-guard").inputs.rules,
      resourceOf(plan, "cloudflare:index/ruleset:Ruleset", "-response-headers").inputs.rules,
      resourceOf(plan, "cloudflare:index/ruleset:Ruleset", "-https-redirect").inputs.rules,
    ]);
  });
});

describe("CloudflareMediaStorage in a test stack", async () => {
  const plan = await planConfig({
    ...config,
    environment: "test",
    selfCheck: false,
    cloudflare: { ...config.cloudflare, r2DevDomain: true },
  });

  it("protects and retains nothing, and sends no forceDestroy (R2Bucket has none)", () => {
    expect(plan.resources.filter((resource) => resource.protect || resource.retainOnDelete)).toEqual([]);
    expect(resourceOf(plan, "cloudflare:index/r2Bucket:R2Bucket").inputs).not.toHaveProperty("forceDestroy");
  });

  it("enables the r2.dev URL when asked and exports it", () => {
    expect(resourceOf(plan, "cloudflare:index/r2ManagedDomain:R2ManagedDomain").inputs.enabled).toBe(true);
    expect(plan.outputs.r2DevDomain?.value).toMatch(/^pub-[0-9a-f]{32}\.r2\.dev$/);
    expect(plan.outputs.r2DevDomain?.secret).toBe(false);
  });

  it("skips the self-check when it is switched off", () => {
    expect(
      resourcesOf(plan, "command:local:Command").filter((command) => command.name.endsWith("-self-check")),
    ).toEqual([]);
  });
});

describe("CloudflareMediaStorage in the EU jurisdiction with a key prefix", async () => {
  const plan = await planConfig({
    ...config,
    keyPrefix: "social",
    corsOrigins: ["https://social.example.com"],
    cloudflare: { accountId: ACCOUNT, zoneId: ZONE, jurisdiction: "eu" },
  });

  it("passes the jurisdiction to every R2 resource and sends no location hint when none is set", () => {
    for (const type of R2_TYPES) expect(resourceOf(plan, type).inputs.jurisdiction).toBe("eu");
    expect(resourceOf(plan, "cloudflare:index/r2Bucket:R2Bucket").inputs).not.toHaveProperty("location");
  });

  it("scopes the token to the EU bucket and renders the EU endpoint", () => {
    const [policy] = resourceOf(plan, "cloudflare:index/accountToken:AccountToken", "-writer").inputs.policies as {
      resources: string;
    }[];
    expect(JSON.parse(policy?.resources ?? "")).toEqual({
      [`com.cloudflare.edge.r2.bucket.${ACCOUNT}_eu_example-social-media`]: "*",
    });
    const env = String(plan.outputs.envProduction?.value);
    expect(env).toContain(`\nS3_ENDPOINT=https://${ACCOUNT}.eu.r2.cloudflarestorage.com\n`);
    expect(env).toContain(`\nS3_HOSTNAME=${ACCOUNT}.eu.r2.cloudflarestorage.com\n`);
    expect(env).toContain("\nS3_KEY_PREFIX=social\n");
  });

  it("guards the private prefixes under the key prefix and restricts CORS to the given origin", () => {
    const [rule] = resourceOf(plan, "cloudflare:index/ruleset:Ruleset", "-private-keys-guard").inputs.rules as {
      expression: string;
    }[];
    // The private classes are blocked under every key prefix (other instances may share the bucket).
    expect(rule?.expression).toBe(GUARD_EXPRESSION);
    const [cors] = resourceOf(plan, "cloudflare:index/r2BucketCors:R2BucketCors").inputs.rules as {
      allowed: { origins: string[] };
    }[];
    expect(cors?.allowed.origins).toEqual(["https://social.example.com"]);
  });

  it("answers CORS at the edge only to the listed origin, with Vary: Origin on every response", () => {
    const rules = resourceOf(plan, "cloudflare:index/ruleset:Ruleset", "-response-headers").inputs.rules as {
      ref: string;
      expression: string;
      actionParameters: { headers: Record<string, { value?: string; expression?: string }> };
    }[];
    expect(rules.map((rule) => rule.ref)).toEqual(["mastodon_media_headers", "mastodon_media_headers_cors"]);
    expect(rules[0]?.actionParameters.headers).not.toHaveProperty("Access-Control-Allow-Origin");
    expect(rules[0]?.actionParameters.headers.Vary).toEqual({ operation: "set", value: "Accept-Encoding, Origin" });
    expect(rules[1]?.expression).toBe(
      '(lower(http.host) in {"files.example.com" "files.example.com."} and http.request.headers["origin"][0] in {"https://social.example.com"})',
    );
    expect(rules[1]?.actionParameters.headers).toEqual({
      "Access-Control-Allow-Origin": { operation: "set", expression: 'http.request.headers["origin"][0]' },
      "Access-Control-Expose-Headers": { operation: "set", value: "ETag" },
    });
  });
});

describe("CloudflareMediaStorage in a zone whose custom-rules entry point already exists", () => {
  it("stops before registering anything and names the ruleset, the phase and the ways out", async () => {
    const attempt = planConfig({ ...config, cloudflare: { ...config.cloudflare, zoneId: LEFTOVER_ENTRY_POINT_ZONE } });
    await expect(attempt).rejects.toThrow(UserError);
    await expect(attempt).rejects.toThrow(
      `The Cloudflare zone ${LEFTOVER_ENTRY_POINT_ZONE} already has an entry-point ruleset this stack would have to own (a zone has one per phase); nothing was created:\n` +
        '  - phase http_request_firewall_custom: ruleset "default" (id 2f2feab2026849078ba485f918791bdc, last updated 2025-03-01T10:00:00Z); ' +
        "this stack needs the phase for the WAF rule keeping backups/ and imports/ private on files.example.com\n",
    );
  });
});

describe("npm run plan -- --stack cloudflare", () => {
  it("plans the example stack cleanly, with the secret masked", async () => {
    const json = path.join(mkdtempSync(path.join(tmpdir(), "plan-cloudflare-")), "plan.json");
    const { code, stdout } = await planCli(["--stack", "cloudflare", "--json", json]);
    expect(code).toBe(0);
    expect(stdout).toContain("AWS_SECRET_ACCESS_KEY=[secret]\n");
    expect(stdout).not.toContain(SECRET_KEY);
    const plan = JSON.parse(readFileSync(json, "utf8")) as {
      provider: string;
      violations: unknown[];
      outputs: Record<string, unknown>;
      resources: { type: string; protect: boolean; retainOnDelete: boolean }[];
    };
    expect(plan.provider).toBe("cloudflare");
    // The one finding: the advisory rule, since the example leaves the opt-in cache buster Worker off.
    expect(plan.violations).toEqual([
      expect.objectContaining({ policy: "cdn-busts-deleted-media", level: "advisory" }),
    ]);
    expect(plan.outputs.envProduction).toBe("[secret]");
    const bucket = plan.resources.find((resource) => resource.type === "cloudflare:index/r2Bucket:R2Bucket");
    expect(bucket).toMatchObject({ protect: true, retainOnDelete: true });
    expect(JSON.stringify(plan)).not.toContain(SECRET_KEY);
  });
});
