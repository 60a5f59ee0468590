import { parsePolicyDocument, type Statement } from "../analysis/policy-document";
import { BUCKET_POLICY_TYPES, policyInputOf } from "../extract/policy-inputs";
import { text } from "../props";
import { AWS } from "../resource-types";
import type { StackFinding, StackRule } from "../rule";

const CLOUDFRONT = "cloudfront.amazonaws.com";
const DISTRIBUTION_ARN = /^arn:aws:cloudfront::\d{12}:distribution\/[A-Z0-9]+$/;
const AWS_BUCKET_POLICY_TYPES: readonly string[] = [AWS.bucketPolicy, AWS.bucket, AWS.bucketV2];

/**
 * Who a bucket policy may name. On AWS the public reads through CloudFront alone: the only principal is the
 * CloudFront service, pinned by `AWS:SourceArn` to a distribution of this stack (CloudFront developer guide,
 * "Restricting access to an Amazon S3 origin"; S3 user guide, "Cross-service confused deputy prevention").
 * `*`, `{"AWS":"*"}`, another account, a role, or a service principal pinned only to an account
 * (`aws:SourceAccount`) reach beyond it; with Block Public Access on, S3 also refuses a public policy outright
 * (PutBucketPolicy AccessDenied, S3 user guide "Blocking public access"). On MinIO and Spaces a bucket policy
 * exists only for anonymous read of the public prefixes: the writer's rights come from its own credential, so
 * any named principal there is a grant nobody asked for. What the grants allow is checked by the other
 * bucket-policy rules.
 *
 * "This stack's distribution": CrossGuard stack policies see each distribution's `arn` output and compare.
 * The offline plan sees inputs only, where a distribution has no ARN yet: there the SourceArn must be a
 * literal distribution ARN and the stack may name no more distinct ARNs than it has distributions.
 */
export const bucketPolicyPrincipalsLimited: StackRule = {
  kind: "stack",
  name: "bucket-policy-principals-limited",
  description:
    "Checks whether bucket policies name only this stack's own CloudFront distribution (AWS, by AWS:SourceArn) or anonymous readers (MinIO, Spaces), never another account, user, role or unpinned service.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validate(resources) {
    const distributions = resources.filter((resource) => resource.type === AWS.distribution);
    const knownArns = distributions
      .map((distribution) => text(distribution.props.arn))
      .filter((arn): arn is string => arn !== undefined);
    const findings: StackFinding[] = [];
    const namedArns = new Map<string, string>();
    for (const resource of resources) {
      const input = policyInputOf(resource, BUCKET_POLICY_TYPES);
      if (input === undefined) continue;
      const parsed = parsePolicyDocument(input);
      if (!parsed.ok) continue; // bucket-policy-public-access-read-only reports an unreadable document.
      const onAws = AWS_BUCKET_POLICY_TYPES.includes(resource.type);
      parsed.document.statements.forEach((statement, index) => {
        if (statement.effect !== "Allow" || statement.principal.kind === "none") return;
        const label = statement.sid ? `statement ${statement.sid}` : `statement ${index + 1}`;
        const problem = onAws
          ? awsProblem(statement, knownArns, distributions.length > 0)
          : anonymousOnlyProblem(statement);
        if (problem) {
          findings.push({
            urn: resource.urn,
            message: `Bucket policy ${label} must name ${onAws ? "only this stack's CloudFront distribution (the CloudFront service principal with AWS:SourceArn)" : 'only anonymous readers (Principal "*")'}: ${problem}.`,
          });
        } else if (onAws) {
          for (const arn of sourceArns(statement)) namedArns.set(arn, resource.urn);
        }
      });
    }
    if (knownArns.length === 0 && namedArns.size > distributions.length) {
      const [, urn] = [...namedArns][distributions.length] as [string, string];
      findings.push({
        urn,
        message: `Bucket policies must name only this stack's CloudFront distribution: they name ${namedArns.size} distributions (${[...namedArns.keys()].join(", ")}) while the stack has ${distributions.length}.`,
      });
    }
    return findings;
  },
};

function awsProblem(statement: Statement, knownArns: readonly string[], hasDistribution: boolean): string | undefined {
  const { principal } = statement;
  if (statement.notPrincipal) return "it uses NotPrincipal, which grants everyone but the principals named";
  if (principal.kind === "any" || principal.aws.includes("*")) return "it grants anyone (*)";
  const others = [
    ...principal.aws,
    ...principal.other,
    ...principal.service.filter((service) => service !== CLOUDFRONT),
  ];
  if (others.length > 0) return `it also grants ${others.join(", ")}`;
  const arns = sourceArns(statement);
  if (arns.length === 0)
    return "the CloudFront service principal has no AWS:SourceArn condition (StringEquals or ArnEquals), so any distribution of any account could read through it";
  const bad = arns.filter((arn) => !DISTRIBUTION_ARN.test(arn));
  if (bad.length > 0) return `AWS:SourceArn ${bad.join(", ")} is not one literal CloudFront distribution ARN`;
  if (!hasDistribution) return "this stack has no CloudFront distribution";
  const foreign = knownArns.length > 0 ? arns.filter((arn) => !knownArns.includes(arn)) : [];
  return foreign.length > 0 ? `AWS:SourceArn ${foreign.join(", ")} is not a distribution of this stack` : undefined;
}

/** The values of the statement's positive `AWS:SourceArn` equality conditions. */
function sourceArns(statement: Statement): string[] {
  return statement.conditions
    .filter(
      (condition) => condition.key === "aws:sourcearn" && ["StringEquals", "ArnEquals"].includes(condition.operator),
    )
    .flatMap((condition) => condition.values);
}

function anonymousOnlyProblem(statement: Statement): string | undefined {
  const { principal } = statement;
  if (statement.notPrincipal) return "it uses NotPrincipal";
  if (principal.kind === "any") return undefined;
  const named = [...principal.aws.filter((value) => value !== "*"), ...principal.service, ...principal.other];
  return named.length > 0 ? `it grants ${named.join(", ")}` : undefined;
}
