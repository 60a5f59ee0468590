import { describe, expect, it } from "vitest";
import { safeParseStackConfig } from "../../components/config";
import { roundTripCommand } from "../../components/mastodon-host";
import { planConfig, resourceOf, resourcesOf } from "../helpers/plan";

const REMOTE = "command:remote:Command";
const LOCAL = "command:local:Command";
const PRIVATE_KEY =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAAexample\n-----END OPENSSH PRIVATE KEY-----\n";
const TOKEN = "mastodonTokenEXAMPLE0123456789";
/** What the mocks answer for a generated MinIO user secret (offline-plan/mocks.ts). */
const MOCK_WRITER_SECRET = "minioWriterSecretEXAMPLE0000000000000000";

const dev = {
  provider: "minio",
  environment: "test",
  webDomain: "social.example.com",
  bucket: "example-social-media",
  minio: { endpoint: "http://127.0.0.1:9000" },
  "minio:minioServer": "127.0.0.1:9000",
};
const host = { host: "social.example.com", privateKey: PRIVATE_KEY };
/** The same stack as the schema sees it: `minio:*` keys are the MinIO provider's own. */
const { "minio:minioServer": _provider, ...devConfig } = dev;

describe("mastodonHost config", () => {
  it("is optional, and defaults the user, port, env path and restart", () => {
    const parsed = safeParseStackConfig({ ...devConfig, mastodonHost: host });
    expect(parsed.success && parsed.config.mastodonHost).toEqual({
      ...host,
      port: 22,
      user: "mastodon",
      envPath: "/home/mastodon/live/.env.production",
      restart: "systemd",
    });
    const without = safeParseStackConfig(devConfig);
    expect(without.success && without.config.mastodonHost).toBeUndefined();
  });

  it("names each bad key and never repeats a secret's value", () => {
    const parsed = safeParseStackConfig({
      ...devConfig,
      mastodonHost: {
        host: "https://social.example.com",
        privateKey: "",
        envPath: "relative/.env",
        restart: "reboot",
        accessToken: 42,
      },
    });
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    expect(parsed.issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      "mastodonHost.host: must be a host name without a scheme, e.g. files.example.com, or an IP address",
      "mastodonHost.privateKey: must not be empty",
      "mastodonHost.envPath: must be an absolute path to the env file Mastodon reads, e.g. /home/mastodon/live/.env.production",
      "mastodonHost.restart: must be systemd, none, { dockerCompose: DIRECTORY } or { command: COMMAND }",
      "mastodonHost.accessToken: must be a string",
    ]);
  });
});

describe("mastodonHost.hostKey", () => {
  const blob = "AAAAC3NzaC1lZDI1NTE5AAAAIJ0vqxh4e4ryVbZQZCb1zH0w3V3o6Yb4wq7vW3Zx0x1Q";
  it("accepts ed25519 and ECDSA host keys", () => {
    for (const hostKey of [`ssh-ed25519 ${blob}`, `ecdsa-sha2-nistp256 ${blob}`, `ecdsa-sha2-nistp521 ${blob}`]) {
      const parsed = safeParseStackConfig({ ...devConfig, mastodonHost: { ...host, hostKey } });
      expect(parsed.success, hostKey).toBe(true);
    }
  });

  it("refuses an RSA host key, in any of its spellings, naming the key and the fix", () => {
    for (const type of ["ssh-rsa", "rsa-sha2-256", "rsa-sha2-512"]) {
      const parsed = safeParseStackConfig({ ...devConfig, mastodonHost: { ...host, hostKey: `${type} ${blob}` } });
      expect(parsed.success).toBe(false);
      if (parsed.success) continue;
      expect(parsed.issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
        expect.stringMatching(
          /^mastodonHost\.hostKey: is an RSA host key: .*OpenSSH 8\.8\+ servers refuse\. Use the host's ed25519 key: ssh-keyscan -t ed25519 HOST/,
        ),
      ]);
    }
  });
});

describe("EnvDelivery under the mock engine", () => {
  it("without mastodonHost: no delivery, only the manual steps, which hold no secret", async () => {
    const plan = await planConfig(dev);
    expect(resourcesOf(plan, REMOTE)).toEqual([]);
    const steps = plan.outputs.mastodonHostSteps;
    expect(steps?.secret).toBe(false);
    const text = String(steps?.value);
    expect(text).not.toContain(MOCK_WRITER_SECRET);
    expect(text).toContain("+AWS_SECRET_ACCESS_KEY=[secret]");
    expect(text).toContain(
      "cp -p /home/mastodon/live/.env.production /home/mastodon/live/.env.production.bak-$(date -u +%Y%m%dT%H%M%SZ)",
    );
    expect(text).toContain("sudo systemctl restart mastodon-web mastodon-sidekiq mastodon-streaming");
    expect(text).toContain(
      "cd '/home/mastodon/live' && docker compose up -d --force-recreate $(docker compose config --services | grep -E '^(web|streaming|sidekiq.*)$')",
    );
    // Every `pulumi stack output` names the stack: an admin with several stacks gets this one's block.
    expect(text).toContain(
      "pulumi stack output envProduction --show-secrets -s test | npm run verify -- --env - --mastodon https://social.example.com",
    );
    expect(text).toContain("paste the\n#    block from `pulumi stack output envProduction --show-secrets -s test`");
    expect(plan.outputs.mastodonHostLog).toBeUndefined();
  });

  it("delivers over SSH with every secret in a secret input, none in a command line, nothing on destroy", async () => {
    const plan = await planConfig({
      ...dev,
      mastodonHost: { ...host, restart: { dockerCompose: "/opt/mastodon" }, accessToken: TOKEN },
    });
    const deliver = resourceOf(plan, REMOTE);
    expect(deliver.name).toBe("media-mastodon-host-deliver");
    expect(deliver.parent).toMatch(/mastodon-media:host:EnvDelivery::media-mastodon-host$/);
    // The private key makes the whole connection secret; the block is secret as stdin and as the trigger.
    expect(deliver.secretInputs).toEqual(["connection", "stdin", "triggers.0"]);
    expect(deliver.additionalSecretOutputs).toEqual(expect.arrayContaining(["stdout", "stderr"]));
    expect(deliver.inputs.delete).toBeUndefined();
    expect(deliver.inputs.stdin).toContain(`AWS_SECRET_ACCESS_KEY=${MOCK_WRITER_SECRET}`);
    const create = String(deliver.inputs.create);
    for (const secret of [MOCK_WRITER_SECRET, PRIVATE_KEY.split("\n")[1] as string, TOKEN])
      expect(create).not.toContain(secret);
    expect(create).toMatch(/^sh -c '/);
    // The services come from the compose file on the host (compose.ts), none named here.
    expect(create).toContain("compose config --services");
    expect(create).toContain("compose up -d --force-recreate $services");
    expect(create).not.toMatch(/--force-recreate web/);
    // After the whole media storage (its self-check included).
    expect(deliver.dependsOn).toContain(resourcesOf(plan, LOCAL).find((r) => r.name === "media-self-check")?.urn);
    expect(deliver.dependsOn).toEqual(
      expect.arrayContaining([expect.stringMatching(/IamUserPolicyAttachment::media-writer-policy-attachment$/)]),
    );

    const roundTrip = resourcesOf(plan, LOCAL).find((r) => r.name === "media-mastodon-host-round-trip");
    expect(roundTrip?.inputs.create).toBe(roundTripCommand("https://social.example.com", "https://social.example.com"));
    expect(String(roundTrip?.inputs.create)).not.toContain(TOKEN);
    expect(roundTrip?.secretInputs).toEqual(expect.arrayContaining(["environment.MASTODON_ACCESS_TOKEN", "stdin"]));
    expect(roundTrip?.dependsOn).toContain(deliver.urn);
    expect(roundTrip?.additionalSecretOutputs).toEqual(expect.arrayContaining(["stdout", "stderr"]));
    expect(plan.outputs.mastodonHostLog?.secret).toBe(true);
  });

  it("runs no round trip without a token", async () => {
    const plan = await planConfig({ ...dev, mastodonHost: host });
    expect(resourcesOf(plan, LOCAL).map((r) => r.name)).not.toContain("media-mastodon-host-round-trip");
    const create = String(resourceOf(plan, REMOTE).inputs.create);
    expect(create).toContain("systemctl restart ");
    expect(create).toMatch(/mastodon-web.*mastodon-sidekiq.*mastodon-streaming/);
  });
});
