import { describe, expect, it } from "vitest";
import { CACHE_BUSTER_HEADER } from "../../components/cache-buster";
import {
  BINDING_NAMES,
  cacheBusterWorkerSource,
  WORKER_MAIN_MODULE,
} from "../../providers/cloudflare/cache-buster-worker";
import { workerScriptName } from "../../providers/cloudflare/cache-buster";
import { planConfig, resourceOf, resourcesOf } from "../helpers/plan";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE = "fedcba9876543210fedcba9876543210";
const config = {
  provider: "cloudflare",
  webDomain: "social.example.com",
  mediaDomain: "files.example.com",
  bucket: "example-social-media",
  environment: "production",
  cloudflare: { accountId: ACCOUNT, zoneId: ZONE },
};

describe("CloudflareMediaStorage: Mastodon's cache buster as a Worker on the media route, with cloudflare.cacheBuster: true", async () => {
  const plan = await planConfig({ ...config, cloudflare: { ...config.cloudflare, cacheBuster: true } });

  it("creates a token that may only purge this zone's cache, looked up by name and zone scope", () => {
    const token = resourceOf(plan, "cloudflare:index/accountToken:AccountToken", "-cache-buster-token");
    expect(token.inputs.policies).toEqual([
      {
        effect: "allow",
        permissionGroups: [{ id: "e17beae8b8cb423a99b1730f21238bed" }],
        resources: JSON.stringify({ [`com.cloudflare.api.account.zone.${ZONE}`]: "*" }),
      },
    ]);
  });

  it("uploads the Worker with the secret and the token as secret_text bindings, never in its code", () => {
    const script = resourceOf(plan, "cloudflare:index/workersScript:WorkersScript");
    expect(script.inputs).toMatchObject({
      accountId: ACCOUNT,
      scriptName: workerScriptName("files.example.com"),
      mainModule: WORKER_MAIN_MODULE,
      content: cacheBusterWorkerSource(),
    });
    const bindings = script.inputs.bindings as { name: string; type: string; text: string }[];
    expect(bindings.map(({ name, type }) => [name, type])).toEqual([
      [BINDING_NAMES.header, "plain_text"],
      [BINDING_NAMES.zoneId, "plain_text"],
      [BINDING_NAMES.secret, "secret_text"],
      [BINDING_NAMES.token, "secret_text"],
    ]);
    expect(bindings[0]?.text).toBe(CACHE_BUSTER_HEADER);
    expect(script.secretInputs).toEqual(["bindings.2.text", "bindings.3.text"]);
    expect(String(script.inputs.content)).not.toContain("mockCacheBusterSecret");
  });

  it("runs the Worker on every request of the media host", () => {
    expect(resourceOf(plan, "cloudflare:index/workersRoute:WorkersRoute").inputs).toEqual({
      zoneId: ZONE,
      pattern: "files.example.com/*",
      script: workerScriptName("files.example.com"),
    });
    expect(workerScriptName("files.example.com")).toBe("mastodon-cache-buster-files-example-com");
  });

  it("runs the self-check once the route exists", () => {
    const check = resourceOf(plan, "command:local:Command", "-self-check");
    expect(check.dependsOn).toContain(resourceOf(plan, "cloudflare:index/workersRoute:WorkersRoute").urn);
  });

  it("renders the buster's lines, says what the Worker costs, and raises no finding", () => {
    expect(plan.outputs.envProduction?.value).toContain(
      [
        "AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_REQUIRED",
        "CACHE_BUSTER_ENABLED=true",
        "CACHE_BUSTER_SECRET_HEADER=Mastodon-Cache-Buster",
        "CACHE_BUSTER_SECRET=mockCacheBusterSecretEXAMPLE00000000000000000000",
        "CACHE_BUSTER_HTTP_METHOD=GET",
        "S3_PERMISSION=",
      ].join("\n"),
    );
    expect(plan.outputs.takedowns?.value).toContain("USD 0.30 per million");
    expect(plan.outputs.takedowns?.value).toContain("error 1027");
    expect(plan.violations).toEqual([]);
  });
});

describe("CloudflareMediaStorage without cloudflare.cacheBuster (the default): no Worker on every media request", async () => {
  const plan = await planConfig(config);

  it("creates no Worker, no route and no purge token (the writer's token stays)", () => {
    expect(resourcesOf(plan, "cloudflare:index/workersScript:WorkersScript")).toEqual([]);
    expect(resourcesOf(plan, "cloudflare:index/workersRoute:WorkersRoute")).toEqual([]);
    expect(resourcesOf(plan, "cloudflare:index/accountToken:AccountToken").map((token) => token.name)).toEqual([
      expect.not.stringContaining("cache-buster"),
    ]);
    expect(
      resourcesOf(plan, "random:index/randomPassword:RandomPassword").filter((r) => r.name.includes("cache-buster")),
    ).toEqual([]);
  });

  it("renders no CACHE_BUSTER_* line, and its notes name the key, the cost and npm run purge", () => {
    expect(plan.outputs.envProduction?.value).not.toContain("CACHE_BUSTER_");
    expect(plan.outputs.takedowns?.value).toContain("Cache buster: off (cloudflare.cacheBuster is false");
    expect(plan.outputs.takedowns?.value).toContain("npm run purge");
  });

  it("raises the advisory cdn-busts-deleted-media finding, naming the key and npm run purge", () => {
    expect(plan.violations).toEqual([
      expect.objectContaining({
        policy: "cdn-busts-deleted-media",
        level: "advisory",
        message: expect.stringContaining("mastodon-media:cloudflare.cacheBuster: true"),
      }),
    ]);
    expect(plan.violations[0]?.message).toContain("`npm run purge`");
  });
});
