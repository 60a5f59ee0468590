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
export function reviewStackConfig(template: Readonly<Record<string, unknown>>, pullRequest: number, project: string): Record<string, unknown> {
  const key = (name: string) => `${project}:${name}`;
  const bucket = template[key("bucket")];
  if (typeof bucket !== "string") throw new UserError(`The template stack has no ${key("bucket")} to derive the review bucket from.`);
  const config: Record<string, unknown> = { ...template, [key("environment")]: "test", [key("bucket")]: reviewBucketName(bucket, pullRequest) };
  const mediaDomain = template[key("mediaDomain")];
  if (typeof mediaDomain === "string") config[key("mediaDomain")] = reviewHost(mediaDomain, pullRequest);
  return config;
}

/** The review stack file (`Pulumi.pr-N.yaml`) written from the template's stack file text. */
export function reviewStackFile(templateYaml: string, template: string, pullRequest: number, project: string): { stack: string; yaml: string } {
  const document = (parse(templateYaml) ?? {}) as { config?: Record<string, unknown> };
  const config = reviewStackConfig(document.config ?? {}, pullRequest, project);
  const header = [
    `# Review stack of pull request #${pullRequest}, written by \`npm run plan -- --stack ${template} --review ${pullRequest}\`.`,
    "# Not committed: the review-stack workflow deploys it and destroys it when the pull request closes.",
  ].join("\n");
  return { stack: reviewStackName(pullRequest), yaml: `${header}\n${stringify({ config })}` };
}

function shorten(name: string): string {
  return name.slice(0, MAX_NAME).replace(/[-.]+$/, "");
}
