import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { renderEnv, type EnvFacts } from "../../../components/env";
import { diagnoseEnv } from "../../../cli/doctor/diagnose";
import { readCacheBuster } from "../../../mastodon-env/cache-buster";
import { parseEnvFile } from "../../../mastodon-env/env-file";

/**
 * doctor's CACHE_BUSTER_* findings, from env files rebuilt from the ways an admin gets Mastodon's cache buster
 * wrong (test/fixtures/cache-buster/, first line: the situation). Each file names the finding it must produce.
 */
const FIXTURES = path.join(__dirname, "../../fixtures/cache-buster");

const EXPECTED: Record<string, { id: string; severity: string; variable: string }[]> = {
  "enabled-capital-true.env": [{ id: "cache-buster-off", severity: "warning", variable: "CACHE_BUSTER_ENABLED" }],
  "enabled-one.env": [{ id: "cache-buster-off", severity: "warning", variable: "CACHE_BUSTER_ENABLED" }],
  "header-without-secret.env": [
    { id: "cache-buster-header-incomplete", severity: "warning", variable: "CACHE_BUSTER_SECRET" },
  ],
  "secret-without-header.env": [
    { id: "cache-buster-header-incomplete", severity: "warning", variable: "CACHE_BUSTER_SECRET_HEADER" },
  ],
  "purge-on-cloudfront.env": [
    { id: "cache-buster-purge-method", severity: "warning", variable: "CACHE_BUSTER_HTTP_METHOD" },
  ],
  "purge-on-own-domain.env": [
    { id: "cache-buster-purge-method", severity: "info", variable: "CACHE_BUSTER_HTTP_METHOD" },
  ],
  "method-ban.env": [{ id: "cache-buster-method-unknown", severity: "warning", variable: "CACHE_BUSTER_HTTP_METHOD" }],
  "no-acl-cdn.env": [],
  "masked-secret.env": [{ id: "placeholder-value", severity: "error", variable: "CACHE_BUSTER_SECRET" }],
  "acl-mode-on.env": [],
};

function diagnose(text: string) {
  const { values } = parseEnvFile(text);
  const findings = diagnoseEnv(values).findings;
  expect(JSON.stringify(findings)).not.toContain("example-bust-secret");
  expect(JSON.stringify(findings)).not.toContain("example-secret-value");
  return findings;
}

/** The findings about the cache buster (and a placeholder in its variables), without the no-ACL advice. */
function busterFindings(text: string) {
  return diagnose(text)
    .filter(
      (f) =>
        (f.id.startsWith("cache-buster-") && f.id !== "cache-buster-no-acl-suspension") ||
        (f.id === "placeholder-value" && f.variable.startsWith("CACHE_BUSTER_")),
    )
    .map(({ id, severity, variable }) => ({ id, severity, variable }));
}

describe("doctor's CACHE_BUSTER_* findings", () => {
  it("has an expectation for every fixture", () => {
    expect(readdirSync(FIXTURES).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(`${file}: ${expected.map((f) => f.id).join(", ") || "no cache buster finding"}`, () => {
      expect(busterFindings(readFileSync(path.join(FIXTURES, file), "utf8"))).toEqual(expected);
    });
  }

  it("advises, without ACLs and with a media host, that a suspension never busts (and not in object-ACL mode)", () => {
    const noAcl = diagnose(readFileSync(path.join(FIXTURES, "no-acl-cdn.env"), "utf8")).find(
      (f) => f.id === "cache-buster-no-acl-suspension",
    );
    expect(noAcl).toMatchObject({ severity: "info", variable: "S3_PERMISSION" });
    expect(noAcl?.fix).toContain("npm run purge -- --account");
    expect(diagnose(readFileSync(path.join(FIXTURES, "acl-mode-on.env"), "utf8")).map((f) => f.id)).not.toContain(
      "cache-buster-no-acl-suspension",
    );
    // S3_PERMISSION absent is the default public-read: object-ACL mode, where a suspension does bust.
    const absent = readFileSync(path.join(FIXTURES, "no-acl-cdn.env"), "utf8").replace("S3_PERMISSION=\n", "");
    expect(diagnose(absent).map((f) => f.id)).not.toContain("cache-buster-no-acl-suspension");
  });

  it("finds nothing to fix in the block this project renders", () => {
    const aws: EnvFacts = {
      bucket: "example-social-media",
      region: "eu-central-1",
      hostname: "s3.eu-central-1.amazonaws.com",
      aliasHost: "files.example.com",
      protocol: "https",
      extraMediaHosts: [],
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      secretAccessKey: "example-secret-value-that-must-never-show",
      checksumsOnlyWhenRequired: false,
      aclMode: "no-acl",
      cacheBuster: {
        secretHeader: "Mastodon-Cache-Buster",
        secret: "exampleBustSecretThatMustNeverShow",
        httpMethod: "GET",
      },
    };
    expect(busterFindings(renderEnv(aws))).toEqual([]);
  });
});

describe("readCacheBuster reads CACHE_BUSTER_* as Mastodon 4.4+ does", () => {
  const read = (entries: Record<string, string>) => readCacheBuster(new Map(Object.entries(entries)));

  it("is on only for exactly `true`", () => {
    expect(
      ["true", "True", "TRUE", "1", "yes", " true"].map((value) => read({ CACHE_BUSTER_ENABLED: value }).enabled),
    ).toEqual([true, false, false, false, false, false]);
  });

  it("sends the header only when both the name (not blank) and the secret (not empty) are set", () => {
    expect(read({ CACHE_BUSTER_SECRET_HEADER: "X-Bust", CACHE_BUSTER_SECRET: "s" }).header).toEqual({
      name: "X-Bust",
      value: "s",
    });
    expect(read({ CACHE_BUSTER_SECRET_HEADER: "X-Bust" }).header).toBeUndefined();
    expect(read({ CACHE_BUSTER_SECRET_HEADER: "X-Bust", CACHE_BUSTER_SECRET: "" }).header).toBeUndefined();
    expect(read({ CACHE_BUSTER_SECRET_HEADER: "  ", CACHE_BUSTER_SECRET: "s" }).header).toBeUndefined();
  });

  it("defaults the method to GET when absent or empty (YAML null), upper-cases it, and knows http.rb's methods", () => {
    expect([
      read({}).method,
      read({ CACHE_BUSTER_HTTP_METHOD: "" }).method,
      read({ CACHE_BUSTER_HTTP_METHOD: "purge" }).method,
    ]).toEqual(["GET", "GET", "PURGE"]);
    expect([
      read({ CACHE_BUSTER_HTTP_METHOD: "purge" }).methodKnown,
      read({ CACHE_BUSTER_HTTP_METHOD: "BAN" }).methodKnown,
    ]).toEqual([true, false]);
  });
});
