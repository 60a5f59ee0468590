import { runProgram } from "../../offline-plan/engine";
import { evaluatePlan } from "../../policy/evaluate";
import type { Plan, PlannedResource } from "../../components/plan-model";

/**
 * Plans the real program under the mock engine with a config given as a plain object, the way a stack file
 * would hold it: `{ provider: "aws", bucket: "...", aws: { region: ... } }`. Provider keys such as `aws:region`
 * may be passed with their namespace.
 */
export async function planConfig(config: Record<string, unknown>, stack = "test"): Promise<Plan> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    const name = key.includes(":") ? key : `mastodon-media:${key}`;
    flat[name] = typeof value === "string" ? value : JSON.stringify(value);
  }
  const { resources, outputs, mockValues } = await runProgram(stack, flat, []);
  return {
    stack,
    provider: String(config.provider),
    resources,
    outputs,
    violations: evaluatePlan(resources, flat),
    mockValues,
  };
}

/** The one resource of a type (and name suffix); fails loudly when there is none or several. */
export function resourceOf(plan: Plan, type: string, nameSuffix = ""): PlannedResource {
  const matches = plan.resources.filter((r) => r.type === type && r.name.endsWith(nameSuffix));
  if (matches.length !== 1) {
    throw new Error(`expected one ${type}${nameSuffix ? ` named *${nameSuffix}` : ""}, found ${matches.length}`);
  }
  return matches[0] as PlannedResource;
}

export function resourcesOf(plan: Plan, type: string): PlannedResource[] {
  return plan.resources.filter((r) => r.type === type);
}

/** A JSON policy input parsed back into an object. */
export function jsonInput(resource: PlannedResource, key: string): unknown {
  const value = resource.inputs[key];
  if (typeof value !== "string") throw new Error(`${resource.name}.${key} is not a JSON string`);
  return JSON.parse(value);
}
