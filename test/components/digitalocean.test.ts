import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { planConfig, resourceOf, resourcesOf } from "../helpers/plan";
import { planCli } from "../helpers/plan-cli";

const BUCKET = "digitalocean:index/spacesBucket:SpacesBucket";
const CORS = "digitalocean:index/spacesBucketCorsConfiguration:SpacesBucketCorsConfiguration";
const POLICY = "digitalocean:index/spacesBucketPolicy:SpacesBucketPolicy";
const KEY = "digitalocean:index/spacesKey:SpacesKey";
const CERTIFICATE = "digitalocean:index/certificate:Certificate";
const CDN = "digitalocean:index/cdn:Cdn";
const SELF_CHECK = "command:local:Command";

const config = {
  provider: "digitalocean",
  webDomain: "social.example.com",
  mediaDomain: "files.example.com",
  bucket: "example-social-media",
  environment: "production",
  digitalocean: { region: "fra1", certificate: { type: "lets_encrypt" } },
};

const CDN_ENDPOINT = "example-social-media.fra1.cdn.digitaloceanspaces.com";

function env(aliasHost: string, extra: string[] = []): string {
  return [
    "S3_ENABLED=true",
    "S3_BUCKET=example-social-media",
    "S3_REGION=fra1",
    "S3_PROTOCOL=https",
    "S3_ENDPOINT=https://fra1.digitaloceanspaces.com",
    "S3_HOSTNAME=fra1.digitaloceanspaces.com",
    `S3_ALIAS_HOST=${aliasHost}`,
    ...extra,
    "AWS_ACCESS_KEY_ID=DO00EXAMPLEACCESSKEY",
    "AWS_SECRET_ACCESS_KEY=EXAMPLEspacesSecretKey0000000000000000000000",
    "AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED",
    "AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_REQUIRED",
    "S3_PERMISSION=public-read",
    "",
  ].join("\n");
}

describe("DigitalOceanMediaStorage", async () => {
  const plan = await planConfig(config);
  const component = resourceOf(plan, "mastodon-media:digitalocean:MediaStorage");

  it("parents every child to the component and derives every child name from it", () => {
    const children = plan.resources.filter((resource) => resource !== component);
    // SELF_CHECK twice: the live checks, and the anchor of the media URLs (components/media-url-anchors.ts).
    expect(children.map((child) => child.type).sort()).toEqual([BUCKET, CORS, KEY, CDN, SELF_CHECK, SELF_CHECK].sort());
    for (const child of children) {
      expect(child.parent).toBe(component.urn);
      expect(child.name.startsWith("media-")).toBe(true);
    }
  });

  it("creates the named bucket in the configured region with listing restricted, protected and retained in production", () => {
    const bucket = resourceOf(plan, BUCKET);
    expect(bucket.inputs).toEqual({
      name: "example-social-media",
      region: "fra1",
      acl: "private",
      forceDestroy: false,
      lifecycleRules: [
        { id: "abort-incomplete-multipart-uploads", enabled: true, abortIncompleteMultipartUploadDays: 7 },
      ],
    });
    expect(bucket.protect).toBe(true);
    expect(bucket.retainOnDelete).toBe(true);
  });

  it("allows cross-origin GET and HEAD only, passing the region as the literal the resource requires", () => {
    expect(resourceOf(plan, CORS).inputs).toEqual({
      bucket: "example-social-media",
      region: "fra1",
      corsRules: [
        {
          allowedMethods: ["GET", "HEAD"],
          allowedOrigins: ["*"],
          allowedHeaders: ["*"],
          exposeHeaders: ["ETag"],
          maxAgeSeconds: 3000,
        },
      ],
    });
  });

  it("registers no bucket policy, which DigitalOcean refuses beside the per-bucket key: public read comes from object ACLs", () => {
    expect(resourcesOf(plan, POLICY)).toEqual([]);
    expect(resourceOf(plan, BUCKET).inputs.acl).toBe("private");
    expect(resourceOf(plan, KEY).inputs.grants).toEqual([{ bucket: "example-social-media", permission: "readwrite" }]);
  });

  it("tells Mastodon to upload media with the public-read ACL (and archives private, as it does by itself)", () => {
    const lines = String(plan.outputs.envProduction?.value).trim().split("\n");
    expect(lines).toContain("S3_PERMISSION=public-read");
    expect(lines.filter((line) => line.startsWith("S3_PERMISSION"))).toHaveLength(1);
  });

  it("grants the writer key readwrite on the media bucket only, after the bucket exists", () => {
    const key = resourceOf(plan, KEY);
    expect(key.inputs).toEqual({ grants: [{ bucket: "example-social-media", permission: "readwrite" }] });
    expect(key.dependsOn).toContain(resourceOf(plan, BUCKET).urn);
  });

  it("puts the CDN on the media domain with DigitalOcean's edge certificate, which is what the provider reads back, and the configured TTL", () => {
    const cdn = resourceOf(plan, CDN);
    // Any other name diffs on every up: the API reports "needs-cloudflare-cert" (terraform-provider-digitalocean #1095).
    expect(cdn.inputs).toEqual({
      origin: "example-social-media.fra1.digitaloceanspaces.com",
      customDomain: "files.example.com",
      certificateName: "needs-cloudflare-cert",
      ttl: 86400,
    });
    expect(cdn.inputs).not.toHaveProperty("certificateId");
    // No certificate resource of ours: DigitalOcean provisions and renews the edge certificate.
    expect(resourcesOf(plan, CERTIFICATE)).toEqual([]);
  });

  it("creates no DNS record, which the CDN creates itself in DigitalOcean DNS", () => {
    expect(resourcesOf(plan, "digitalocean:index/dnsRecord:DnsRecord")).toEqual([]);
    expect(plan.outputs.dnsRecords).toBeUndefined();
  });

  it("exports the env block as a secret and the rest in the clear", () => {
    expect(plan.outputs.envProduction).toEqual({ secret: true, value: env("files.example.com") });
    expect(plan.outputs.bucket).toEqual({ value: "example-social-media", secret: false });
    expect(plan.outputs.region).toEqual({ value: "fra1", secret: false });
    expect(plan.outputs.mediaBaseUrl).toEqual({ value: "https://files.example.com", secret: false });
    expect(plan.outputs.cdnDomain).toEqual({ value: CDN_ENDPOINT, secret: false });
  });

  it("checks the live storage after deploying, reading the env block as a secret from stdin", () => {
    const check = resourceOf(plan, SELF_CHECK, "-self-check");
    expect(check.inputs.create).toMatch(
      /^npm run --silent verify -- --env - --origin https:\/\/social\.example\.com --retry-for 900; code=\$\?; if \[ "\$code" -eq 4 \]; then .*exit 0; fi; exit "\$code"$/,
    );
    expect(check.secretInputs).toContain("stdin");
    expect(check.additionalSecretOutputs).toEqual(["stdout", "stderr"]);
    for (const type of [BUCKET, CORS, CDN, KEY]) expect(check.dependsOn).toContain(resourceOf(plan, type).urn);
  });
});

describe("DigitalOceanMediaStorage in a test stack", async () => {
  const plan = await planConfig({ ...config, environment: "test", selfCheck: false });

  it("lets the bucket be destroyed with its objects and protects nothing", () => {
    expect(resourceOf(plan, BUCKET).inputs.forceDestroy).toBe(true);
    expect(plan.resources.filter((resource) => resource.protect || resource.retainOnDelete)).toEqual([]);
  });

  it("skips the self-check when it is switched off", () => {
    expect(resourcesOf(plan, SELF_CHECK).filter((command) => command.name.endsWith("-self-check"))).toEqual([]);
  });
});

describe("DigitalOceanMediaStorage without a media domain", async () => {
  const { mediaDomain: _unused, ...withoutDomain } = config;
  const plan = await planConfig({ ...withoutDomain, digitalocean: { region: "fra1", cdnTtl: 3600 } });

  it("serves media from the CDN endpoint with no custom domain and no certificate", () => {
    expect(resourcesOf(plan, CERTIFICATE)).toEqual([]);
    expect(resourceOf(plan, CDN).inputs).toEqual({
      origin: "example-social-media.fra1.digitaloceanspaces.com",
      ttl: 3600,
    });
  });

  it("renders the CDN endpoint as the alias host", () => {
    expect(plan.outputs.envProduction).toEqual({ secret: true, value: env(CDN_ENDPOINT) });
    expect(plan.outputs.mediaBaseUrl).toEqual({ value: `https://${CDN_ENDPOINT}`, secret: false });
  });
});

describe("DigitalOceanMediaStorage with an uploaded certificate", async () => {
  const plan = await planConfig({
    ...config,
    digitalocean: { region: "fra1", certificate: { type: "existing", name: "files-example-com" } },
  });

  it("issues no certificate and puts the uploaded one on the CDN by name", () => {
    expect(resourcesOf(plan, CERTIFICATE)).toEqual([]);
    expect(resourceOf(plan, CDN).inputs).toMatchObject({
      customDomain: "files.example.com",
      certificateName: "files-example-com",
    });
  });

  it("lists the CNAME to create when the zone is not in DigitalOcean DNS", () => {
    expect(plan.outputs.dnsRecords).toEqual({
      secret: false,
      value: [
        {
          name: "files.example.com",
          type: "CNAME",
          value: CDN_ENDPOINT,
          purpose: "media domain -> DigitalOcean CDN (automatic when the zone is in DigitalOcean DNS)",
        },
      ],
    });
  });
});

describe("DigitalOceanMediaStorage with a key prefix and restricted origins", async () => {
  const plan = await planConfig({ ...config, keyPrefix: "social", corsOrigins: ["https://social.example.com"] });

  it("renders S3_KEY_PREFIX and still registers no bucket policy", () => {
    expect(resourcesOf(plan, POLICY)).toEqual([]);
    expect(plan.outputs.envProduction?.value).toBe(env("files.example.com", ["S3_KEY_PREFIX=social"]));
  });

  it("allows only the listed origins", () => {
    expect(resourceOf(plan, CORS).inputs.corsRules).toEqual([
      {
        allowedMethods: ["GET", "HEAD"],
        allowedOrigins: ["https://social.example.com"],
        allowedHeaders: ["*"],
        exposeHeaders: ["ETag"],
        maxAgeSeconds: 3000,
      },
    ]);
  });
});

describe("npm run plan -- --stack digitalocean", () => {
  it("plans the example stack cleanly and masks the writer's secret", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "do-plan-")), "plan.json");
    const { code, stdout } = await planCli(["--stack", "digitalocean", "--json", file]);
    expect(code).toBe(0);
    expect(stdout).toContain("AWS_SECRET_ACCESS_KEY=[secret]");
    expect(stdout).not.toContain("EXAMPLEspacesSecretKey");
    const plan = JSON.parse(readFileSync(file, "utf8")) as {
      provider: string;
      violations: unknown[];
      resources: { type: string; protect: boolean }[];
      outputs: Record<string, unknown>;
      envProductionMasked: string;
    };
    expect(plan.provider).toBe("digitalocean");
    // The Spaces CDN has no cache buster: its day-long TTL is reported, with the lever (docs/takedowns.md).
    expect(plan.violations).toEqual([
      expect.objectContaining({ policy: "cdn-busts-deleted-media", level: "advisory" }),
    ]);
    expect(plan.resources.find((resource) => resource.type === BUCKET)?.protect).toBe(true);
    expect(plan.outputs.envProduction).toBe("[secret]");
    expect(plan.envProductionMasked).toContain("S3_ALIAS_HOST=files.example.com\n");
    expect(plan.envProductionMasked).toContain("S3_PERMISSION=public-read\n");
    expect(plan.resources.filter((resource) => resource.type === POLICY)).toEqual([]);
    expect(readFileSync(file, "utf8")).not.toContain("EXAMPLEspacesSecretKey");
  });
});
