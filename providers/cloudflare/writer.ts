import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "./sdk";
import type { CloudflareStackConfig } from "../../components/config";
import { bucketItemWriteGroupId, r2SecretAccessKey, writerTokenPolicy } from "./writer-policy";

export interface Writer {
  token: cloudflare.AccountToken;
  accessKeyId: pulumi.Output<string>;
  secretAccessKey: pulumi.Output<string>;
}

/**
 * The credential Mastodon signs with: an account-owned API token (it outlives the user who deployed) allowed to
 * read, write, list and delete objects of this one bucket. Its id is the S3 access key id, the SHA-256 of its
 * value the secret.
 */
export function createWriter(
  name: string,
  config: CloudflareStackConfig,
  bucketName: pulumi.Output<string>,
  parent: pulumi.Resource,
): Writer {
  const { accountId, jurisdiction } = config.cloudflare;
  const groups = cloudflare.getAccountApiTokenPermissionGroupsListOutput({ accountId }, { parent });
  const groupId = groups.results.apply(bucketItemWriteGroupId);

  const token = new cloudflare.AccountToken(
    `${name}-writer`,
    {
      accountId,
      name: `mastodon-media writer for R2 bucket ${config.bucket}`,
      // Through bucketName, so that the token is created after the bucket it names.
      policies: [
        pulumi
          .all([groupId, bucketName])
          .apply(([id, bucket]) => writerTokenPolicy(id, accountId, jurisdiction, bucket)),
      ],
    },
    { parent },
  );
  return {
    token,
    accessKeyId: token.id,
    // The engine keeps `value` secret (the SDK's additionalSecretOutputs); the derived key must be too.
    secretAccessKey: pulumi.secret(token.value.apply(r2SecretAccessKey)),
  };
}
