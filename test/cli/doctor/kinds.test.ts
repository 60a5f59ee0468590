import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnvFile } from "../../../mastodon-env/env-file";
import { cspAllowsHost, localMediaBase, readMastodonEnv } from "../../../mastodon-env/model";
import { diagnoseEnv } from "../../../cli/doctor/diagnose";
import type { Finding } from "../../../cli/doctor/finding";

/**
 * The kinds doctor used to miss (issue #20), each on envs rebuilt from public reports (test/fixtures/doctor; the
 * first comment line of each file says the situation and its source). LAB_WRITER_KEY / LAB_WRITER_SECRET stand for
 * a writer key of a plausible shape.
 */
const DIR = path.resolve(__dirname, "../../fixtures/doctor");

function read(file: string): Map<string, string> {
  const text = readFileSync(path.join(DIR, file), "utf8")
    .replace("LAB_WRITER_KEY", "0123456789abcdef0123456789abcdef")
    .replace("LAB_WRITER_SECRET", "b".repeat(64));
  const parsed = parseEnvFile(text);
  expect(parsed.problems).toEqual([]);
  return parsed.values;
}
const diagnose = (file: string, previous?: string) =>
  diagnoseEnv(read(file), previous ? read(previous) : undefined).findings;
const ids = (findings: Finding[]) => findings.filter((f) => f.severity !== "info").map((f) => `${f.severity}:${f.id}`);
const byId = (findings: Finding[], id: string) => findings.find((f) => f.id === id);

/** Exactly the errors and warnings each case must produce (the real cause named, nothing invented). */
const EXPECTED: Record<string, string[]> = {
  "k1a-scaleway-hostname-no-endpoint.env": ["error:endpoint-missing"],
  "k1b-region-de-other-host.env": ["error:endpoint-missing", "warning:checksum-variables"],
  "k1c-minio-hostname-only.env": ["error:endpoint-missing"],
  "k2a-aliyun-path-style.env": ["error:path-style-refused"],
  "k2b-tencent-path-style.env": ["error:path-style-refused"],
  "k2c-minio-override.env": ["warning:virtual-host-style-self-hosted"],
  "k2d-aliyun-override-upper.env": ["error:path-style-refused", "warning:override-path-style-value"],
  "k2e-ip-endpoint-override.env": [],
  "k4a-garage-no-region.env": ["warning:region-server-setting"],
  "k5-previous-spaces-acl.env": [],
  "k5-moved-to-scaleway-acl.env": [],
  "m1-swift.env": [],
  "m2-web-domain-cdn-host.env": [],
  "m3-batch-delete-and-class.env": [
    "error:batch-delete-limit",
    "error:storage-class-archive",
    "warning:batch-delete-retry",
    "warning:timeout-value",
  ],
  "m4-gcs-wizard.env": [],
  "m5-storj-wizard.env": [],
};

describe("doctor names the kinds of issue #20", () => {
  it("covers every fixture, each with a first comment line", () => {
    const files = readdirSync(DIR)
      .filter((f) => f.endsWith(".env"))
      .sort();
    expect(Object.keys(EXPECTED).sort()).toEqual(files);
    for (const file of files) expect(readFileSync(path.join(DIR, file), "utf8")).toMatch(/^# \S+: .{20,}/);
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(`${file}: ${expected.length ? expected.join(", ") : "no error or warning"}`, () => {
      expect(ids(diagnose(file))).toEqual(expected);
    });
  }

  it("1: the API endpoint missing: names the host the SDK builds and the endpoint to add", () => {
    const scaleway = byId(diagnose("k1a-scaleway-hostname-no-endpoint.env"), "endpoint-missing");
    expect(scaleway?.problem).toContain("example-social-media.s3.fr-par.amazonaws.com");
    expect(scaleway?.fix).toBe("add S3_ENDPOINT=https://s3.fr-par.scw.cloud");
    expect(byId(diagnose("k1b-region-de-other-host.env"), "endpoint-missing")?.fix).toBe(
      "add S3_ENDPOINT=https://storage.de.example.net",
    );
    expect(byId(diagnose("k1c-minio-hostname-only.env"), "endpoint-missing")?.problem).toContain(
      "S3_HOSTNAME is MinIO's host",
    );
    // An AWS env (a real AWS region, an AWS host) needs no endpoint.
    const aws = diagnoseEnv(
      new Map([
        ["S3_ENABLED", "true"],
        ["S3_BUCKET", "b"],
        ["S3_REGION", "eu-central-1"],
        ["S3_HOSTNAME", "s3.eu-central-1.amazonaws.com"],
        ["S3_ALIAS_HOST", "files.example.com"],
      ]),
    ).findings;
    expect(byId(aws, "endpoint-missing")).toBeUndefined();
  });

  it("2: path style refused by Aliyun and Tencent; the override names the error and its fix", () => {
    const aliyun = byId(diagnose("k2a-aliyun-path-style.env"), "path-style-refused");
    expect(aliyun?.problem).toContain("SecondLevelDomainForbidden");
    expect(aliyun?.fix).toBe(
      "add S3_OVERRIDE_PATH_STYLE=true (virtual-hosted calls to example-social-media.oss-cn-hangzhou.aliyuncs.com)",
    );
    expect(byId(diagnose("k2b-tencent-path-style.env"), "path-style-refused")?.problem).toContain(
      "PathStyleDomainForbidden",
    );
    const withOverride = read("k2a-aliyun-path-style.env");
    withOverride.set("S3_OVERRIDE_PATH_STYLE", "true");
    expect(ids(diagnoseEnv(withOverride).findings)).toEqual([]);
    const minio = byId(diagnose("k2c-minio-override.env"), "virtual-host-style-self-hosted");
    expect(minio?.problem).toContain("example-social-media.minio.example.com:9000");
    expect(minio?.fix).toMatch(/^remove S3_OVERRIDE_PATH_STYLE/);
  });

  it("3: R2 and private is a warning advising the empty value; only public-read is an error", () => {
    const values = read("k5-moved-to-scaleway-acl.env");
    values.set("S3_ENDPOINT", "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com");
    values.set("S3_REGION", "auto");
    values.delete("S3_HOSTNAME");
    values.set("S3_PERMISSION", "authenticated-read");
    const unknown = byId(diagnoseEnv(values).findings, "permission-unsupported");
    expect(unknown?.severity).toBe("warning");
    expect(unknown?.problem).toContain("whether it accepts authenticated-read is not known");
    values.set("S3_PERMISSION", "public-read");
    expect(byId(diagnoseEnv(values).findings, "permission-refused")?.severity).toBe("error");
  });

  it("4: Garage's region is a server setting: absent S3_REGION warns; a set one is an info naming garage.toml", () => {
    const absent = byId(diagnose("k4a-garage-no-region.env"), "region-server-setting");
    expect(absent?.problem).toContain("s3_region in the [s3_api] section of garage.toml");
    expect(absent?.fix).toContain("S3_REGION=garage");
    const values = read("k4a-garage-no-region.env");
    values.set("S3_REGION", "garage");
    const set = byId(diagnoseEnv(values).findings, "region-server-setting");
    expect(set?.severity).toBe("info");
  });

  it("5: a move between two ACL-mode storages says what the copy must do", () => {
    const move = byId(diagnose("k5-moved-to-scaleway-acl.env", "k5-previous-spaces-acl.env"), "move-keeps-acls");
    expect(move?.severity).toBe("warning");
    expect(move?.problem).toContain("mastodon/mastodon#12605");
    expect(move?.fix).toContain("rclone copy --s3-acl public-read");
    expect(move?.fix).toContain("tootctl media remove-orphans --fix-permissions");
    // The same storage again is no move; a policy-served destination needs no ACLs.
    expect(
      byId(diagnose("k5-previous-spaces-acl.env", "k5-previous-spaces-acl.env"), "move-keeps-acls"),
    ).toBeUndefined();
    const policy = read("k5-moved-to-scaleway-acl.env");
    policy.set("S3_PERMISSION", "");
    expect(byId(diagnoseEnv(policy, read("k5-previous-spaces-acl.env")).findings, "move-keeps-acls")).toBeUndefined();
  });

  it("Swift is not local disk", () => {
    const [only, ...rest] = diagnose("m1-swift.env");
    expect(rest).toEqual([]);
    expect(only?.id).toBe("other-backend");
    expect(only?.problem).toContain("OpenStack Swift");
  });

  it("old local URLs live on CDN_HOST (else WEB_DOMAIN) under PAPERCLIP_ROOT_URL, not on LOCAL_DOMAIN", () => {
    const values = read("m2-web-domain-cdn-host.env");
    expect(localMediaBase(values)?.href).toBe("https://cdn.example.com/system/");
    const note = byId(diagnoseEnv(values).findings, "system-redirect-unchecked");
    expect(note?.problem).toContain("https://cdn.example.com/system/KEY");
    expect(note?.problem).not.toContain("https://example.com/system");
    values.delete("CDN_HOST");
    expect(localMediaBase(values)?.href).toBe("https://social.example.com/system/");
    values.set("PAPERCLIP_ROOT_URL", "/media");
    expect(localMediaBase(values)?.href).toBe("https://social.example.com/media/");
    values.delete("WEB_DOMAIN");
    expect(localMediaBase(values)?.href).toBe("https://example.com/media/");
  });

  it("the CSP allows CDN_HOST (or WEB_DOMAIN), PAPERCLIP_ROOT_URL's host and EXTRA_DATA_HOSTS", () => {
    const values = read("m2-web-domain-cdn-host.env");
    values.set("EXTRA_DATA_HOSTS", "https://old-files.example.com|https://video.example.net");
    const env = readMastodonEnv(values);
    for (const host of ["files.example.com", "cdn.example.com", "old-files.example.com", "video.example.net"])
      expect(cspAllowsHost(env, host, values), host).toBe(true);
    expect(cspAllowsHost(env, "elsewhere.example.org", values)).toBe(false);
    // The media host that changed away is allowed when it is the CDN host: no "no longer in the CSP" claim.
    const previous = read("m2-web-domain-cdn-host.env");
    previous.set("S3_ALIAS_HOST", "cdn.example.com");
    const changed = byId(diagnoseEnv(read("m2-web-domain-cdn-host.env"), previous).findings, "media-host-changed");
    expect(changed?.problem).not.toContain("no longer in the CSP");
  });

  it("batch deletes, storage class and timeouts as attachment_batch.rb and paperclip.rb read them", () => {
    const found = diagnose("m3-batch-delete-and-class.env");
    expect(byId(found, "batch-delete-limit")?.problem).toContain("read with to_i as 0");
    expect(byId(found, "storage-class-archive")?.fix).toContain("remove the S3_STORAGE_CLASS line");
    const values = read("m3-batch-delete-and-class.env");
    values.set("S3_BATCH_DELETE_LIMIT", "5000");
    values.set("S3_STORAGE_CLASS", "STANDARD_IA");
    values.set("S3_RETRY_LIMIT", "-1");
    const more = diagnoseEnv(values).findings;
    expect(byId(more, "batch-delete-limit")?.problem).toContain("above the 1000 keys");
    expect(byId(more, "storage-class-minimums")?.severity).toBe("warning");
    expect(byId(more, "retry-limit")?.fix).toBe(
      "write S3_RETRY_LIMIT=3 (the SDK then retries throttling and 5xx answers with backoff)",
    );
  });

  it("GCS and Storj as Mastodon's setup wizard writes them are recognised and not flagged", () => {
    expect(diagnoseEnv(read("m4-gcs-wizard.env")).provider.provider.id).toBe("gcs");
    expect(diagnoseEnv(read("m5-storj-wizard.env")).provider.provider.id).toBe("storj");
    expect(diagnose("m5-storj-wizard.env")).toEqual([]);
    // Without the checksum variables, GCS's documented refusal of CRC32 headers is named, with the versions.
    const bare = read("m4-gcs-wizard.env");
    bare.delete("AWS_REQUEST_CHECKSUM_CALCULATION");
    bare.delete("AWS_RESPONSE_CHECKSUM_VALIDATION");
    const checksum = byId(diagnoseEnv(bare).findings, "checksum-variables");
    expect(checksum?.problem).toContain("from Mastodon 4.4.16, 4.5.9 and 4.6.0 on");
    expect(checksum?.problem).toContain("aws/aws-sdk-java-v2#5987");
  });
});

describe("other cases of the same kinds", () => {
  const base = (entries: Record<string, string>) =>
    new Map(
      Object.entries({
        S3_ENABLED: "true",
        S3_BUCKET: "example-social-media",
        S3_ALIAS_HOST: "files.example.com",
        S3_PERMISSION: "",
        AWS_ACCESS_KEY_ID: "k",
        AWS_SECRET_ACCESS_KEY: "s",
        AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
        AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
        ...entries,
      }),
    );

  it("1: a scheme pasted into S3_HOSTNAME, Spaces and Wasabi without S3_ENDPOINT, R2's region without an endpoint", () => {
    const scheme = byId(
      diagnoseEnv(base({ S3_REGION: "fra1", S3_HOSTNAME: "https://fra1.digitaloceanspaces.com" })).findings,
      "endpoint-missing",
    );
    expect(scheme?.fix).toBe("add S3_ENDPOINT=https://fra1.digitaloceanspaces.com");
    const wasabi = byId(
      diagnoseEnv(base({ S3_REGION: "us-east-1", S3_HOSTNAME: "s3.wasabisys.com" })).findings,
      "endpoint-missing",
    );
    expect(wasabi?.fix).toBe("add S3_ENDPOINT=https://s3.us-east-1.wasabisys.com");
    const r2 = byId(diagnoseEnv(base({ S3_REGION: "auto" })).findings, "endpoint-missing");
    expect(r2?.problem).toContain("example-social-media.s3.auto.amazonaws.com");
  });

  it("2: Aliyun's internal endpoint is OSS too, and names no bucket", () => {
    for (const endpoint of ["https://oss-cn-shanghai-internal.aliyuncs.com", "https://oss-cn-shanghai.aliyuncs.com"]) {
      const found = diagnoseEnv(base({ S3_REGION: "oss-cn-shanghai", S3_ENDPOINT: endpoint })).findings;
      expect(ids(found), endpoint).toEqual(["error:path-style-refused"]);
    }
    // Aliyun's guides sign with either form of the region: no mismatch is claimed.
    expect(
      byId(
        diagnoseEnv(
          base({
            S3_REGION: "cn-shanghai",
            S3_ENDPOINT: "https://oss-cn-shanghai.aliyuncs.com",
            S3_OVERRIDE_PATH_STYLE: "true",
          }),
        ).findings,
        "region-mismatch",
      ),
    ).toBeUndefined();
  });

  it("5: a move to storage that serves by policy, or that uploads private, needs no ACL on the copy", () => {
    const previous = read("k5-previous-spaces-acl.env");
    const privateUploads = read("k5-moved-to-scaleway-acl.env");
    privateUploads.set("S3_PERMISSION", "private");
    expect(byId(diagnoseEnv(privateUploads, previous).findings, "move-keeps-acls")).toBeUndefined();
    const fromAbsent = new Map(previous);
    fromAbsent.delete("S3_PERMISSION");
    expect(
      byId(diagnoseEnv(read("k5-moved-to-scaleway-acl.env"), fromAbsent).findings, "move-keeps-acls")?.problem,
    ).toContain("before: x-amz-acl public-read");
  });
});
