import type { Diagnosis } from "./diagnose";
import type { Finding, Severity } from "./finding";

const LABEL: Record<Severity, string> = { error: "ERROR", warning: "WARN ", info: "INFO " };

export function renderFinding(f: Finding): string {
  return [`${LABEL[f.severity]} ${f.variable}: ${f.problem}`, `       fix: ${f.fix}`].join("\n");
}

/** The text report: provider line, one block per finding, a one-line verdict. */
export function renderDiagnosis(file: string, diagnosis: Diagnosis): string {
  const lines = [`Checking ${file} as Mastodon reads it (provider: ${diagnosis.provider.provider.name}${diagnosis.provider.region ? `, region ${diagnosis.provider.region}` : ""})`, ""];
  for (const f of diagnosis.findings) lines.push(renderFinding(f), "");
  const count = (s: Severity) => diagnosis.findings.filter((f) => f.severity === s).length;
  lines.push(
    diagnosis.findings.length === 0
      ? "No problem found in the storage variables. Run with --live to test the storage itself."
      : `${count("error")} error(s), ${count("warning")} warning(s), ${count("info")} note(s).${count("error") + count("warning") === 0 ? " Run with --live to test the storage itself." : ""}`,
  );
  return `${lines.join("\n")}\n`;
}

/** Whether the findings alone make doctor exit 1. */
export function hasProblems(diagnosis: Diagnosis): boolean {
  return diagnosis.findings.some((f) => f.severity !== "info");
}
