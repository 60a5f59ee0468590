import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { anonymousPrincipal, runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { describe, expect, it } from "vitest";
import { planStack, PROJECT_ROOT } from "../../offline-plan/run";
import { committedStacks } from "../../cli/plan/stacks";
import type { PlannedResource } from "../../components/plan-model";
import { parsePolicyDocument, type PolicyDocument } from "../../policy/analysis/policy-document";
import { decide, type RequestPrincipal } from "../../policy/analysis/request";
import { AWS, DIGITALOCEAN, MINIO } from "../../policy/resource-types";

/**
 * A second opinion on every committed stack's AWS-language documents (the writer's identity policy and the
 * bucket policy), from an independent IAM evaluator: @cloud-copilot/iam-simulate (AGPL-3.0, a devDependency used
 * here only). The whole matrix of principal x action x key is asserted, and the pack's own evaluator
 * (policy/analysis/request.ts) must agree with it on every cell.
 */
const STACKS = committedStacks(PROJECT_ROOT);

const ACCOUNT = "123456789012";
/** The distribution the offline plan's mocks create (offline-plan/mocks.ts). */
const DISTRIBUTION_ARN = `arn:aws:cloudfront::${ACCOUNT}:distribution/E2QWRUHEXAMPLE`;
const FOREIGN_DISTRIBUTION_ARN = "arn:aws:cloudfront::999999999999:distribution/EOTHEREXAMPLE";

type Principal = "anonymous" | "writer" | "another user" | "the distribution" | "another distribution";
type Target =
  | "public key"
  | "backups/ key"
  | "imports/ key"
  | "another bucket's key"
  | "the bucket"
  | "another bucket"
  | "a new bucket";

const CELLS: [string, Target][] = [
  ["s3:GetObject", "public key"],
  ["s3:GetObject", "backups/ key"],
  ["s3:GetObject", "imports/ key"],
  ["s3:GetObject", "another bucket's key"],
  ["s3:PutObject", "public key"],
  ["s3:PutObject", "backups/ key"],
  ["s3:PutObject", "another bucket's key"],
  ["s3:DeleteObject", "public key"],
  ["s3:DeleteObject", "backups/ key"],
  ["s3:DeleteObject", "another bucket's key"],
  ["s3:AbortMultipartUpload", "public key"],
  ["s3:AbortMultipartUpload", "another bucket's key"],
  ["s3:PutObjectAcl", "public key"],
  ["s3:ListBucket", "the bucket"],
  ["s3:ListBucket", "another bucket"],
  ["s3:PutBucketPolicy", "the bucket"],
  ["s3:DeleteBucket", "the bucket"],
  ["s3:CreateBucket", "a new bucket"],
];

/** What each principal may do (every other cell is denied), per kind of public reader. */
const WRITER = [
  "s3:GetObject public key",
  "s3:GetObject backups/ key",
  "s3:GetObject imports/ key",
  "s3:PutObject public key",
  "s3:PutObject backups/ key",
  "s3:DeleteObject public key",
  "s3:DeleteObject backups/ key",
  "s3:AbortMultipartUpload public key",
  "s3:ListBucket the bucket",
];
const EXPECTED: Record<"anonymous-read" | "cdn-read", Partial<Record<Principal, string[]>>> = {
  // MinIO: `{AWS: ["*"]}` reads the public prefixes, signed or not.
  "anonymous-read": {
    anonymous: ["s3:GetObject public key"],
    writer: WRITER,
    "another user": ["s3:GetObject public key"],
  },
  // S3 behind CloudFront: only the stack's distribution reads, and only the public prefixes.
  "cdn-read": {
    anonymous: [],
    writer: WRITER,
    "another user": [],
    "the distribution": ["s3:GetObject public key"],
    "another distribution": [],
  },
};

function arnOf(bucket: string, target: Target): string {
  switch (target) {
    case "public key":
      return `arn:aws:s3:::${bucket}/media_attachments/files/109/123/456/original/a1b2c3.png`;
    case "backups/ key":
      return `arn:aws:s3:::${bucket}/backups/dumps/000/000/001/original/archive-20240101.zip`;
    case "imports/ key":
      return `arn:aws:s3:::${bucket}/imports/000/000/001/original/follows.csv`;
    case "another bucket's key":
      return "arn:aws:s3:::another-instance-media/media_attachments/files/1/original/a.png";
    case "the bucket":
      return `arn:aws:s3:::${bucket}`;
    case "another bucket":
      return "arn:aws:s3:::another-instance-media";
    case "a new bucket":
      return "arn:aws:s3:::a-bucket-nobody-asked-for";
  }
}

interface Documents {
  bucket: string;
  reader: keyof typeof EXPECTED;
  identity?: unknown;
  resource: unknown;
}

/** The documents of a plan, or undefined when it has no bucket policy (R2; Spaces, whose public read is object ACLs). */
function documentsOf(resources: readonly PlannedResource[]): Documents | undefined {
  const bucketPolicy = resources.find((resource) =>
    [AWS.bucketPolicy, DIGITALOCEAN.spacesBucketPolicy, MINIO.s3BucketPolicy].includes(resource.type as never),
  );
  if (!bucketPolicy) return undefined;
  const identity = resources.find((resource) => resource.type === AWS.userPolicy || resource.type === MINIO.iamPolicy);
  return {
    bucket: String(bucketPolicy.inputs.bucket),
    reader: bucketPolicy.type === AWS.bucketPolicy ? "cdn-read" : "anonymous-read",
    ...(identity ? { identity: JSON.parse(String(identity.inputs.policy)) } : {}),
    resource: JSON.parse(String(bucketPolicy.inputs.policy)),
  };
}

interface Caller {
  simulated: Simulation["request"]["principal"];
  ours: RequestPrincipal;
  context: Record<string, string>;
  identity: boolean;
}

const CALLERS: Record<Principal, Caller> = {
  anonymous: { simulated: anonymousPrincipal, ours: { kind: "anonymous" }, context: {}, identity: false },
  writer: {
    simulated: `arn:aws:iam::${ACCOUNT}:user/mastodon-writer`,
    ours: { kind: "identity", arn: `arn:aws:iam::${ACCOUNT}:user/mastodon-writer` },
    context: {},
    identity: true,
  },
  "another user": {
    simulated: `arn:aws:iam::${ACCOUNT}:user/someone-else`,
    ours: { kind: "identity", arn: `arn:aws:iam::${ACCOUNT}:user/someone-else` },
    context: {},
    identity: false,
  },
  "the distribution": {
    simulated: "cloudfront.amazonaws.com",
    ours: { kind: "service", service: "cloudfront.amazonaws.com" },
    context: { "aws:SourceArn": DISTRIBUTION_ARN },
    identity: false,
  },
  "another distribution": {
    simulated: "cloudfront.amazonaws.com",
    ours: { kind: "service", service: "cloudfront.amazonaws.com" },
    context: { "aws:SourceArn": FOREIGN_DISTRIBUTION_ARN },
    identity: false,
  },
};

async function simulate(documents: Documents, caller: Caller, action: string, resource: string): Promise<boolean> {
  const ownBucket =
    resource === `arn:aws:s3:::${documents.bucket}` || resource.startsWith(`arn:aws:s3:::${documents.bucket}/`);
  const simulation: Simulation = {
    request: {
      principal: caller.simulated,
      action,
      resource: { resource, accountId: ACCOUNT },
      contextVariables: caller.context,
    },
    identityPolicies: caller.identity && documents.identity ? [{ name: "writer", policy: documents.identity }] : [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(ownBucket ? { resourcePolicy: documents.resource } : {}),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === "error")
    throw new Error(`iam-simulate refused ${action} on ${resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult === "Allowed";
}

function ours(documents: Documents, caller: Caller, action: string, resource: string): boolean {
  const parse = (input: unknown): PolicyDocument => {
    const parsed = parsePolicyDocument(input);
    if (!parsed.ok) throw new Error(parsed.problem);
    return parsed.document;
  };
  const ownBucket =
    resource === `arn:aws:s3:::${documents.bucket}` || resource.startsWith(`arn:aws:s3:::${documents.bucket}/`);
  const decision = decide(
    { principal: caller.ours, action, resource, context: caller.context },
    {
      identity: caller.identity && documents.identity ? [parse(documents.identity)] : [],
      ...(ownBucket ? { resource: parse(documents.resource) } : {}),
    },
  );
  return decision === "allowed";
}

describe("iam-simulate's verdict on every stack's policies", () => {
  it("stays out of the product: only tests import @cloud-copilot/iam-simulate (AGPL-3.0)", () => {
    const productFiles = ["components", "providers", "policy", "cli"]
      .flatMap((dir) =>
        readdirSync(path.join(PROJECT_ROOT, dir), { recursive: true, encoding: "utf8" }).map((file) =>
          path.join(dir, file),
        ),
      )
      .filter((file) => file.endsWith(".ts"))
      .concat("index.ts");
    expect(productFiles.length).toBeGreaterThan(20);
    expect(
      productFiles.filter((file) => readFileSync(path.join(PROJECT_ROOT, file), "utf8").includes("@cloud-copilot")),
    ).toEqual([]);
  });
});

describe.each(STACKS)("the %s stack", async (stack) => {
  const plan = await planStack(stack);
  const documents = documentsOf(plan.resources);

  if (!documents) {
    it("has no bucket policy to simulate (R2: API tokens and a WAF rule; Spaces: a per-bucket key and object ACLs)", () => {
      expect(["cloudflare", "digitalocean"]).toContain(plan.provider);
    });
    return;
  }
  const principals = (Object.keys(EXPECTED[documents.reader]) as Principal[]).filter(
    (principal) => principal !== "writer" || documents.identity,
  );

  it("has the writer's identity policy", () => {
    expect(documents.identity).toBeDefined();
  });

  it.each(principals)(
    "lets %s do exactly what is expected, in iam-simulate and in the pack's evaluator",
    async (principal) => {
      const caller = CALLERS[principal];
      const simulated: string[] = [];
      const evaluated: string[] = [];
      for (const [action, target] of CELLS) {
        const resource = arnOf(documents.bucket, target);
        if (await simulate(documents, caller, action, resource)) simulated.push(`${action} ${target}`);
        if (ours(documents, caller, action, resource)) evaluated.push(`${action} ${target}`);
      }
      expect(simulated).toEqual(EXPECTED[documents.reader][principal]);
      expect(evaluated).toEqual(simulated);
    },
  );
});
