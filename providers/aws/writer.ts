import * as pulumi from "@pulumi/pulumi";
import * as aws from "./sdk";
import { writerPolicy } from "../../components/policy-documents";

export interface Writer {
  user: aws.iam.User;
  policy: aws.iam.UserPolicy;
  accessKeyId: pulumi.Output<string>;
  secretAccessKey: pulumi.Output<string>;
}

/** The IAM user Mastodon signs with: the core's writer policy on this bucket, nothing else. */
export function createWriter(
  name: string,
  bucket: string,
  keyPrefix: string | undefined,
  parent: pulumi.Resource,
): Writer {
  const user = new aws.iam.User(`${name}-writer`, { tags: { purpose: "mastodon-media writer" } }, { parent });
  const policy = new aws.iam.UserPolicy(
    `${name}-writer-policy`,
    { user: user.name, policy: JSON.stringify(writerPolicy(bucket, keyPrefix)) },
    { parent },
  );
  const accessKey = new aws.iam.AccessKey(`${name}-writer-key`, { user: user.name }, { parent });
  return {
    user,
    policy,
    accessKeyId: accessKey.id,
    // The provider marks it secret in the engine; say so here too, so nothing downstream can leak it.
    secretAccessKey: pulumi.secret(accessKey.secret),
  };
}
