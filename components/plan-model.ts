/** One resource of the offline plan, as the program registered it (the `--json` plan, docs/pull-requests.md "The JSON plan"). */
export interface PlannedResource {
  type: string;
  name: string;
  urn: string;
  /** The parent's URN, or null for a top-level resource. */
  parent: string | null;
  custom: boolean;
  /** The exact inputs sent to the provider; secrets are unwrapped here and masked only when printed. */
  inputs: Record<string, unknown>;
  /** Dotted paths of the inputs that are secret (`.` for a fully secret input object). */
  secretInputs: string[];
  protect: boolean;
  retainOnDelete: boolean;
  dependsOn: string[];
  additionalSecretOutputs: string[];
  /** The deleteBeforeReplace resource option, present only when set (a replacement then deletes first). */
  deleteBeforeReplace?: true;
}

export interface PlanOutput {
  value: unknown;
  secret: boolean;
}

export interface PolicyViolation {
  policy: string;
  level: "mandatory" | "advisory";
  resource: string;
  message: string;
}

export interface Plan {
  stack: string;
  provider: string;
  resources: PlannedResource[];
  outputs: Record<string, PlanOutput>;
  violations: PolicyViolation[];
  /**
   * Values the mock engine invented in place of what the provider assigns at deploy time (ids, ARNs' account
   * and id parts, access key ids, generated host names and validation records). The plan's output shows
   * MOCK_PLACEHOLDER (components/masks.ts) instead of them.
   */
  mockValues: string[];
}
