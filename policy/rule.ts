import type { PolicyConfigSchema, Severity } from "@pulumi/policy";
import type { Environment } from "./environment";

/**
 * A rule of the pack as a pure function over resource shapes, so that the same code runs in CrossGuard
 * (policy/crossguard.ts) and in the offline plan (policy/evaluate.ts).
 */

/** One resource as a rule sees it, whichever runner built it. */
export interface RuleResource {
  type: string;
  urn: string;
  name: string;
  /** Inputs (resource rules) or, in CrossGuard stack rules, outputs: the fields the rules read are in both. */
  props: Record<string, unknown>;
  protect: boolean;
  /**
   * The retainOnDelete resource option. CrossGuard does not pass it to policies (PolicyResourceOptions has no
   * such field), so it is undefined there and only the offline plan, which captures the registration
   * request, checks it.
   */
  retainOnDelete?: boolean;
}

export interface RuleContext {
  environment: Environment;
  /** The rule's own config (pack config file or defaults from its schema), without enforcementLevel. */
  config: Readonly<Record<string, unknown>>;
}

export type EnforcementLevel = "mandatory" | "advisory";

interface RuleBase {
  /** kebab-case, named for the compliant condition. */
  name: string;
  /** "Checks whether ..." */
  description: string;
  enforcementLevel: EnforcementLevel;
  severity: Severity;
  /** Reads the stack's environment: the pack then offers an `environment` config property. */
  usesEnvironment?: boolean;
  configSchema?: PolicyConfigSchema;
}

export interface ResourceRule extends RuleBase {
  kind: "resource";
  resourceTypes: readonly string[];
  /** Violation messages ("X must ..."); empty when the resource complies. */
  validate(resource: RuleResource, context: RuleContext): string[];
}

export interface StackFinding {
  urn: string;
  message: string;
}

/** A rule that needs several resources at once (a bucket and its lifecycle, a domain and its WAF rule). */
export interface StackRule extends RuleBase {
  kind: "stack";
  validate(resources: readonly RuleResource[], context: RuleContext): StackFinding[];
}

export type Rule = ResourceRule | StackRule;
