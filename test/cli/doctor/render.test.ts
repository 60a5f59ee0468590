import { describe, expect, it } from "vitest";
import { diagnoseEnv } from "../../../cli/doctor/diagnose";
import { renderDiagnosis } from "../../../cli/doctor/render";
import { storageBackend } from "../../../mastodon-env/model";

const render = (entries: [string, string][], live = false) => {
  const values = new Map(entries);
  return renderDiagnosis("env", diagnoseEnv(values), {
    live,
    backend: storageBackend(values),
    empty: values.size === 0,
  });
};

describe("doctor's text report", () => {
  it("does not claim a provider or region for an empty env, nor for one without S3", () => {
    const empty = render([]);
    expect(empty.split("\n")[0]).toBe(
      "Checking env as Mastodon reads it (nothing is set: S3_ENABLED is not true, so Mastodon stores media on the local disk)",
    );
    expect(empty).not.toContain("AWS S3");
    expect(empty).not.toContain("us-east-1");
    expect(render([["LOCAL_DOMAIN", "social.example.com"]]).split("\n")[0]).toContain(
      "S3 is not enabled (S3_ENABLED is not true)",
    );
  });

  it("prints each finding's id, its row in docs/troubleshooting.md", () => {
    const text = render([["S3_ENABLED", "true"]]);
    const diagnosis = diagnoseEnv(new Map([["S3_ENABLED", "true"]]));
    expect(diagnosis.findings.length).toBeGreaterThan(0);
    for (const finding of diagnosis.findings)
      expect(text).toContain(`       id: ${finding.id} (docs/troubleshooting.md)`);
  });

  it("does not suggest --live when --live runs", () => {
    const values = new Map([["S3_ENABLED", "true"]]);
    const clean = { provider: diagnoseEnv(values).provider, findings: [] };
    expect(renderDiagnosis("env", clean, { live: true, backend: "s3", empty: false })).not.toContain("Run with --live");
    expect(renderDiagnosis("env", clean, { live: false, backend: "s3", empty: false })).toContain("Run with --live");
  });
});
