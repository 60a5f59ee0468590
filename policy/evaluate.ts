import type { PlannedResource, PolicyViolation } from "../cli/plan/types";
import { rules } from "./registry";

/** Runs every rule of the pack over the resources of an offline plan, as `pulumi preview --policy-pack` would. */
export function evaluatePlan(resources: readonly PlannedResource[]): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  for (const resource of resources) {
    for (const rule of rules) {
      for (const message of rule.check(resource)) {
        violations.push({ policy: rule.name, level: rule.enforcementLevel, resource: resource.urn, message });
      }
    }
  }
  return violations;
}
