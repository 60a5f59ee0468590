import * as path from "node:path";
import { maskEnvSecrets } from "../../components/env";
import { evaluatePlan } from "../../policy/evaluate";
import { runProgram } from "./engine";
import { readStackFile } from "./stack-file";
import type { Plan, PlannedResource } from "../../components/plan-model";

export const PROJECT_ROOT = path.resolve(__dirname, "../..");

/** The offline plan of one committed stack: the real program under mocks, then the policy pack over it. */
export async function planStack(stack: string, root: string = PROJECT_ROOT): Promise<Plan> {
  const { config, secretKeys } = readStackFile(stack, root);
  const { resources, outputs } = await runProgram(stack, config, secretKeys);
  return {
    stack,
    provider: config["mastodon-media:provider"] ?? "unknown",
    resources,
    outputs,
    violations: evaluatePlan(resources, config),
  };
}

export const SECRET_MASK = "[secret]";

/** The plan as printed or written: secret inputs and outputs masked unless asked for. */
export function publicPlan(plan: Plan, showSecrets: boolean) {
  return {
    stack: plan.stack,
    provider: plan.provider,
    resources: plan.resources.map((resource) => ({
      type: resource.type,
      name: resource.name,
      urn: resource.urn,
      parent: resource.parent,
      inputs: showSecrets ? resource.inputs : maskPaths(resource.inputs, resource.secretInputs),
      protect: resource.protect,
      retainOnDelete: resource.retainOnDelete,
      dependsOn: resource.dependsOn,
    })),
    outputs: Object.fromEntries(
      Object.entries(plan.outputs).map(([key, output]) => [key, showSecrets || !output.secret ? output.value : SECRET_MASK]),
    ),
    violations: plan.violations,
    /** The env block with the credential masked: what a reviewer may see. */
    envProductionMasked: typeof plan.outputs.envProduction?.value === "string" ? maskEnvSecrets(plan.outputs.envProduction.value) : null,
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
