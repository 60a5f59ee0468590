import { readdirSync, readFileSync, existsSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnvFile } from "../../../mastodon-env/env-file";
import { diagnoseEnv } from "../../../cli/doctor/diagnose";
import type { Finding } from "../../../cli/doctor/finding";

/**
 * Every env of the cases rebuilt from public reports (test/fixtures/cases, kept in this repository so that it is
 * self-contained) with the outcome its README (test/fixtures/cases/README.md) names. LAB_WRITER_KEY / LAB_WRITER_SECRET stand for a
 * writer key: they are replaced by credentials of the right shape for the provider (R2: a 32-hex id, a 64-hex secret).
 */
const ROOT = path.resolve(__dirname, "../../..");
const FIXTURES = path.join(ROOT, "test/fixtures/cases");
// Where the cases were first written, beside this checkout on the machine that wrote them; absent elsewhere.
const ORIGIN = path.join(ROOT, "..", "shared", "cases");

function diagnoseCase(file: string, previous?: string) {
  const text = readFileSync(path.join(FIXTURES, "envs", file), "utf8")
    .replace("LAB_WRITER_KEY", "0123456789abcdef0123456789abcdef")
    .replace("LAB_WRITER_SECRET", "a".repeat(64));
  const parsed = parseEnvFile(text);
  expect(parsed.problems).toEqual([]);
  return diagnoseEnv(parsed.values, previous ? parseEnvFile(previous).values : undefined);
}

const ids = (findings: Finding[]) => findings.filter((f) => f.severity !== "info").map((f) => `${f.severity}:${f.id}`);

/** The README's expected outcome for doctor, per case: exactly these errors and warnings. */
const EXPECTED: Record<string, string[]> = {
  "case01-r2-acl-private.env": ["warning:permission-unsupported"],
  "case01b-r2-acl-default.env": ["error:permission-refused"],
  "case02-aws-acls-disabled.env": ["warning:permission-acls-disabled"],
  "case03a-b2-checksum.env": ["error:checksum-variables"],
  "case03b-r2-checksum.env": ["warning:checksum-variables"],
  "case07-bucket-in-endpoint.env": ["error:bucket-in-endpoint", "warning:checksum-variables"],
  "case07b-writer-without-listbucket.env": [],
  "case08-multipart-threshold-mb.env": ["error:multipart-threshold-bytes"],
  "case09-r2-raw-token-value.env": ["error:r2-secret-raw-token"],
  "case12b-moved-from-local-storage.env": [],
  "case13a-spaces-region-mismatch.env": ["error:region-mismatch"],
  "case15-no-media-host.env": ["error:media-host-missing"],
  "case17-minio-uppercase-region.env": [],
};

describe("doctor on the cases rebuilt from public reports", () => {
  it("has every case file, and covers each one", () => {
    const files = readdirSync(path.join(FIXTURES, "envs")).sort();
    expect(files.length).toBeGreaterThanOrEqual(13);
    expect(Object.keys(EXPECTED).sort()).toEqual(files);
  });

  it.runIf(existsSync(ORIGIN))("keeps test/fixtures/cases equal to the originals where those exist", () => {
    for (const file of readdirSync(path.join(ORIGIN, "envs"))) {
      expect(readFileSync(path.join(FIXTURES, "envs", file), "utf8"), file).toBe(
        readFileSync(path.join(ORIGIN, "envs", file), "utf8"),
      );
    }
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(`${file}: ${expected.length ? expected.join(", ") : "no error or warning"}`, () => {
      expect(ids(diagnoseCase(file).findings)).toEqual(expected);
    });
  }

  it("case01: private on R2 is a warning (reported to work), advising the empty value; public-read is the proven error", () => {
    const [finding] = diagnoseCase("case01-r2-acl-private.env").findings;
    expect(finding?.variable).toBe("S3_PERMISSION");
    expect(finding?.severity).toBe("warning");
    expect(finding?.fix).toMatch(/^write the line S3_PERMISSION= with nothing after the '='/);
    expect(finding?.problem).toContain("admins report uploads with private to work");
    const [absent] = diagnoseCase("case01b-r2-acl-default.env").findings;
    expect(absent?.severity).toBe("error");
    expect(absent?.problem).toContain("x-amz-acl: public-read with 501 NotImplemented");
  });

  it("case07: names S3_ENDPOINT, the bucket inside it, and the right endpoint", () => {
    const finding = diagnoseCase("case07-bucket-in-endpoint.env").findings.find((f) => f.id === "bucket-in-endpoint");
    expect(finding?.variable).toBe("S3_ENDPOINT");
    expect(finding?.problem).toContain("example-bucket.s3.nl-ams.scw.cloud");
    expect(finding?.fix).toBe("write S3_ENDPOINT=https://s3.nl-ams.scw.cloud");
  });

  it("case08: the threshold is 50 bytes, and 50 MB was meant", () => {
    const finding = diagnoseCase("case08-multipart-threshold-mb.env").findings[0];
    expect(finding?.problem).toContain('"50" means 50 bytes');
    expect(finding?.fix).toBe("write S3_MULTIPART_THRESHOLD=52428800 (50 MB in bytes)");
  });

  it("case09: says the secret has a raw token's shape, its fix is the SHA-256, and never shows it", () => {
    const finding = diagnoseCase("case09-r2-raw-token-value.env").findings[0];
    expect(finding?.problem).toContain("has the shape of a raw API token value");
    expect(finding?.fix).toContain("sha256sum");
    expect(JSON.stringify(finding)).not.toContain("Xq3r");
  });

  it("case12b: tells how to check the /system/ redirect on LOCAL_DOMAIN, and with --previous reports the move", () => {
    const note = diagnoseCase("case12b-moved-from-local-storage.env").findings.find(
      (f) => f.id === "system-redirect-unchecked",
    );
    expect(note?.fix).toContain("curl -sI https://social.example.com/system/");
    // The rule migrate prints (cli/shared/system-redirect.ts): `^~` wins over Mastodon's own `location ~ ^/system/`.
    expect(note?.fix).toContain(
      'location ^~ /system/ { if ($request_uri ~ "^/system/([^?]+)") { return 301 https://files.example.com/$1$is_args$args; } return 404; }',
    );
    const moved = diagnoseCase("case12b-moved-from-local-storage.env", "LOCAL_DOMAIN=social.example.com\n");
    expect(moved.findings.find((f) => f.id === "moved-from-local")?.severity).toBe("warning");
  });

  it("case13a: the mismatch, with the right pair", () => {
    const finding = diagnoseCase("case13a-spaces-region-mismatch.env").findings[0];
    expect(finding?.fix).toBe(
      "write the pair of the bucket's region: S3_REGION=nyc3 with S3_ENDPOINT=https://nyc3.digitaloceanspaces.com, or S3_REGION=fra1 with S3_ENDPOINT=https://fra1.digitaloceanspaces.com if the bucket is in fra1",
    );
  });

  it("case17: no finding about the region at all", () => {
    expect(
      diagnoseCase("case17-minio-uppercase-region.env").findings.filter((f) => f.variable === "S3_REGION"),
    ).toEqual([]);
  });
});
