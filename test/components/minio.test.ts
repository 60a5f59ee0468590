import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { planStack, publicPlan } from "../../offline-plan/run";
import type { Plan } from "../../components/plan-model";
import { minioEndpoint } from "../../providers/minio/endpoint";
import { providerSettingsIssues } from "../../providers/minio/provider-settings";
import { jsonInput, planConfig, resourceOf, resourcesOf } from "../helpers/plan";
import { planCli } from "../helpers/plan-cli";

const BUCKET = "minio:index/s3Bucket:S3Bucket";
const BUCKET_POLICY = "minio:index/s3BucketPolicy:S3BucketPolicy";
const USER = "minio:index/iamUser:IamUser";
const POLICY = "minio:index/iamPolicy:IamPolicy";
const ATTACHMENT = "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment";
const COMMAND = "command:local:Command";
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

/** The writer's access key: the MinIO user's (auto-generated) name, as the attachment received it. */
function writerName(plan: Plan): string {
  return String(resourceOf(plan, ATTACHMENT).inputs.userName);
}

function env(plan: Plan): string {
  return String(plan.outputs.envProduction?.value);
}

describe("MinioMediaStorage", () => {
  it("registers one minio MediaStorage component whose children are named after it", async () => {
    const plan = await planConfig(dev);
    const component = resourceOf(plan, "mastodon-media:minio:MediaStorage");
    expect(component.name).toBe("media");
    const children = plan.resources.filter((resource) => resource.parent === component.urn);
    expect(children.map((child) => `${child.name} ${child.type}`).sort()).toEqual([
      `media-bucket ${BUCKET}`,
      `media-bucket-policy ${BUCKET_POLICY}`,
      `media-self-check ${COMMAND}`,
      `media-writer ${USER}`,
      `media-writer-policy ${POLICY}`,
      `media-writer-policy-attachment ${ATTACHMENT}`,
    ]);
    expect(plan.resources).toHaveLength(children.length + 1);
  });

  it("creates a private bucket that a test environment may destroy with its objects", async () => {
    const bucket = resourceOf(await planConfig(dev), BUCKET);
    expect(bucket.inputs).toEqual({ bucket: "example-social-media", acl: "private", forceDestroy: true });
    expect(bucket.protect).toBe(false);
    expect(bucket.retainOnDelete).toBe(false);
  });

  it("protects and retains a production bucket and never deletes its objects with it", async () => {
    const bucket = resourceOf(await planConfig({ ...dev, environment: "production" }), BUCKET);
    expect(bucket.inputs).toEqual({ bucket: "example-social-media", acl: "private", forceDestroy: false });
    expect(bucket.protect).toBe(true);
    expect(bucket.retainOnDelete).toBe(true);
  });

  it("lets anyone GetObject on the six public prefixes and on nothing else", async () => {
    const plan = await planConfig(dev);
    const policy = resourceOf(plan, BUCKET_POLICY);
    expect(policy.inputs.bucket).toBe("example-social-media");
    expect(policy.dependsOn).toEqual([resourceOf(plan, BUCKET).urn]);
    expect(jsonInput(policy, "policy")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "PublicReadMedia",
          Effect: "Allow",
          Principal: { AWS: ["*"] },
          Action: ["s3:GetObject"],
          Resource: [
            "arn:aws:s3:::example-social-media/media_attachments/*",
            "arn:aws:s3:::example-social-media/accounts/*",
            "arn:aws:s3:::example-social-media/custom_emojis/*",
            "arn:aws:s3:::example-social-media/site_uploads/*",
            "arn:aws:s3:::example-social-media/preview_card_providers/*",
            "arn:aws:s3:::example-social-media/preview_cards/*",
            "arn:aws:s3:::example-social-media/cache/*",
          ],
        },
      ],
    });
  });

  it("gives the writer user exactly the core's five actions on this bucket", async () => {
    const plan = await planConfig(dev);
    expect(resourceOf(plan, USER).inputs).toEqual({});
    expect(jsonInput(resourceOf(plan, POLICY), "policy")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ReadWriteMediaObjects",
          Effect: "Allow",
          Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
          Resource: "arn:aws:s3:::example-social-media/*",
        },
        {
          Sid: "ListMediaBucket",
          Effect: "Allow",
          Action: ["s3:ListBucket"],
          Resource: "arn:aws:s3:::example-social-media",
        },
      ],
    });
    const attachment = resourceOf(plan, ATTACHMENT);
    expect(attachment.inputs).toEqual({
      userName: expect.stringMatching(/^media-writer-[0-9a-f]{7}$/),
      policyName: expect.stringMatching(/^media-writer-policy-[0-9a-f]{7}$/),
    });
    expect(attachment.dependsOn.sort()).toEqual([resourceOf(plan, USER).urn, resourceOf(plan, POLICY).urn].sort());
  });

  it("scopes the public read and the writer to the key prefix", async () => {
    const plan = await planConfig({ ...dev, keyPrefix: "social" });
    const publicRead = jsonInput(resourceOf(plan, BUCKET_POLICY), "policy") as { Statement: { Resource: string[] }[] };
    expect(publicRead.Statement[0]?.Resource).toEqual([
      "arn:aws:s3:::example-social-media/social/media_attachments/*",
      "arn:aws:s3:::example-social-media/social/accounts/*",
      "arn:aws:s3:::example-social-media/social/custom_emojis/*",
      "arn:aws:s3:::example-social-media/social/site_uploads/*",
      "arn:aws:s3:::example-social-media/social/preview_card_providers/*",
      "arn:aws:s3:::example-social-media/social/preview_cards/*",
      "arn:aws:s3:::example-social-media/social/cache/*",
    ]);
    const writer = jsonInput(resourceOf(plan, POLICY), "policy") as { Statement: Record<string, unknown>[] };
    expect(writer.Statement[0]?.Resource).toBe("arn:aws:s3:::example-social-media/social/*");
    expect(writer.Statement[1]?.Condition).toEqual({ StringLike: { "s3:prefix": ["social/*"] } });
    expect(env(plan)).toContain("\nS3_KEY_PREFIX=social\n");
  });

  it("creates no lifecycle policy, since MinIO purges stale multipart uploads itself", async () => {
    const plan = await planConfig(dev);
    expect(resourcesOf(plan, "minio:index/ilmPolicy:IlmPolicy")).toEqual([]);
  });

  it("renders the dev env block with http media URLs on the loopback MinIO", async () => {
    const plan = await planConfig(dev);
    expect(env(plan)).toBe(
      [
        "S3_ENABLED=true",
        "S3_BUCKET=example-social-media",
        "S3_REGION=us-east-1",
        "S3_PROTOCOL=http",
        "S3_ENDPOINT=http://127.0.0.1:9000",
        "S3_HOSTNAME=127.0.0.1:9000",
        `AWS_ACCESS_KEY_ID=${writerName(plan)}`,
        `AWS_SECRET_ACCESS_KEY=${MOCK_WRITER_SECRET}`,
        "AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED",
        "AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_REQUIRED",
        "S3_PERMISSION=",
        "",
      ].join("\n"),
    );
    expect(plan.outputs.mediaBaseUrl).toEqual({ value: "http://127.0.0.1:9000/example-social-media", secret: false });
    expect(plan.outputs.bucket).toEqual({ value: "example-social-media", secret: false });
    expect(plan.outputs.region).toEqual({ value: "us-east-1", secret: false });
  });

  it("keeps the env block secret, and the writer's secret key secret in state", async () => {
    const plan = await planConfig(dev);
    expect(plan.outputs.envProduction?.secret).toBe(true);
    expect(resourceOf(plan, USER).additionalSecretOutputs).toEqual(["secret"]);
    expect(resourceOf(plan, COMMAND, "-self-check").secretInputs).toEqual(["stdin"]);
    expect(JSON.stringify(publicPlan(plan, false))).not.toContain(MOCK_WRITER_SECRET);
  });

  it("serves media from the media domain over https, even with MinIO on loopback http", async () => {
    const plan = await planConfig({
      ...dev,
      mediaDomain: "files.example.com",
      extraMediaHosts: ["old-files.example.com"],
    });
    expect(env(plan)).toBe(
      [
        "S3_ENABLED=true",
        "S3_BUCKET=example-social-media",
        "S3_REGION=us-east-1",
        "S3_PROTOCOL=https",
        "S3_ENDPOINT=http://127.0.0.1:9000",
        "S3_HOSTNAME=127.0.0.1:9000",
        "S3_ALIAS_HOST=files.example.com",
        "EXTRA_MEDIA_HOSTS=old-files.example.com",
        `AWS_ACCESS_KEY_ID=${writerName(plan)}`,
        `AWS_SECRET_ACCESS_KEY=${MOCK_WRITER_SECRET}`,
        "AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED",
        "AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_REQUIRED",
        // The nginx proxy caches, and busts on Mastodon's request (providers/minio/nginx-cache.ts).
        "CACHE_BUSTER_ENABLED=true",
        "CACHE_BUSTER_SECRET_HEADER=Mastodon-Cache-Buster",
        "CACHE_BUSTER_SECRET=mockCacheBusterSecretEXAMPLE00000000000000000000",
        "CACHE_BUSTER_HTTP_METHOD=GET",
        "S3_PERMISSION=",
        "",
      ].join("\n"),
    );
    expect(plan.outputs.mediaBaseUrl?.value).toBe("https://files.example.com");
    // The secret's own file for the map of nginxConfig: secret, and not in nginxConfig itself.
    expect(plan.outputs.nginxCacheBusterMap).toEqual({
      secret: true,
      value: expect.stringContaining('"~^mockCacheBusterSecretEXAMPLE00000000000000000000$" 1;\n'),
    });
    expect(String(plan.outputs.nginxConfig?.value)).not.toContain("mockCacheBusterSecret");
    expect(String(plan.outputs.nginxConfig?.value)).toContain(
      "  include /etc/nginx/mastodon-media/files.example.com.cache-buster*.conf;\n",
    );
    // The plan's notes name the step after `pulumi up` that installs the secret's file (docs/minio.md).
    expect(plan.outputs.takedowns?.value).toContain(
      "pulumi stack output nginxCacheBusterMap --show-secrets | install -D -m 600 /dev/stdin /etc/nginx/mastodon-media/files.example.com.cache-buster.conf && nginx -t && systemctl reload nginx",
    );
  });

  it("renders a remote https MinIO with its region and port when it serves media itself", async () => {
    const plan = await planConfig({
      ...dev,
      environment: "production",
      minio: { endpoint: "https://minio.example.com:9000", region: "eu-central-1" },
      "minio:minioServer": "minio.example.com:9000",
      "minio:minioSsl": "true",
      "minio:minioRegion": "eu-central-1",
    });
    const lines = env(plan).split("\n");
    expect(lines.slice(0, 6)).toEqual([
      "S3_ENABLED=true",
      "S3_BUCKET=example-social-media",
      "S3_REGION=eu-central-1",
      "S3_PROTOCOL=https",
      "S3_ENDPOINT=https://minio.example.com:9000",
      "S3_HOSTNAME=minio.example.com:9000",
    ]);
    expect(plan.outputs.mediaBaseUrl?.value).toBe("https://minio.example.com:9000/example-social-media");
  });

  it("exports the nginx configuration of the media domain as a plain output", async () => {
    const plan = await planConfig({
      ...dev,
      mediaDomain: "files.example.com",
      corsOrigins: ["https://social.example.com"],
    });
    const nginx = plan.outputs.nginxConfig;
    expect(nginx?.secret).toBe(false);
    const lines = String(nginx?.value).split("\n");
    expect(lines).toContain("  server_name files.example.com;");
    expect(lines).toContain('    set $mastodon_media_minio "http://127.0.0.1:9000";');
    expect(lines).toContain("    rewrite ^/(.*)$ /example-social-media/$1? break;");
    expect(lines).toContain('  "https://social.example.com" "https://social.example.com";');
  });

  it("exports no nginx configuration, and renders no cache buster, without a media domain", async () => {
    const plan = await planConfig(dev);
    expect(Object.keys(plan.outputs).sort()).toEqual([
      "bucket",
      "envProduction",
      "mastodonHostSteps",
      "mediaBaseUrl",
      "region",
      "takedowns",
    ]);
    expect(plan.outputs.envProduction?.value).not.toContain("CACHE_BUSTER");
    expect(plan.resources.map((resource) => resource.type)).not.toContain("random:index/randomPassword:RandomPassword");
  });

  it("warns that MinIO's server-wide CORS applies when corsOrigins is restricted and MinIO serves media itself", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      await planConfig({ ...dev, corsOrigins: ["https://social.example.com"] });
      await planConfig({ ...dev, corsOrigins: ["https://social.example.com"], mediaDomain: "files.example.com" });
      expect(warn.mock.calls).toEqual([
        [
          "warning: [runtime] corsOrigins takes effect only on the nginx proxy of a media domain; MinIO serving media itself " +
            "answers with its server-wide setting: mc admin config set ALIAS api cors_allow_origin=https://social.example.com",
        ],
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it("runs the live checks once the bucket policy and the writer's policy are in place", async () => {
    const plan = await planConfig(dev);
    const check = resourceOf(plan, COMMAND, "-self-check");
    expect(check.inputs.create).toMatch(
      /^npm run --silent verify -- --env - --origin https:\/\/social\.example\.com --retry-for 900; code=\$\?; if \[ "\$code" -eq 4 \]; then .*exit 0; fi; exit "\$code"$/,
    );
    expect(check.inputs.stdin).toBe(env(plan));
    expect(check.dependsOn).toEqual(
      expect.arrayContaining([resourceOf(plan, BUCKET_POLICY).urn, resourceOf(plan, ATTACHMENT).urn]),
    );
    expect(check.additionalSecretOutputs).toEqual(["stdout", "stderr"]);
  });

  it("runs no live checks when selfCheck is off", async () => {
    expect(
      resourcesOf(await planConfig({ ...dev, selfCheck: false }), COMMAND).filter((command) =>
        command.name.endsWith("-self-check"),
      ),
    ).toEqual([]);
  });

  it("registers nothing when minio:minioServer names another server than the endpoint", async () => {
    await expect(planConfig({ ...dev, "minio:minioServer": "127.0.0.1:9001" })).rejects.toThrowError(
      "The stack config has 1 problem; nothing was created:\n" +
        "  - mastodon-media:minio.endpoint: is not the server the MinIO provider connects to (minio:minioServer = 127.0.0.1:9001): " +
        'the bucket would be created there while Mastodon uses this one; set minio:minioServer to 127.0.0.1:9000 (got "http://127.0.0.1:9000")',
    );
    const monitor = pulumi.runtime.getMonitor() as unknown as { resources: Map<string, unknown> };
    expect(monitor.resources.size).toBe(0);
  });
});

describe("minioEndpoint", () => {
  it("serves media over plain http only from a loopback MinIO without a media domain", () => {
    expect(minioEndpoint("http://127.0.0.1:9000")).toEqual({
      endpoint: "http://127.0.0.1:9000",
      hostname: "127.0.0.1:9000",
      protocol: "http",
    });
    expect(minioEndpoint("http://[::1]:9000/")).toEqual({
      endpoint: "http://[::1]:9000",
      hostname: "[::1]:9000",
      protocol: "http",
    });
    expect(minioEndpoint("http://localhost:9000", "files.example.com").protocol).toBe("https");
  });

  it("drops the default https port and keeps any other", () => {
    expect(minioEndpoint("https://minio.example.com:443")).toEqual({
      endpoint: "https://minio.example.com",
      hostname: "minio.example.com",
      protocol: "https",
    });
    expect(minioEndpoint("https://minio.example.com:9000").hostname).toBe("minio.example.com:9000");
  });
});

describe("providerSettingsIssues", () => {
  const local = { endpoint: "http://127.0.0.1:9000", region: "us-east-1" };
  const remote = { endpoint: "https://minio.example.com", region: "us-east-1" };

  it("accepts the provider settings of the dev stack", () => {
    expect(
      providerSettingsIssues(local, {
        config: { "minio:minioServer": "127.0.0.1:9000", "minio:minioSsl": "false" },
        env: {},
      }),
    ).toEqual([]);
  });

  it("accepts the provider's environment fallbacks MINIO_ENDPOINT and MINIO_ENABLE_HTTPS", () => {
    expect(
      providerSettingsIssues(remote, {
        config: {},
        env: { MINIO_ENDPOINT: "minio.example.com:443", MINIO_ENABLE_HTTPS: "1" },
      }),
    ).toEqual([]);
  });

  it("prefers minio:minioServer over MINIO_ENDPOINT, as the provider does", () => {
    const issues = providerSettingsIssues(local, {
      config: { "minio:minioServer": "127.0.0.1:9000" },
      env: { MINIO_ENDPOINT: "10.0.0.5:9000" },
    });
    expect(issues).toEqual([]);
  });

  it("asks for the provider's server when neither the config nor the environment names one", () => {
    expect(providerSettingsIssues(local, { config: {}, env: {} })).toEqual([
      {
        path: "minio.endpoint",
        message:
          "needs the MinIO provider pointed at the same server: set minio:minioServer to 127.0.0.1:9000 (or export MINIO_ENDPOINT)",
        value: "http://127.0.0.1:9000",
      },
    ]);
  });

  it("rejects a provider server written as a URL", () => {
    expect(
      providerSettingsIssues(local, { config: { "minio:minioServer": "http://127.0.0.1:9000" }, env: {} }),
    ).toEqual([
      {
        path: "minio.endpoint",
        message:
          "needs minio:minioServer as host:port without scheme or path (127.0.0.1:9000), not http://127.0.0.1:9000",
        value: "http://127.0.0.1:9000",
      },
    ]);
  });

  it("asks for minio:minioSsl when the endpoint is https and the provider would connect without TLS", () => {
    expect(providerSettingsIssues(remote, { config: { "minio:minioServer": "minio.example.com" }, env: {} })).toEqual([
      {
        path: "minio.endpoint",
        message: "uses https, but the MinIO provider would connect without TLS: set minio:minioSsl to true",
        value: "https://minio.example.com",
      },
    ]);
  });

  it("names MINIO_ENABLE_HTTPS when it turns TLS on for a plain-http endpoint", () => {
    expect(
      providerSettingsIssues(local, {
        config: { "minio:minioServer": "127.0.0.1:9000" },
        env: { MINIO_ENABLE_HTTPS: "true" },
      }),
    ).toEqual([
      {
        path: "minio.endpoint",
        message:
          "uses http, but the MinIO provider would connect with TLS (MINIO_ENABLE_HTTPS is true): set minio:minioSsl to false",
        value: "http://127.0.0.1:9000",
      },
    ]);
  });

  it("rejects a TLS setting that is not a boolean", () => {
    expect(
      providerSettingsIssues(local, {
        config: { "minio:minioServer": "127.0.0.1:9000", "minio:minioSsl": "yes" },
        env: {},
      }),
    ).toEqual([
      {
        path: "minio.endpoint",
        message: "needs minio:minioSsl to be true or false (got yes)",
        value: "http://127.0.0.1:9000",
      },
    ]);
  });

  it("requires the provider's region to be the one Mastodon signs with", () => {
    const issues = providerSettingsIssues(
      { ...local, region: "eu-central-1" },
      { config: { "minio:minioServer": "127.0.0.1:9000" }, env: {} },
    );
    expect(issues).toEqual([
      {
        path: "minio.region",
        message:
          "differs from the MinIO provider's region (minio:minioRegion = us-east-1): both must be the server's region (MINIO_SITE_REGION)",
        value: "eu-central-1",
      },
    ]);
  });
});

describe("the dev stack", () => {
  it("plans a test-environment MinIO bucket on 127.0.0.1:9000 with nothing protected", async () => {
    const plan = await planStack("dev");
    expect(plan.provider).toBe("minio");
    expect(plan.violations).toEqual([]);
    expect(resourceOf(plan, BUCKET).inputs).toEqual({
      bucket: "example-social-media",
      acl: "private",
      forceDestroy: true,
    });
    expect(plan.resources.filter((resource) => resource.protect || resource.retainOnDelete)).toEqual([]);
    expect(env(plan).split("\n").slice(0, 6)).toEqual([
      "S3_ENABLED=true",
      "S3_BUCKET=example-social-media",
      "S3_REGION=us-east-1",
      "S3_PROTOCOL=http",
      "S3_ENDPOINT=http://127.0.0.1:9000",
      "S3_HOSTNAME=127.0.0.1:9000",
    ]);
  });

  it("is what `npm start` plans: exit 0, the secret masked", async () => {
    const { code, stdout } = await planCli(["--stack", "dev"]);
    expect(code).toBe(0);
    expect(stdout).toContain('Offline plan of stack "dev" (provider minio): 7 resources');
    expect(stdout).toContain("  AWS_SECRET_ACCESS_KEY=[secret]\n");
    expect(stdout).not.toContain(MOCK_WRITER_SECRET);
  });
});
