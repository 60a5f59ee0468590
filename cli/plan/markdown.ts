import { alertTitle, isEmptyDiff, show, type PlanDiff } from "./diff";
import { mediaUrlAlertLine } from "./media-urls";
import type { PublicPlan } from "../../offline-plan/run";

/** What the plan was compared with, for the "Changes" section. */
export interface Comparison {
  diff: PlanDiff;
  /** How to name the other plan, e.g. "the base branch". */
  against: string;
}

/**
 * The plan as GitHub-flavoured Markdown for a job summary: bucket alerts first, then the resources, the policy
 * findings, the changes and the env block. Always from the masked plan: a summary is readable by anyone who
 * can read the repository.
 */
export function renderPlanMarkdown(plan: PublicPlan, comparison?: Comparison): string {
  const mandatory = plan.violations.filter((violation) => violation.level === "mandatory").length;
  const advisory = plan.violations.length - mandatory;
  const lines = [`### Offline plan of \`${cell(plan.stack)}\` (${cell(plan.provider)})`, ""];

  if (comparison && (comparison.diff.bucketAlerts.length > 0 || comparison.diff.mediaUrlAlert)) {
    lines.push("> [!CAUTION]");
    if (comparison.diff.mediaUrlAlert)
      lines.push(`> **${cell(mediaUrlAlertLine(comparison.diff.mediaUrlAlert))}**<br>`);
    for (const alert of comparison.diff.bucketAlerts)
      lines.push(`> **${cell(alertTitle(alert))}**: ${cell(alert.message)}<br>`);
    lines.push("");
  }
  lines.push(`${plan.resources.length} resources; policy findings: ${mandatory} mandatory, ${advisory} advisory.`, "");

  lines.push("| resource | type | protect | retainOnDelete |", "|---|---|---|---|");
  for (const resource of plan.resources) {
    lines.push(
      `| ${code(resource.name)} | ${code(resource.type)} | ${resource.protect ? "yes" : ""} | ${resource.retainOnDelete ? "yes" : ""} |`,
    );
  }

  lines.push("", "#### Policy findings", "");
  if (plan.violations.length === 0) lines.push("None.");
  else {
    lines.push("| level | policy | resource | message |", "|---|---|---|---|");
    for (const violation of plan.violations) {
      const name = violation.resource.split("::").pop() ?? violation.resource;
      lines.push(`| ${violation.level} | ${code(violation.policy)} | ${code(name)} | ${cell(violation.message)} |`);
    }
  }

  if (comparison) lines.push("", ...changesSection(comparison));

  if (plan.envProductionMasked) {
    lines.push("", "#### `.env.production` (secrets masked)", "", ...fenced(plan.envProductionMasked.trimEnd(), "sh"));
  }
  if (plan.mockPlaceholders.at.length > 0) {
    lines.push(
      "",
      `\`${plan.mockPlaceholders.marker}\`: a value the provider assigns during \`pulumi up\` (an id, an ARN, a key, a host name); ` +
        "this offline plan does not know it.",
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The summary of a stack whose config could not be planned (exit 2): the message names every bad key. */
export function renderPlanErrorMarkdown(stack: string, message: string): string {
  return [
    `### Offline plan of \`${cell(stack)}\``,
    "",
    "> [!WARNING]",
    "> The config could not be planned:",
    "",
    ...fenced(message, "text"),
    "",
  ].join("\n");
}

function changesSection({ diff, against }: Comparison): string[] {
  const lines = [`#### Changes against ${cell(against)}`, ""];
  if (isEmptyDiff(diff)) return [...lines, "No changes."];
  lines.push("| | resource | type | changed |", "|---|---|---|---|");
  for (const resource of diff.added) lines.push(`| added | ${code(resource.name)} | ${code(resource.type)} | |`);
  for (const resource of diff.removed) lines.push(`| removed | ${code(resource.name)} | ${code(resource.type)} | |`);
  for (const resource of diff.changed) {
    const changes = [...resource.options, ...resource.inputs].map(
      (change) => `${code(change.path)}: ${code(show(change.before))} → ${code(show(change.after))}`,
    );
    lines.push(`| changed | ${code(resource.name)} | ${code(resource.type)} | ${changes.join("<br>")} |`);
  }
  return lines;
}

/** Text inside a table cell: pipes escaped, no line breaks. */
function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ").replace(/</g, "&lt;");
}

/** A code span that survives backticks and pipes in the value. */
function code(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const padded = text.startsWith("`") || text.endsWith("`") ? ` ${text} ` : text;
  return `${fence}${padded.replace(/\|/g, "\\|").replace(/\r?\n/g, " ")}${fence}`;
}

/** A fenced block whose fence is longer than any backtick run in the text. */
function fenced(text: string, language: string): string[] {
  const longestRun = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  return [`${fence}${language}`, text, fence];
}
