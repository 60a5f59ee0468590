import * as path from "node:path";
import { maskEnvSecrets } from "../components/env";
import { evaluatePlan } from "../policy/evaluate";
import { runProgram } from "./engine";
import { readStackFile, type StackFileConfig } from "./stack-file";
import { MOCK_PLACEHOLDER, SECRET_MASK } from "../components/masks";
import type { Plan, PlannedResource } from "../components/plan-model";
import { hideMockValues, type PlaceholderAt } from "./placeholders";

export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** The offline plan of one committed stack: the real program under mocks, then the policy pack over it. */
export async function planStack(
  stack: string,
  root: string = PROJECT_ROOT,
  file: StackFileConfig = readStackFile(stack, root),
): Promise<Plan> {
  const { config, secretKeys } = file;
  const { resources, outputs, mockValues } = await runProgram(stack, config, secretKeys);
  return {
    stack,
    provider: config["mastodon-media:provider"] ?? "unknown",
    resources,
    outputs,
    violations: evaluatePlan(resources, config),
    mockValues,
  };
}

/**
 * The plan as printed or written: secret inputs and outputs masked unless asked for, and every value the mock
 * engine invented shown as MOCK_PLACEHOLDER ("(known after deploy)"), with `mockPlaceholders` saying where.
 */
export function publicPlan(plan: Plan, showSecrets: boolean) {
  const found: PlaceholderAt[] = [];
  const hide = <T>(value: T, at: (path: string) => PlaceholderAt): T =>
    hideMockValues(value, plan.mockValues, at, found) as T;
  const env = plan.outputs.envProduction?.value;
  return {
    stack: plan.stack,
    provider: plan.provider,
    resources: plan.resources.map((resource) => ({
      type: resource.type,
      name: resource.name,
      urn: resource.urn,
      parent: resource.parent,
      inputs: hide(showSecrets ? resource.inputs : maskPaths(resource.inputs, resource.secretInputs), (path) => ({
        resource: resource.urn,
        path,
      })),
      protect: resource.protect,
      retainOnDelete: resource.retainOnDelete,
      dependsOn: resource.dependsOn,
    })),
    outputs: Object.fromEntries(
      Object.entries(plan.outputs).map(([key, output]) => [
        key,
        hide(showSecrets || !output.secret ? output.value : SECRET_MASK, (path) => ({ output: key, path })),
      ]),
    ),
    violations: plan.violations,
    /** The env block with the credential masked: what a reviewer may see. */
    envProductionMasked:
      typeof env === "string" ? hide(maskEnvSecrets(env), () => ({ output: "envProductionMasked", path: "" })) : null,
    /** Where the plan shows MOCK_PLACEHOLDER instead of a value the provider assigns at deploy time. */
    mockPlaceholders: { marker: MOCK_PLACEHOLDER, at: found },
  };
}

export type PublicPlan = ReturnType<typeof publicPlan>;

function maskPaths(inputs: PlannedResource["inputs"], paths: readonly string[]): PlannedResource["inputs"] {
  if (paths.includes(".")) return { [SECRET_MASK]: SECRET_MASK };
  const copy = structuredClone(inputs);
  for (const secretPath of paths) {
    const keys = secretPath.split(".");
    const last = keys.pop() as string;
    let cursor: Record<string, unknown> | undefined = copy;
    for (const key of keys) cursor = cursor?.[key] as Record<string, unknown> | undefined;
    if (cursor && last in cursor) cursor[last] = SECRET_MASK;
  }
  return copy;
}
