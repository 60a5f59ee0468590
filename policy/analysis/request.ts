import type { Condition, PolicyDocument, Statement } from "./policy-document";
import { actionMatches, resourceMatches, wildcardMatches } from "./patterns";

/** Who makes a request: an unsigned caller, an IAM identity, or an AWS service acting for a resource. */
export type RequestPrincipal =
  { kind: "anonymous" } | { kind: "identity"; arn: string } | { kind: "service"; service: string };

export interface AccessRequest {
  principal: RequestPrincipal;
  action: string;
  /** The ARN acted on: `arn:aws:s3:::BUCKET` or `arn:aws:s3:::BUCKET/KEY`. */
  resource: string;
  /** Request context keys, e.g. `{"aws:SourceArn": "..."}`. */
  context?: Readonly<Record<string, string>>;
}

/** The policies that decide a same-account request: the caller's identity policies and the bucket policy. */
export interface PolicySet {
  identity?: readonly PolicyDocument[];
  resource?: PolicyDocument;
}

export type Decision = "allowed" | "explicitly-denied" | "implicitly-denied";

/**
 * Same-account evaluation (IAM user guide, "Policy evaluation logic"): an explicit Deny in any applicable
 * statement wins; otherwise an Allow from either the identity policies or the resource policy allows.
 * Anonymous and service callers have no identity policies. Supports the String, Arn and Bool condition
 * operators (with IfExists) and Null; any other operator throws rather than guess.
 */
export function decide(request: AccessRequest, policies: PolicySet): Decision {
  const context = Object.fromEntries(
    Object.entries(request.context ?? {}).map(([key, value]) => [key.toLowerCase(), value]),
  );
  const applicable: Statement[] = [];
  if (request.principal.kind === "identity") {
    for (const document of policies.identity ?? []) applicable.push(...document.statements);
  }
  for (const statement of policies.resource?.statements ?? []) {
    if (principalMatches(statement, request.principal)) applicable.push(statement);
  }
  const matching = applicable.filter((statement) => statementMatches(statement, request, context));
  if (matching.some((statement) => statement.effect === "Deny")) return "explicitly-denied";
  return matching.some((statement) => statement.effect === "Allow") ? "allowed" : "implicitly-denied";
}

function statementMatches(statement: Statement, request: AccessRequest, context: Record<string, string>): boolean {
  const action = statement.actions.some((pattern) => actionMatches(pattern, request.action)) !== statement.notAction;
  const resource =
    statement.resources.some((pattern) => resourceMatches(pattern, request.resource)) !== statement.notResource;
  return action && resource && statement.conditions.every((condition) => conditionHolds(condition, context));
}

function principalMatches(statement: Statement, principal: RequestPrincipal): boolean {
  const spec = statement.principal;
  // A principal-less statement in a resource policy is invalid; it never applies to anyone.
  if (spec.kind === "none") return false;
  const named =
    spec.kind === "any" ||
    (principal.kind === "service" ? spec.service.includes(principal.service) : spec.aws.includes("*")) ||
    (principal.kind === "identity" && spec.aws.some((entry) => identityMatches(entry, principal.arn)));
  return named !== statement.notPrincipal;
}

/** `{AWS: ARN}` names that identity; an account id or its root ARN names every identity of the account. */
function identityMatches(entry: string, arn: string): boolean {
  const account = arn.split(":")[4];
  return entry === arn || entry === account || entry === `arn:aws:iam::${account}:root`;
}

function conditionHolds(condition: Condition, context: Record<string, string>): boolean {
  const value = context[condition.key];
  if (condition.operator === "Null") {
    return condition.values.some((expected) => (expected === "true") === (value === undefined));
  }
  const ifExists = condition.operator.endsWith("IfExists");
  const operator = ifExists ? condition.operator.slice(0, -"IfExists".length) : condition.operator;
  if (value === undefined) return ifExists || operator.includes("Not");
  const compare = COMPARATORS[operator];
  if (!compare) throw new Error(`decide: condition operator ${condition.operator} is not supported`);
  return compare(condition.values, value);
}

const like = (caseInsensitive: boolean) => (values: readonly string[], value: string) =>
  values.some((pattern) => wildcardMatches(pattern, value, { caseInsensitive }));
const equals = (values: readonly string[], value: string) => values.includes(value);
const not =
  (compare: (values: readonly string[], value: string) => boolean) => (values: readonly string[], value: string) =>
    !compare(values, value);

const COMPARATORS: Record<string, (values: readonly string[], value: string) => boolean> = {
  StringEquals: equals,
  StringNotEquals: not(equals),
  StringEqualsIgnoreCase: (values, value) => values.some((expected) => expected.toLowerCase() === value.toLowerCase()),
  StringLike: like(false),
  StringNotLike: not(like(false)),
  // ArnEquals and ArnLike are the same operator in IAM: both honour wildcards.
  ArnEquals: like(false),
  ArnLike: like(false),
  ArnNotEquals: not(like(false)),
  ArnNotLike: not(like(false)),
  Bool: equals,
};
