import * as pulumi from "@pulumi/pulumi";
import * as minio from "@pulumi/minio";
import { writerPolicy } from "../../components/policy-documents";

export interface Writer {
  user: minio.IamUser;
  policy: minio.IamPolicy;
  attachment: minio.IamUserPolicyAttachment;
  accessKeyId: pulumi.Output<string>;
  secretAccessKey: pulumi.Output<string>;
}

/**
 * The MinIO user Mastodon signs with, holding the core's writer policy (MinIO reads the AWS policy language)
 * and nothing else. A MinIO user's name is its access key; the provider generates its secret key.
 */
export function createWriter(
  name: string,
  bucket: string,
  keyPrefix: string | undefined,
  parent: pulumi.Resource,
): Writer {
  // No forceDestroy: in the provider, an update with force_destroy set deletes the user (resource_minio_iam_user.go).
  const user = new minio.IamUser(`${name}-writer`, {}, { parent });
  const policy = new minio.IamPolicy(
    `${name}-writer-policy`,
    { policy: JSON.stringify(writerPolicy(bucket, keyPrefix)) },
    { parent },
  );
  const attachment = new minio.IamUserPolicyAttachment(
    `${name}-writer-policy-attachment`,
    { userName: user.name, policyName: policy.name },
    { parent },
  );
  return {
    user,
    policy,
    attachment,
    accessKeyId: user.name,
    // The provider marks it secret in the engine; say so here too, so nothing downstream can leak it.
    secretAccessKey: pulumi.secret(user.secret),
  };
}
