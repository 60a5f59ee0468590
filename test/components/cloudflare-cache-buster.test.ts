import { describe, expect, it } from "vitest";
import { CACHE_BUSTER_HEADER } from "../../components/cache-buster";
import { BINDING_NAMES, cacheBusterWorkerSource, WORKER_MAIN_MODULE } from "../../providers/cloudflare/cache-buster-worker";
import { workerScriptName } from "../../providers/cloudflare/cache-buster";
import { planConfig, resourceOf } from "../helpers/plan";

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

describe("CloudflareMediaStorage: Mastodon's cache buster as a Worker on the media route", async () => {
  const plan = await planConfig(config);

  it("creates a token that may only purge this zone's cache, looked up by name and zone scope", () => {
    const token = resourceOf(plan, "cloudflare:index/accountToken:AccountToken", "-cache-buster-token");
    expect(token.inputs.policies).toEqual([
      { effect: "allow", permissionGroups: [{ id: "e17beae8b8cb423a99b1730f21238bed" }], resources: JSON.stringify({ [`com.cloudflare.api.account.zone.${ZONE}`]: "*" }) },
    ]);
  });

  it("uploads the Worker with the secret and the token as secret_text bindings, never in its code", () => {
    const script = resourceOf(plan, "cloudflare:index/workersScript:WorkersScript");
    expect(script.inputs).toMatchObject({ accountId: ACCOUNT, scriptName: workerScriptName("files.example.com"), mainModule: WORKER_MAIN_MODULE, content: cacheBusterWorkerSource() });
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

  it("renders the buster's lines, says what the Worker costs, and raises no finding", () => {
    expect(plan.outputs.envProduction?.value).toContain("\nCACHE_BUSTER_SECRET_HEADER=Mastodon-Cache-Buster\n");
    expect(plan.outputs.takedowns?.value).toContain("USD 0.30 per million");
    expect(plan.violations).toEqual([]);
  });
});
