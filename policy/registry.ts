import type { PlannedResource } from "../cli/plan/types";

export interface Rule {
  name: string;
  description: string;
  enforcementLevel: "mandatory" | "advisory";
  check(resource: PlannedResource): string[];
}

/** Every rule of the pack. */
export const rules: Rule[] = [];
