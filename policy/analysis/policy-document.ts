/**
 * AWS-language policy documents (IAM identity policies, S3 bucket policies, and the same language on Spaces,
 * MinIO and Ceph RGW), parsed into one normalised shape: every element that may be a string or a list becomes
 * a list, and `Not*` elements are flagged rather than dropped. Accepts the JSON text a resource sends or the
 * object a program may pass instead.
 */

export interface Condition {
  /** e.g. `StringEquals`, `ArnLike`, `StringLikeIfExists`. */
  operator: string;
  /** Condition keys are case-insensitive: stored lowercase. */
  key: string;
  values: string[];
}

/** Who a statement is about. Identity policies have no principal (`none`). */
export interface PrincipalSpec {
  kind: "none" | "any" | "map";
  aws: string[];
  service: string[];
  /** Federated, CanonicalUser: kept so that nothing is silently treated as absent. */
  other: string[];
}

export interface Statement {
  sid?: string;
  effect: "Allow" | "Deny";
  principal: PrincipalSpec;
  /** A `NotPrincipal` element: the statement applies to everyone except `principal`. */
  notPrincipal: boolean;
  actions: string[];
  notAction: boolean;
  resources: string[];
  notResource: boolean;
  conditions: Condition[];
}

export interface PolicyDocument {
  statements: Statement[];
}

export type ParseResult = { ok: true; document: PolicyDocument } | { ok: false; problem: string };

export function parsePolicyDocument(input: unknown): ParseResult {
  let raw = input;
  if (typeof input === "string") {
    try {
      raw = JSON.parse(input);
    } catch {
      return { ok: false, problem: "is not valid JSON" };
    }
  }
  if (!isRecord(raw)) return { ok: false, problem: "must be a JSON object" };
  const statementElement = raw.Statement;
  const list = Array.isArray(statementElement)
    ? statementElement
    : statementElement === undefined
      ? []
      : [statementElement];
  const statements: Statement[] = [];
  for (const [index, item] of list.entries()) {
    const parsed = parseStatement(item);
    if (typeof parsed === "string") return { ok: false, problem: `Statement ${index + 1} ${parsed}` };
    statements.push(parsed);
  }
  return { ok: true, document: { statements } };
}

function parseStatement(item: unknown): Statement | string {
  if (!isRecord(item)) return "must be an object";
  if (item.Effect !== "Allow" && item.Effect !== "Deny") return "must have Effect Allow or Deny";
  const notAction = item.NotAction !== undefined;
  const notResource = item.NotResource !== undefined;
  const notPrincipal = item.NotPrincipal !== undefined;
  const actions = strings(notAction ? item.NotAction : item.Action);
  const resources = strings(notResource ? item.NotResource : item.Resource);
  if (actions === undefined) return "must have Action or NotAction as a string or a list of strings";
  if (resources === undefined) return "must have Resource or NotResource as a string or a list of strings";
  const principal = parsePrincipal(notPrincipal ? item.NotPrincipal : item.Principal);
  if (principal === undefined) return 'has a Principal that is neither "*" nor a map of lists';
  const conditions = parseConditions(item.Condition);
  if (conditions === undefined) return "has a Condition that is not a map of operator to key to values";
  return {
    ...(typeof item.Sid === "string" ? { sid: item.Sid } : {}),
    effect: item.Effect,
    principal,
    notPrincipal,
    actions,
    notAction,
    resources,
    notResource,
    conditions,
  };
}

function parsePrincipal(value: unknown): PrincipalSpec | undefined {
  const empty = { aws: [], service: [], other: [] };
  if (value === undefined) return { kind: "none", ...empty };
  if (value === "*") return { kind: "any", ...empty };
  if (!isRecord(value)) return undefined;
  const spec: PrincipalSpec = { kind: "map", aws: [], service: [], other: [] };
  for (const [key, entry] of Object.entries(value)) {
    const list = strings(entry);
    if (list === undefined) return undefined;
    if (key === "AWS") spec.aws.push(...list);
    else if (key === "Service") spec.service.push(...list);
    else spec.other.push(...list.map((principal) => `${key}:${principal}`));
  }
  return spec;
}

function parseConditions(value: unknown): Condition[] | undefined {
  if (value === undefined) return [];
  if (!isRecord(value)) return undefined;
  const conditions: Condition[] = [];
  for (const [operator, block] of Object.entries(value)) {
    if (!isRecord(block)) return undefined;
    for (const [key, entry] of Object.entries(block)) {
      const values = typeof entry === "boolean" ? [String(entry)] : strings(entry);
      if (values === undefined) return undefined;
      conditions.push({ operator, key: key.toLowerCase(), values });
    }
  }
  return conditions;
}

function strings(value: unknown): string[] | undefined {
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((item): item is string => typeof item === "string")) return [...value];
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
