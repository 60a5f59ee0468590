import type { Diagnosis } from "./diagnose";
import type { Finding, Severity } from "./finding";

const LABEL: Record<Severity, string> = { error: "ERROR", warning: "WARN ", info: "INFO " };

/**
 * One finding: severity, variable and problem, the fix, and its id, which is the finding's row in
 * docs/troubleshooting.md and names the rule that raised it (cli/doctor/finding.ts, cli/doctor/rules/).
 */
export function renderFinding(f: Finding): string {
  return [
    `${LABEL[f.severity]} ${f.variable}: ${f.problem}`,
    `       fix: ${f.fix}`,
    `       id: ${f.id} (docs/troubleshooting.md)`,
  ].join("\n");
}

/** What the text report knows besides the diagnosis: whether --live follows, where Mastodon stores media, an empty env. */
export interface RenderSetting {
  live: boolean;
  /** mastodon-env/model.ts storageBackend of the env. */
  backend: "s3" | "swift" | "azure" | "local";
  /** The env sets no variable at all. */
  empty: boolean;
}

const BACKEND: Record<RenderSetting["backend"], string> = {
  s3: "S3",
  swift: "OpenStack Swift",
  azure: "Azure Blob Storage",
  local: "the local disk (public/system)",
};

/** The text report: what storage the env means, one block per finding, a one-line verdict. */
export function renderDiagnosis(file: string, diagnosis: Diagnosis, setting: RenderSetting): string {
  const { provider, region } = diagnosis.provider;
  const storage = setting.empty
    ? "nothing is set: S3_ENABLED is not true, so Mastodon stores media on the local disk"
    : setting.backend === "s3"
      ? `provider: ${provider.name}${region ? `, region ${region}` : ""}`
      : `S3 is not enabled (S3_ENABLED is not true): Mastodon stores media in ${BACKEND[setting.backend]}`;
  const lines = [`Checking ${file} as Mastodon reads it (${storage})`, ""];
  for (const f of diagnosis.findings) lines.push(renderFinding(f), "");
  const count = (s: Severity) => diagnosis.findings.filter((f) => f.severity === s).length;
  const suggestLive = setting.live || setting.backend !== "s3" ? "" : " Run with --live to test the storage itself.";
  lines.push(
    diagnosis.findings.length === 0
      ? `No problem found in the storage variables.${suggestLive}`
      : `${count("error")} error(s), ${count("warning")} warning(s), ${count("info")} note(s).${count("error") + count("warning") === 0 ? suggestLive : ""}`,
  );
  return `${lines.join("\n")}\n`;
}

/** Whether the findings alone make doctor exit 1. */
export function hasProblems(diagnosis: Diagnosis): boolean {
  return diagnosis.findings.some((f) => f.severity !== "info");
}
