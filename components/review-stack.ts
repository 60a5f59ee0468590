import { parse, stringify } from "yaml";
import { UserError } from "./errors";

/**
 * Review stacks: a `pr-<number>` stack per labelled pull request, derived from a committed stack file. It is a
 * test stack (`pulumi destroy` removes the bucket with its objects, nothing is protected) with a bucket and a
 * media host of its own, so a review never touches the production bucket or host.
 */

/** S3 bucket names and DNS labels both stop at 63 characters. */
const MAX_NAME = 63;

export function reviewStackName(pullRequest: number): string {
  if (!Number.isSafeInteger(pullRequest) || pullRequest < 1) {
    throw new Error(`reviewStackName: a pull request number is a positive integer (got ${pullRequest})`);
  }
  return `pr-${pullRequest}`;
}

/** `pr-12-example-social-media`, cut to 63 characters, never ending in a hyphen or a dot. */
export function reviewBucketName(bucket: string, pullRequest: number): string {
  return shorten(`${reviewStackName(pullRequest)}-${bucket}`);
}

/**
 * `files.example.com` -> `pr-12-files.example.com`: the same zone, so the review stack can create the
 * certificate and records there (Route 53, Cloudflare, DigitalOcean DNS).
 */
export function reviewHost(host: string, pullRequest: number): string {
  const [first, ...rest] = host.split(".");
  return [shorten(`${reviewStackName(pullRequest)}-${first}`), ...rest].join(".");
}

/**
 * The `config:` block of the review stack file, from the template's: `environment: test`, and the bucket and
 * media domain renamed. Everything else (provider settings, region, DNS zone) is the template's.
 */
export function reviewStackConfig(
  template: Readonly<Record<string, unknown>>,
  pullRequest: number,
  project: string,
): Record<string, unknown> {
  const key = (name: string) => `${project}:${name}`;
  const bucket = template[key("bucket")];
  if (typeof bucket !== "string")
    throw new UserError(`The template stack has no ${key("bucket")} to derive the review bucket from.`);
  const problems = reviewTemplateProblems(template, pullRequest, project);
  if (problems.length > 0) {
    throw new UserError(
      [
        `A review stack cannot deploy from this template; nothing was written:`,
        ...problems.map((problem) => `  - ${problem}`),
      ].join("\n"),
    );
  }
  const config: Record<string, unknown> = {
    ...template,
    [key("environment")]: "test",
    [key("bucket")]: reviewBucketName(bucket, pullRequest),
  };
  const mediaDomain = template[key("mediaDomain")];
  if (typeof mediaDomain === "string") config[key("mediaDomain")] = reviewHost(mediaDomain, pullRequest);
  return config;
}

/** The review stack file (`Pulumi.pr-N.yaml`) written from the template's stack file text. */
export function reviewStackFile(
  templateYaml: string,
  template: string,
  pullRequest: number,
  project: string,
): { stack: string; yaml: string } {
  const document = (parse(templateYaml) ?? {}) as { config?: Record<string, unknown> };
  const config = reviewStackConfig(document.config ?? {}, pullRequest, project);
  const header = [
    `# Review stack of pull request #${pullRequest}, written by \`npm run plan -- --stack ${template} --review ${pullRequest}\`.`,
    "# Not committed: the review-stack workflow deploys it and destroys it when the pull request closes.",
  ].join("\n");
  return { stack: reviewStackName(pullRequest), yaml: `${header}\n${stringify({ config })}` };
}

/**
 * Why a template's review stack could never finish deploying, one sentence per cause naming the key; none when it
 * can. AWS only, with a media domain (the review host `pr-N-HOST` needs a certificate of its own):
 * - `aws.dns.type: external` (the default): no one creates the certificate's DNS validation record, so
 *   CertificateValidation waits out its 75-minute create timeout (@pulumi/aws acm.CertificateValidation, from
 *   terraform-provider-aws `aws_acm_certificate_validation`) while .github/workflows/pulumi.yml stops the job at
 *   60 minutes, leaving the review stack locked;
 * - `aws.certificateArn`: a certificate for the template's host does not cover the review host, and CloudFront
 *   refuses an alternate domain name its certificate does not cover (CloudFront developer guide, "Requirements for
 *   using alternate domain names").
 */
export function reviewTemplateProblems(
  template: Readonly<Record<string, unknown>>,
  pullRequest: number,
  project: string,
): string[] {
  const key = (name: string) => `${project}:${name}`;
  const mediaDomain = template[key("mediaDomain")];
  if (template[key("provider")] !== "aws" || typeof mediaDomain !== "string") return [];
  const aws = (template[key("aws")] ?? {}) as { dns?: { type?: unknown }; certificateArn?: unknown };
  const host = reviewHost(mediaDomain, pullRequest);
  const problems: string[] = [];
  const dnsType = aws.dns?.type ?? "external";
  if (dnsType === "external") {
    problems.push(
      `aws.dns.type is external${aws.dns?.type === undefined ? " (the default)" : ""}: no one would create the certificate's validation record for ${host}, ` +
        "ACM would wait out its 75-minute timeout and the job would stop at 60 minutes with the stack locked. " +
        "Use a template whose aws.dns is route53 or cloudflare (docs/pull-requests.md).",
    );
  }
  if (aws.certificateArn !== undefined) {
    problems.push(
      `aws.certificateArn names a certificate for ${mediaDomain}: it does not cover ${host}, and CloudFront refuses that alias. ` +
        "Use a template without aws.certificateArn, whose stack requests its own certificate.",
    );
  }
  return problems;
}

function shorten(name: string): string {
  return name.slice(0, MAX_NAME).replace(/[-.]+$/, "");
}
