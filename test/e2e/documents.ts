import { corsRule, type CorsRule } from "../../components/cors";
import { publicReadPolicy, writerPolicy, type PolicyDocument } from "../../components/policy-documents";
import { planStack } from "../../offline-plan/run";
import type { Plan, PlannedResource } from "../../components/plan-model";

/**
 * The documents the real components produce, taken from the offline plans of the committed stacks, so that
 * the e2e tests apply exactly what `pulumi up` would send: the anonymous-read bucket policy of the MinIO
 * component (no-ACL mode; Spaces has none, its public read is object ACLs), the writer policy of the AWS
 * component, the CORS rules of the DigitalOcean component (Spaces is Ceph RGW, like the local server). Each
 * falls back to the next source when a stack is missing.
 */
export interface Documents {
  bucketPolicy: Sourced<PolicyDocument>;
  writerPolicy: Sourced<PolicyDocument>;
  corsRules: Sourced<CorsRule[]>;
}

export interface Sourced<T> {
  /** The bucket name the document was planned for; rewritten to the test bucket. */
  plannedBucket: string;
  value: T;
  /** Where it came from, e.g. `Pulumi.digitalocean.yaml: digitalocean:index/spacesBucketPolicy:SpacesBucketPolicy`. */
  source: string;
}

interface Source {
  stack: string;
  type: string;
  read(resource: PlannedResource): unknown;
}

const json = (key: string) => (resource: PlannedResource) => JSON.parse(String(resource.inputs[key]));

const BUCKET_POLICY_SOURCES: Source[] = [
  { stack: "dev", type: "minio:index/s3BucketPolicy:S3BucketPolicy", read: json("policy") },
];
const WRITER_POLICY_SOURCES: Source[] = [
  { stack: "aws", type: "aws:iam/userPolicy:UserPolicy", read: json("policy") },
  { stack: "dev", type: "minio:index/iamPolicy:IamPolicy", read: json("policy") },
];
const CORS_SOURCES: Source[] = [
  {
    stack: "digitalocean",
    type: "digitalocean:index/spacesBucketCorsConfiguration:SpacesBucketCorsConfiguration",
    read: (r) => r.inputs.corsRules,
  },
  { stack: "aws", type: "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration", read: (r) => r.inputs.corsRules },
];

export async function documentsFromPlans(): Promise<Documents> {
  const plans = new Map<string, Plan | Error>();
  const plan = async (stack: string) => {
    if (!plans.has(stack)) plans.set(stack, await planStack(stack).catch((error: unknown) => error as Error));
    return plans.get(stack) as Plan | Error;
  };
  const pick = async <T>(sources: Source[], fallback: () => Sourced<T>): Promise<Sourced<T>> => {
    const misses: string[] = [];
    for (const source of sources) {
      const planned = await plan(source.stack);
      const resource = planned instanceof Error ? undefined : planned.resources.find((r) => r.type === source.type);
      if (planned instanceof Error || !resource) {
        misses.push(
          `${source.stack}: ${planned instanceof Error ? planned.message.split("\n")[0] : `no ${source.type}`}`,
        );
        continue;
      }
      return {
        plannedBucket: String(planned.outputs.bucket?.value),
        value: source.read(resource) as T,
        source: `Pulumi.${source.stack}.yaml: ${source.type}`,
      };
    }
    const chosen = fallback();
    return { ...chosen, source: `${chosen.source} (no plan had it: ${misses.join("; ")})` };
  };
  return {
    bucketPolicy: await pick(BUCKET_POLICY_SOURCES, () => ({
      plannedBucket: "planned-bucket",
      value: publicReadPolicy("planned-bucket", { kind: "anonymous" }),
      source: "components/policy-documents.ts publicReadPolicy",
    })),
    writerPolicy: await pick(WRITER_POLICY_SOURCES, () => ({
      plannedBucket: "planned-bucket",
      value: writerPolicy("planned-bucket"),
      source: "components/policy-documents.ts writerPolicy",
    })),
    corsRules: await pick(CORS_SOURCES, () => ({
      plannedBucket: "planned-bucket",
      value: [corsRule(["*"])],
      source: "components/cors.ts corsRule",
    })),
  };
}

/** One JSON document input of a planned resource, e.g. the policy of a plan made with `planConfig`. */
export function plannedDocument<T>(plan: Plan, type: string, key: string): Sourced<T> {
  const resource = plan.resources.find((r) => r.type === type);
  if (!resource) throw new Error(`the plan has no ${type}`);
  return {
    plannedBucket: String(plan.outputs.bucket?.value),
    value: json(key)(resource) as T,
    source: `plan: ${type}`,
  };
}

/** The document with the planned bucket's ARNs pointing at the test bucket; nothing else changes. */
export function forBucket(document: Sourced<PolicyDocument>, bucket: string): PolicyDocument {
  const escaped = document.plannedBucket.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const text = JSON.stringify(document.value).replace(
    new RegExp(`arn:aws:s3:::${escaped}(?=["/])`, "g"),
    `arn:aws:s3:::${bucket}`,
  );
  return JSON.parse(text) as PolicyDocument;
}
