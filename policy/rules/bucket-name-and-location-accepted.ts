import {
  awsBucketNameProblem,
  minioBucketNameProblem,
  r2BucketNameProblem,
  spacesBucketNameProblem,
} from "../../components/config/bucket-names";
import { AWS_REGIONS, R2_JURISDICTIONS } from "../../components/config/sdk-lists";
import { bucketNameOf } from "../extract/buckets";
import { text } from "../props";
import { AWS, CLOUDFLARE, DIGITALOCEAN, MINIO } from "../resource-types";
import type { ResourceRule } from "../rule";

/**
 * The providers' naming and location rules that a mock accepts and `pulumi up` does not, applied to the bucket
 * resources themselves so that the pack also holds for a program that skips this project's config schema.
 * The rules and their sources are in components/config/bucket-names.ts and components/config/sdk-lists.ts.
 */
export const bucketNameAndLocationAccepted: ResourceRule = {
  kind: "resource",
  name: "bucket-name-and-location-accepted",
  description:
    "Checks whether each bucket's name follows its provider's naming rules (no dots on S3, R2 and Spaces) and its region or jurisdiction is one the installed provider SDK lists.",
  enforcementLevel: "mandatory",
  severity: "high",
  resourceTypes: [AWS.bucket, AWS.bucketV2, CLOUDFLARE.r2Bucket, DIGITALOCEAN.spacesBucket, MINIO.s3Bucket],
  validate(resource) {
    const name = bucketNameOf(resource);
    const messages: string[] = [];
    const nameProblem = name === undefined ? undefined : namingRules[resource.type]?.(name);
    if (name !== undefined && nameProblem) messages.push(`The bucket name ${name} ${nameProblem}.`);
    if (resource.type === AWS.bucket || resource.type === AWS.bucketV2) {
      const region = text(resource.props.region);
      if (region !== undefined && !(AWS_REGIONS as readonly string[]).includes(region)) {
        messages.push(`The bucket region ${region} must be a region @pulumi/aws knows (its Region enum).`);
      }
    }
    if (resource.type === CLOUDFLARE.r2Bucket) {
      const jurisdiction = text(resource.props.jurisdiction) ?? "default";
      if (!(R2_JURISDICTIONS as readonly string[]).includes(jurisdiction)) {
        messages.push(`The R2 jurisdiction ${jurisdiction} must be one of ${R2_JURISDICTIONS.join(", ")}.`);
      }
    }
    return messages;
  },
};

const namingRules: Record<string, (name: string) => string | undefined> = {
  [AWS.bucket]: awsBucketNameProblem,
  [AWS.bucketV2]: awsBucketNameProblem,
  [CLOUDFLARE.r2Bucket]: r2BucketNameProblem,
  [DIGITALOCEAN.spacesBucket]: spacesBucketNameProblem,
  [MINIO.s3Bucket]: minioBucketNameProblem,
};
