import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runDoctorCommand } from "../../helpers/command";
import { diagnoseEnv } from "../../../cli/doctor/diagnose";
import { parseEnvFile } from "../../../mastodon-env/env-file";

const diagnose = (text: string) => diagnoseEnv(parseEnvFile(text).values).findings;

describe("doctor with S3 switched off on purpose", () => {
  it("S3_ENABLED=false is local storage (info), like an env without S3 variables", () => {
    const findings = diagnose("LOCAL_DOMAIN=social.example.com\nS3_ENABLED=false\n");
    expect(findings.map((f) => `${f.severity}:${f.id}`)).toEqual(["info:local-storage"]);
    expect(diagnose("LOCAL_DOMAIN=social.example.com\n").map((f) => `${f.severity}:${f.id}`)).toEqual([
      "info:local-storage",
    ]);
  });

  it("says leftover S3_ lines are ignored while S3_ENABLED is not true", () => {
    const [finding] = diagnose(
      "S3_ENABLED=false\nS3_BUCKET=old-media\nS3_REGION=eu-central-1\nAWS_ACCESS_KEY_ID=AKIAOLD\n",
    );
    expect(finding?.severity).toBe("info");
    expect(finding?.problem).toContain("S3_BUCKET, S3_REGION");
    expect(finding?.problem).toContain("ignored while S3_ENABLED is not `true`");
  });

  it("a value that reads as meant to enable S3 (TRUE, yes, 1) or no S3_ENABLED with S3_ lines stays an error", () => {
    for (const value of ["TRUE", "yes", "1", "True"])
      expect(diagnose(`S3_ENABLED=${value}\nS3_BUCKET=b\n`).map((f) => f.id)).toEqual(["s3-not-enabled"]);
    expect(diagnose("S3_BUCKET=b\n").map((f) => `${f.severity}:${f.id}`)).toEqual(["error:s3-not-enabled"]);
  });

  it("npm run doctor exits 0 on S3_ENABLED=false", async () => {
    const env = path.join(mkdtempSync(path.join(tmpdir(), "doctor-local-")), "env");
    writeFileSync(env, "S3_ENABLED=false\nS3_BUCKET=old-media\n");
    const run = await runDoctorCommand(["--env", env]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("ERROR");
    expect(run.stdout).toMatch(/INFO +S3_ENABLED:/);
  });
});
