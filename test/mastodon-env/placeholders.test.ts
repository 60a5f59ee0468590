import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { diagnoseEnv } from "../../cli/doctor/diagnose";
import { readTarget } from "../../mastodon-env/target";
import { parseEnvFile } from "../../mastodon-env/env-file";
import { findPlaceholders } from "../../mastodon-env/placeholders";
import { MOCK_PLACEHOLDER } from "../../components/masks";
import { runDoctorCommand, runMigrateCommand as migrateCli, runVerifyCommand } from "../helpers/command";

const ROOT = path.resolve(__dirname, "../..");
/** The env block `npm run plan -- --stack cloudflare` prints (masked), pasted into a file as it was printed. */
const MASKED = path.join(ROOT, "test/fixtures/placeholders/masked-plan.env");
const SPACES = path.join(ROOT, "test/fixtures/migrate/old-spaces.env");

const masked = () => parseEnvFile(readFileSync(MASKED, "utf8")).values;
const spaces = () => parseEnvFile(readFileSync(SPACES, "utf8")).values;

describe("placeholder values printed by the project are never taken as real", () => {
  it("finds every kind the project prints, naming the variable and never the value", () => {
    const cases: Record<string, string> = {
      AWS_ACCESS_KEY_ID: MOCK_PLACEHOLDER,
      AWS_SECRET_ACCESS_KEY: "[secret]",
      S3_ENDPOINT: `https://${MOCK_PLACEHOLDER}.r2.cloudflarestorage.com`,
      S3_BUCKET: "...",
      S3_ALIAS_HOST: "<media host: `pulumi stack output mediaBaseUrl` after pulumi up>",
      AWS_SESSION_TOKEN: "offline-plan-secret-placeholder",
      S3_HOSTNAME: "0123456789abcdef0123456789abcdef.r2.cloudflarest...",
    };
    const found = findPlaceholders(new Map(Object.entries(cases)));
    expect(found.map((p) => p.variable).sort()).toEqual(Object.keys(cases).sort());
    for (const p of found) expect(p.problem).toContain(p.variable);
    expect(found.find((p) => p.variable === "AWS_SECRET_ACCESS_KEY")?.problem).not.toContain("[secret]=");
  });

  it("accepts real values, and ignores variables Mastodon's storage does not read", () => {
    expect(findPlaceholders(spaces())).toEqual([]);
    expect(
      findPlaceholders(
        new Map([
          ["SMTP_PASSWORD", "[secret]"],
          ["S3_PERMISSION", ""],
        ]),
      ),
    ).toEqual([]);
    const cases = path.join(ROOT, "test/fixtures/cases/envs");
    for (const file of readdirSync(cases))
      expect(findPlaceholders(parseEnvFile(readFileSync(path.join(cases, file), "utf8")).values), file).toEqual([]);
  });

  it("verify's readTarget (verify, doctor --live, migrate) refuses the masked plan block", () => {
    const result = readTarget(masked());
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.join("\n")).toMatch(/AWS_ACCESS_KEY_ID holds a placeholder/);
    expect(problems.join("\n")).toMatch(/AWS_SECRET_ACCESS_KEY holds a placeholder/);
  });

  it("doctor reports an ERROR per placeholder", () => {
    const findings = diagnoseEnv(masked()).findings.filter((f) => f.id === "placeholder-value");
    expect(findings.map((f) => `${f.severity}:${f.variable}`)).toEqual([
      "error:AWS_ACCESS_KEY_ID",
      "error:AWS_SECRET_ACCESS_KEY",
    ]);
    // Not blamed on the placeholder's shape (R2's secret is 64 hex characters) as well: the cause is the paste.
    expect(
      diagnoseEnv(masked())
        .findings.filter((f) => f.severity === "error")
        .map((f) => f.id),
    ).toEqual(["placeholder-value", "placeholder-value"]);
  });

  it("npm run doctor exits 1 with the errors; verify exits 2 before touching the network", async () => {
    const doctor = await runDoctorCommand(["--env", MASKED]);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain("ERROR AWS_SECRET_ACCESS_KEY:");
    expect(doctor.stdout).not.toContain("No problem found");
    const verify = await runVerifyCommand(["--env", MASKED]);
    expect(verify.code).toBe(2);
    expect(verify.stderr + verify.stdout).toContain("AWS_SECRET_ACCESS_KEY holds a placeholder");
  });

  it("npm run migrate --run refuses the masked block with exit 2 and starts no copy", { timeout: 60_000 }, async () => {
    const system = mkdtempSync(path.join(tmpdir(), "placeholder-sys-"));
    mkdirSync(path.join(system, "media_attachments"));
    const run = await migrateCli(["--from", `local:${system}`, "--to-env", MASKED, "--run"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("AWS_ACCESS_KEY_ID holds a placeholder");
    expect(run.stdout).not.toContain("copying");
  });
});

describe("npm run migrate refuses to copy a bucket onto itself", { timeout: 60_000 }, () => {
  it("same env as source and target: one line, exit 2", async () => {
    const run = await migrateCli(["--from-env", SPACES, "--to-env", SPACES]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain("the same place: bucket old-social-media at nyc3.digitaloceanspaces.com");
    expect(run.stderr).not.toContain("oldFixtureSecretValue");
  });

  it("a target prefix inside the source's overlaps; another prefix of the same bucket does not", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "placeholder-overlap-"));
    const text = readFileSync(SPACES, "utf8");
    const nested = path.join(dir, "nested.env");
    writeFileSync(nested, text.replace("S3_KEY_PREFIX=social", "S3_KEY_PREFIX=social/new"));
    const nestedRun = await migrateCli(["--from-env", SPACES, "--to-env", nested]);
    expect(nestedRun.code).toBe(2);
    expect(nestedRun.stderr).toContain("overlapping places");
    const sibling = path.join(dir, "sibling.env");
    writeFileSync(sibling, text.replace("S3_KEY_PREFIX=social", "S3_KEY_PREFIX=social2"));
    expect((await migrateCli(["--from-env", SPACES, "--to-env", sibling, "--start", "2026-12-01"])).code).toBe(0);
  });

  it("on AWS, the same bucket through another endpoint form is the same bucket", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "placeholder-aws-"));
    const base =
      "S3_ENABLED=true\nS3_BUCKET=social-media\nS3_REGION=eu-central-1\nS3_ALIAS_HOST=files.example.com\nAWS_ACCESS_KEY_ID=AKIAEXAMPLEKEYID0000\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY00\n";
    const regional = path.join(dir, "regional.env");
    writeFileSync(regional, base);
    const explicit = path.join(dir, "explicit.env");
    writeFileSync(
      explicit,
      `${base}S3_ENDPOINT=https://s3.dualstack.eu-central-1.amazonaws.com\nS3_OVERRIDE_PATH_STYLE=true\n`,
    );
    const run = await migrateCli(["--from-env", regional, "--to-env", explicit]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("the same place: bucket social-media");
  });
});
