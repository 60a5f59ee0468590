import { SECRET_MASK } from "../../components/masks";
import type { PublicPlan } from "../../offline-plan/run";

type Resource = PublicPlan["resources"][number];

/** The plan for a person: the resource tree, the policy findings, the outputs and the env block. */
export function renderPlan(plan: PublicPlan): string {
  const lines = [
    `Offline plan of stack "${plan.stack}" (provider ${plan.provider}): ${plan.resources.length} resources`,
    "",
  ];
  const children = new Map<string | null, Resource[]>();
  for (const resource of plan.resources) {
    const siblings = children.get(resource.parent) ?? [];
    siblings.push(resource);
    children.set(resource.parent, siblings);
  }
  const walk = (parent: string | null, indent: string) => {
    const siblings = children.get(parent) ?? [];
    siblings.forEach((resource, index) => {
      const last = index === siblings.length - 1;
      const branch = parent === null ? "" : last ? "└─ " : "├─ ";
      const flags = [resource.protect && "protected", resource.retainOnDelete && "retained on delete"].filter(Boolean);
      lines.push(
        `${indent}${branch}${resource.name}  ${resource.type}${flags.length ? `  [${flags.join(", ")}]` : ""}`,
      );
      walk(resource.urn, parent === null ? indent : indent + (last ? "   " : "│  "));
    });
  };
  walk(null, "  ");

  lines.push("", "Policy findings:");
  if (plan.violations.length === 0) lines.push("  none");
  for (const violation of plan.violations) {
    const name = violation.resource.split("::").pop();
    lines.push(`  ${violation.level.toUpperCase()} ${violation.policy} (${name}): ${violation.message}`);
  }

  lines.push("", "Stack outputs:");
  for (const [key, value] of Object.entries(plan.outputs)) {
    if (key === "envProduction") continue;
    if (typeof value === "string" && value.includes("\n")) {
      lines.push(
        `  ${key}:`,
        ...value
          .trimEnd()
          .split("\n")
          .map((line) => `    ${line}`),
      );
    } else {
      lines.push(`  ${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
    }
  }
  // With --show-secrets the outputs hold the env block unmasked: show that one, as the JSON does.
  const shown = plan.outputs.envProduction;
  const env = typeof shown === "string" && shown !== SECRET_MASK ? shown : plan.envProductionMasked;
  if (env) {
    lines.push(
      "",
      "envProduction, as `pulumi stack output envProduction --show-secrets` prints it after `pulumi up` " +
        "(take it from there, not from this plan):",
    );
    for (const line of env.trimEnd().split("\n")) lines.push(`  ${line}`);
  }
  if (plan.mockPlaceholders.at.length > 0) {
    lines.push(
      "",
      `${plan.mockPlaceholders.marker}: a value the provider assigns during \`pulumi up\` (an id, an ARN, a key, a host name); ` +
        "this offline plan does not know it.",
    );
  }
  return `${lines.join("\n")}\n`;
}
