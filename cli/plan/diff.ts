import { UserError } from "../../components/errors";
import { BUCKET_TYPES as MEDIA_BUCKET_TYPES } from "../../policy/extract/buckets";
import { AWS, CLOUDFLARE, DIGITALOCEAN, MINIO } from "../../policy/resource-types";
import { mediaUrlAlertLine, mediaUrlChange, type MediaUrlAlert, type MediaUrlContext } from "./media-urls";

export type { MediaUrlAlert, MediaUrlContext } from "./media-urls";

/** The part of a `--json` plan the diff reads (docs/pull-requests.md, "The JSON plan"). */
export interface DiffablePlan {
  stack: string;
  resources: readonly DiffableResource[];
  /** The stack outputs as `--json` writes them (mediaBaseUrl among them). */
  outputs?: Record<string, unknown>;
  /** The env block with the credential masked: where the media URLs' host, bucket and key prefix are. */
  envProductionMasked?: string | null;
}

export interface DiffableResource {
  type: string;
  name: string;
  urn: string;
  inputs: Record<string, unknown>;
  protect: boolean;
  retainOnDelete: boolean;
}

/**
 * For every resource type that holds media (the policy pack's list), the inputs whose change makes the provider
 * create a new, empty bucket (ForceNew / RequiresReplace upstream) or points the stack at another bucket, and
 * whether the type has a forceDestroy input.
 */
export const BUCKET_FACTS: Readonly<Record<BucketType, { identity: readonly string[]; hasForceDestroy: boolean }>> = {
  // terraform-provider-aws resource_bucket: bucket, bucket_prefix and object_lock_enabled are ForceNew; a bucket
  // cannot move to another region or namespace.
  [AWS.bucket]: {
    identity: ["bucket", "bucketPrefix", "region", "objectLockEnabled", "bucketNamespace"],
    hasForceDestroy: true,
  },
  [AWS.bucketV2]: { identity: ["bucket", "bucketPrefix", "region", "objectLockEnabled"], hasForceDestroy: true },
  // The import id is ACCOUNT/NAME/JURISDICTION. A changed location hint also forces replacement in the
  // provider (cloudflare/terraform-provider-cloudflare#6458), although R2 only honours it at first creation.
  // R2 has no forceDestroy: it refuses to delete a bucket that still holds objects.
  [CLOUDFLARE.r2Bucket]: { identity: ["accountId", "name", "jurisdiction", "location"], hasForceDestroy: false },
  [DIGITALOCEAN.spacesBucket]: { identity: ["name", "region"], hasForceDestroy: true },
  [MINIO.s3Bucket]: { identity: ["bucket", "bucketPrefix", "objectLocking"], hasForceDestroy: true },
};

type BucketType = (typeof MEDIA_BUCKET_TYPES)[number];

export function isBucket(resource: Pick<DiffableResource, "type">): boolean {
  return (MEDIA_BUCKET_TYPES as readonly string[]).includes(resource.type);
}

export interface ResourceRef {
  urn: string;
  type: string;
  name: string;
}

/** One changed value: `path` is dotted, `[i]` for list items, `(json)` where a JSON string was decoded. */
export interface ValueChange {
  path: string;
  before: unknown;
  after: unknown;
}

export interface ChangedResource extends ResourceRef {
  inputs: ValueChange[];
  /** Resource options: protect, retainOnDelete. */
  options: ValueChange[];
}

export interface BucketAlert extends ResourceRef {
  kind: "replaced" | "deleted" | "unprotected";
  message: string;
}

export interface PlanDiff {
  added: ResourceRef[];
  removed: ResourceRef[];
  changed: ChangedResource[];
  /** Every bucket the change would replace, delete or leave unprotected: the lines a reviewer must not miss. */
  bucketAlerts: BucketAlert[];
  /** Set when the public media URLs change: every URL other servers hold points at the old ones. */
  mediaUrlAlert?: MediaUrlAlert;
}

/**
 * Compares two plans resource by resource, as `pulumi preview --diff` would: a resource is the same when its
 * URN is, but for the stack name, so that a review stack can also be compared with its template.
 */
export function diffPlans(before: DiffablePlan, after: DiffablePlan, context?: MediaUrlContext): PlanDiff {
  const old = new Map(before.resources.map((resource) => [identityOf(resource), resource]));
  const next = new Map(after.resources.map((resource) => [identityOf(resource), resource]));
  const diff: PlanDiff = { added: [], removed: [], changed: [], bucketAlerts: [] };
  const mediaUrlAlert = mediaUrlChange(before, after, context);
  if (mediaUrlAlert) diff.mediaUrlAlert = mediaUrlAlert;

  for (const resource of after.resources) if (!old.has(identityOf(resource))) diff.added.push(refOf(resource));
  for (const resource of before.resources) {
    const now = next.get(identityOf(resource));
    if (!now) {
      diff.removed.push(refOf(resource));
      if (isBucket(resource)) diff.bucketAlerts.push(deletedAlert(resource, after));
      continue;
    }
    const inputs = diffValues(resource.inputs, now.inputs, "");
    const options = diffValues(
      { protect: resource.protect, retainOnDelete: resource.retainOnDelete },
      { protect: now.protect, retainOnDelete: now.retainOnDelete },
      "",
    );
    if (inputs.length === 0 && options.length === 0) continue;
    diff.changed.push({ ...refOf(now), inputs, options });
    if (!isBucket(now)) continue;
    const identity = BUCKET_FACTS[now.type as BucketType].identity;
    const replacing = identity.filter((key) => !deepEqual(resource.inputs[key], now.inputs[key]));
    if (replacing.length > 0) {
      const what = replacing
        .map((key) => `${key} ${show(resource.inputs[key])} -> ${show(now.inputs[key])}`)
        .join(", ");
      diff.bucketAlerts.push({
        ...refOf(now),
        kind: "replaced",
        message: `${what}: forces a new, empty bucket; the old one and its media are deleted unless protected or retained`,
      });
    }
    const lostOptions = (["protect", "retainOnDelete"] as const).filter((option) => resource[option] && !now[option]);
    if (lostOptions.length > 0) {
      diff.bucketAlerts.push({
        ...refOf(now),
        kind: "unprotected",
        message: `loses ${lostOptions.join(" and ")}: a later \`pulumi destroy\` would delete the bucket`,
      });
    }
  }
  return diff;
}

export function isEmptyDiff(diff: PlanDiff): boolean {
  return diff.added.length + diff.removed.length + diff.changed.length === 0;
}

/** The diff for a terminal: one line per resource, the changed inputs below it, the bucket alerts first. */
export function renderDiff(diff: PlanDiff, against: string): string {
  const lines = [`Changes against ${against}:`];
  if (diff.mediaUrlAlert) lines.push(`!!! ${mediaUrlAlertLine(diff.mediaUrlAlert)}`);
  for (const alert of diff.bucketAlerts) lines.push(`!!! ${alertTitle(alert)}: ${alert.message}`);
  if (isEmptyDiff(diff)) lines.push("  no changes");
  for (const resource of diff.added) lines.push(`  + ${resource.name}  ${resource.type}`);
  for (const resource of diff.removed) lines.push(`  - ${resource.name}  ${resource.type}`);
  for (const resource of diff.changed) {
    lines.push(`  ~ ${resource.name}  ${resource.type}`);
    for (const change of [...resource.options, ...resource.inputs]) {
      lines.push(`      ${change.path}: ${show(change.before)} -> ${show(change.after)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

export function alertTitle(alert: BucketAlert): string {
  const verb = { replaced: "REPLACED", deleted: "DELETED", unprotected: "UNPROTECTED" }[alert.kind];
  return `BUCKET ${verb}: ${alert.name} (${alert.type})`;
}

/** Reads a plan written by `--json`; anything else is the user's mistake, said plainly. */
export function parsePlanJson(text: string, file: string): DiffablePlan {
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch {
    throw new UserError(`--against ${file} is not JSON: pass a plan written by \`npm run plan -- --json FILE\``);
  }
  const candidate = plan as Partial<DiffablePlan> | null;
  const valid =
    typeof candidate?.stack === "string" &&
    Array.isArray(candidate.resources) &&
    candidate.resources.every(
      (resource) =>
        typeof resource?.urn === "string" &&
        typeof resource.type === "string" &&
        typeof resource.name === "string" &&
        typeof resource.inputs === "object" &&
        resource.inputs !== null,
    );
  if (!valid) throw new UserError(`--against ${file} is not a plan written by \`npm run plan -- --json FILE\``);
  return candidate as DiffablePlan;
}

/** A value for a one-line display: JSON, cut at 120 characters. */
export function show(value: unknown): string {
  if (value === undefined) return "(none)";
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** `urn:pulumi:STACK::PROJECT::TYPES::NAME` without its stack. */
function identityOf(resource: DiffableResource): string {
  return resource.urn.replace(/^urn:pulumi:[^:]*::/, "");
}

function refOf(resource: DiffableResource): ResourceRef {
  return { urn: resource.urn, type: resource.type, name: resource.name };
}

function deletedAlert(resource: DiffableResource, after: DiffablePlan): BucketAlert {
  const identity = BUCKET_FACTS[resource.type as BucketType].identity;
  const successor = after.resources.find(
    (candidate) =>
      candidate.type === resource.type &&
      identity.every((key) => deepEqual(candidate.inputs[key], resource.inputs[key])),
  );
  const message = successor
    ? `its resource moves to ${successor.urn}: without an alias to the old URN, Pulumi deletes the bucket and creates it again`
    : resource.retainOnDelete
      ? "it leaves the program: Pulumi forgets the bucket (retainOnDelete keeps it and its media)"
      : "it leaves the program: Pulumi deletes the bucket (and with forceDestroy, its media)";
  return { ...refOf(resource), kind: "deleted", message };
}

/** Every leaf that differs; lists of different lengths and values of different kinds are reported whole. */
function diffValues(before: unknown, after: unknown, path: string): ValueChange[] {
  if (deepEqual(before, after)) return [];
  const decodedBefore = decodeJson(before);
  const decodedAfter = decodeJson(after);
  if (decodedBefore !== undefined && decodedAfter !== undefined) {
    return diffValues(decodedBefore, decodedAfter, `${path}(json)`);
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((item, index) => diffValues(item, after[index], `${path}[${index}]`));
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffValues(before[key], after[key], path ? `${path}.${key}` : key));
  }
  return [{ path: path || "(all)", before, after }];
}

/** Policies and other documents travel as JSON text: compare what they say, not their bytes. */
function decodeJson(value: unknown): unknown {
  if (typeof value !== "string" || !/^\s*[[{]/.test(value)) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((key) => deepEqual(a[key], b[key]));
  }
  return false;
}
