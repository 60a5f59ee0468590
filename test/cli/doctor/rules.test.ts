import { describe, expect, it } from "vitest";
import { renderEnv } from "../../../components/env";
import {
  DEFAULT_MULTIPART_THRESHOLD_BYTES,
  parseMediaHosts,
  readMastodonEnv,
  rubyToI,
} from "../../../mastodon-env/model";
import { recognizeProvider } from "../../../mastodon-env/providers";
import { diagnoseEnv } from "../../../cli/doctor/diagnose";

const BASE = {
  S3_ENABLED: "true",
  S3_BUCKET: "example-social-media",
  S3_REGION: "fra1",
  S3_ENDPOINT: "https://fra1.digitaloceanspaces.com",
  S3_HOSTNAME: "fra1.digitaloceanspaces.com",
  S3_ALIAS_HOST: "files.example.com",
  S3_PERMISSION: "",
  AWS_ACCESS_KEY_ID: "DO00EXAMPLEKEY",
  AWS_SECRET_ACCESS_KEY: "example-secret-value-that-must-never-show",
  AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
  AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
};

function run(env: Record<string, string | undefined>, previous?: Record<string, string>) {
  const values = new Map(Object.entries({ ...BASE, ...env }).filter((e): e is [string, string] => e[1] !== undefined));
  const diagnosis = diagnoseEnv(values, previous ? new Map(Object.entries(previous)) : undefined);
  expect(JSON.stringify(diagnosis.findings)).not.toContain("example-secret-value");
  return diagnosis.findings;
}
const find = (env: Record<string, string | undefined>, id: string, previous?: Record<string, string>) =>
  run(env, previous).find((f) => f.id === id);

describe("the model reads variables the way Mastodon does", () => {
  it("keeps absent, empty and set apart, with paperclip.rb's defaults only for absent", () => {
    const env = readMastodonEnv(
      new Map([
        ["S3_ENABLED", "true"],
        ["S3_REGION", ""],
        ["S3_PERMISSION", ""],
      ]),
    );
    expect(env.region).toBe("");
    expect(env.uploadAcl).toBeUndefined();
    expect(readMastodonEnv(new Map()).uploadAcl).toBe("public-read");
    expect(readMastodonEnv(new Map()).hostname).toBe("s3-us-east-1.amazonaws.com");
    expect(readMastodonEnv(new Map()).multipartThresholdBytes).toBe(DEFAULT_MULTIPART_THRESHOLD_BYTES);
    expect(readMastodonEnv(new Map([["S3_MULTIPART_THRESHOLD", ""]])).multipartThresholdBytes).toBe(0);
  });

  it("reads numbers like Ruby's to_i and EXTRA_MEDIA_HOSTS like content_security_policy.rb", () => {
    expect([rubyToI("50"), rubyToI("50MB"), rubyToI("15.megabytes"), rubyToI(""), rubyToI("abc")]).toEqual([
      50, 50, 15, 0, 0,
    ]);
    expect(parseMediaHosts("https://a.example.com, b.example.com  https://c.example.com/x").map((e) => e.host)).toEqual(
      ["a.example.com", "b.example.com", "c.example.com"],
    );
  });

  it("recognises every provider from its endpoint, with the bucket label a console adds", () => {
    const cases: [string, string, string | undefined, string | undefined][] = [
      ["s3.eu-central-1.amazonaws.com", "aws", "eu-central-1", undefined],
      ["0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com", "r2", undefined, undefined],
      ["media.fra1.digitaloceanspaces.com", "spaces", "fra1", "media"],
      ["s3.ap-southeast-2.wasabisys.com", "wasabi", "ap-southeast-2", undefined],
      ["s3.us-west-004.backblazeb2.com", "b2", "us-west-004", undefined],
      ["example-bucket.s3.nl-ams.scw.cloud", "scaleway", "nl-ams", "example-bucket"],
      ["fsn1.your-objectstorage.com", "hetzner", "fsn1", undefined],
      ["sos-ch-gva-2.exo.io", "exoscale", "ch-gva-2", undefined],
      ["s3.gra.io.cloud.ovh.net", "ovh", "gra", undefined],
      ["media.eu-central-1.linodeobjects.com", "linode", "eu-central-1", "media"],
      ["minio.example.com:9000", "minio", undefined, undefined],
      ["garage.example.com:3900", "garage", undefined, undefined],
      ["rgw.example.com", "rgw", undefined, undefined],
    ];
    for (const [host, id, region, bucket] of cases) {
      const found = recognizeProvider(host);
      expect([found?.provider.id, found?.region, found?.bucketLabel], host).toEqual([id, region, bucket]);
    }
    expect(recognizeProvider("s3.example.com")).toBeUndefined();
  });
});

describe("doctor's findings", () => {
  it("finds nothing wrong in the env blocks this project renders", () => {
    const env = renderEnv({
      bucket: "example-social-media",
      region: "fra1",
      endpoint: "https://fra1.digitaloceanspaces.com",
      hostname: "fra1.digitaloceanspaces.com",
      aliasHost: "files.example.com",
      protocol: "https",
      extraMediaHosts: [],
      accessKeyId: "k",
      secretAccessKey: "s",
      checksumsOnlyWhenRequired: true,
      aclMode: "object-acl",
    });
    const values = new Map(
      env
        .trim()
        .split("\n")
        .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
    );
    expect(diagnoseEnv(values).findings.filter((f) => f.severity !== "info")).toEqual([]);
  });

  it("on Mastodon's docs example for AWS (no S3_PERMISSION), warns about ACLs only", () => {
    const values = new Map(
      Object.entries({
        S3_ENABLED: "true",
        S3_BUCKET: "files.example.com",
        AWS_ACCESS_KEY_ID: "AKIA",
        AWS_SECRET_ACCESS_KEY: "x",
        S3_ALIAS_HOST: "files.example.com",
      }),
    );
    expect(diagnoseEnv(values).findings.map((f) => f.id)).toEqual(["permission-acls-disabled"]);
  });

  it("says an empty S3_ENDPOINT makes the SDK refuse to start", () => {
    expect(find({ S3_ENDPOINT: "" }, "endpoint-empty")?.severity).toBe("error");
  });

  it("refuses plain http to a public host, and calls http on a private network valid even with S3_PROTOCOL=https", () => {
    expect(find({ S3_ENDPOINT: "http://s3.example.com" }, "endpoint-http")?.severity).toBe("error");
    const local = find(
      { S3_ENDPOINT: "http://10.0.0.5:9000", S3_PROTOCOL: "https", S3_HOSTNAME: "10.0.0.5:9000" },
      "endpoint-http-private",
    );
    expect(local?.severity).toBe("info");
    expect(
      run({ S3_ENDPOINT: "http://10.0.0.5:9000", S3_PROTOCOL: "https", S3_HOSTNAME: "10.0.0.5:9000" }).filter(
        (f) => f.severity === "error",
      ),
    ).toEqual([]);
  });

  it("names a scheme, a port, a path and the bucket in S3_ALIAS_HOST, and an empty one", () => {
    expect(find({ S3_ALIAS_HOST: "https://files.example.com" }, "alias-scheme")?.fix).toBe(
      "write S3_ALIAS_HOST=files.example.com",
    );
    expect(find({ S3_ALIAS_HOST: "files.example.com:8443" }, "alias-port")?.severity).toBe("warning");
    expect(find({ S3_ALIAS_HOST: "files.example.com/media" }, "alias-path")?.severity).toBe("warning");
    expect(find({ S3_ALIAS_HOST: "files.example.com/example-social-media" }, "bucket-in-alias")?.fix).toBe(
      "if the host serves the bucket at its root, write S3_ALIAS_HOST=files.example.com",
    );
    expect(find({ S3_ALIAS_HOST: "" }, "alias-empty")?.severity).toBe("error");
  });

  it("warns about an r2.dev media host", () => {
    expect(
      find(
        {
          S3_ENDPOINT: "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
          S3_REGION: "auto",
          S3_ALIAS_HOST: "pub-0123abcd.r2.dev",
          AWS_SECRET_ACCESS_KEY: "a".repeat(64),
        },
        "r2-dev-host",
      )?.severity,
    ).toBe("warning");
  });

  it("reads S3_REGION against R2 and flags an empty region", () => {
    expect(
      find(
        { S3_ENDPOINT: "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com", S3_REGION: "eu-central-1" },
        "region-mismatch",
      )?.fix,
    ).toBe("write S3_REGION=auto");
    expect(find({ S3_REGION: "" }, "region-empty")?.severity).toBe("error");
  });

  it("knows the empty multipart threshold, S3_FORCE_SINGLE_REQUEST where the provider needs it, and the ignored checksum mode", () => {
    expect(find({ S3_MULTIPART_THRESHOLD: "" }, "multipart-threshold-empty")?.problem).toContain(
      "EVERY upload goes multipart",
    );
    expect(
      find(
        { S3_ENDPOINT: "https://sos-ch-gva-2.exo.io", S3_REGION: "ch-gva-2", S3_HOSTNAME: "sos-ch-gva-2.exo.io" },
        "force-single-request",
      )?.fix,
    ).toBe("add S3_FORCE_SINGLE_REQUEST=true");
    expect(find({ S3_FORCE_SINGLE_REQUEST: "1" }, "force-single-request-value")?.severity).toBe("warning");
    expect(find({ S3_ENABLE_CHECKSUM_MODE: "true" }, "checksum-mode-ignored")?.severity).toBe("info");
    expect(find({ AWS_REQUEST_CHECKSUM_CALCULATION: "sometimes" }, "checksum-invalid")?.severity).toBe("error");
  });

  it("says S3_KEY_PREFIX breaks tootctl media remove-orphans", () => {
    expect(find({ S3_KEY_PREFIX: "social" }, "key-prefix-orphans")?.problem).toContain(
      "`tootctl media remove-orphans` cannot work",
    );
  });

  it("reads EXTRA_MEDIA_HOSTS entries", () => {
    expect(find({ EXTRA_MEDIA_HOSTS: "http://old.example.com" }, "extra-media-host-scheme")?.fix).toBe(
      "write https://old.example.com",
    );
    expect(
      run({ EXTRA_MEDIA_HOSTS: "https://old.example.com, old2.example.com" }).filter(
        (f) => f.variable === "EXTRA_MEDIA_HOSTS",
      ),
    ).toEqual([]);
  });

  it("with --previous, reports a changed alias host and whether the old one is still in the CSP", () => {
    const changed = find({ S3_ALIAS_HOST: "media.example.com" }, "media-host-changed", {
      ...BASE,
      S3_ALIAS_HOST: "files.example.com",
    });
    expect(changed?.severity).toBe("error");
    expect(changed?.fix).toContain("EXTRA_MEDIA_HOSTS=https://files.example.com");
    const kept = find(
      { S3_ALIAS_HOST: "media.example.com", EXTRA_MEDIA_HOSTS: "https://files.example.com" },
      "media-host-changed",
      { ...BASE, S3_ALIAS_HOST: "files.example.com" },
    );
    expect(kept?.fix).not.toContain("EXTRA_MEDIA_HOSTS");
  });

  it("treats S3_ENABLED other than exactly true as local storage", () => {
    expect(run({ S3_ENABLED: "TRUE" }).map((f) => f.id)).toEqual(["s3-not-enabled"]);
  });

  it("never shows the value of a secret in any finding", () => {
    const findings = run({
      S3_ENDPOINT: "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
      S3_REGION: "auto",
    });
    expect(findings.some((f) => f.id === "r2-secret-raw-token")).toBe(true);
  });
});
