import { field, list, text, texts } from "../props";
import { AWS, DIGITALOCEAN, MINIO } from "../resource-types";
import type { ResourceRule } from "../rule";

/** S3 canned ACLs that open the bucket: read means LIST on a bucket ACL, write means put/delete any key. */
const PUBLIC_CANNED_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const PUBLIC_GROUPS = [
  "http://acs.amazonaws.com/groups/global/AllUsers",
  "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
];

/**
 * Bucket ACLs stay private: a public-read bucket ACL lets anyone list every key (Spaces docs call private
 * "file listing restricted"), and MinIO implements its `acl` argument by writing a bucket-wide policy, so
 * anything but `private` also exposes `backups/`. Public media is served by a bucket policy on the public
 * prefixes, or (object-ACL mode, Spaces) by each object's own `public-read` ACL, never by the bucket's.
 */
export const bucketAclNotPublic: ResourceRule = {
  kind: "resource",
  name: "bucket-acl-not-public",
  description:
    "Checks whether a bucket's ACL (S3 canned ACL or grants, Spaces acl, MinIO acl) opens it to anonymous or any-account principals.",
  enforcementLevel: "mandatory",
  severity: "critical",
  resourceTypes: [AWS.bucket, AWS.bucketV2, AWS.bucketAcl, AWS.bucketAclV2, DIGITALOCEAN.spacesBucket, MINIO.s3Bucket],
  validate(resource) {
    const { props } = resource;
    const acl = text(props.acl);
    const messages: string[] = [];
    if (resource.type === MINIO.s3Bucket) {
      if (acl !== undefined && acl !== "private")
        messages.push(`The bucket ACL must be private: MinIO turns acl ${acl} into a bucket-wide policy.`);
      return messages;
    }
    if (
      acl !== undefined &&
      (resource.type === DIGITALOCEAN.spacesBucket ? acl === "public-read" : PUBLIC_CANNED_ACLS.includes(acl))
    ) {
      messages.push(
        `The bucket ACL must be private: ${acl} lets anyone list the bucket${acl.includes("write") ? " and write to it" : ""}.`,
      );
    }
    const grants = [
      // Bucket (deprecated inline): [{type, uri, permissions}]
      ...list(props.grants).map((grant) => ({
        uri: text(field(grant, "uri")),
        permissions: texts(field(grant, "permissions")),
      })),
      // BucketAcl: {accessControlPolicy: {grants: [{grantee: {type, uri}, permission}]}}
      ...list(field(props, "accessControlPolicy", "grants")).map((grant) => ({
        uri: text(field(grant, "grantee", "uri")),
        permissions: [text(field(grant, "permission")) ?? ""],
      })),
    ];
    for (const grant of grants) {
      if (grant.uri !== undefined && PUBLIC_GROUPS.includes(grant.uri)) {
        messages.push(`The bucket ACL must not grant ${grant.permissions.join(", ")} to ${grant.uri}.`);
      }
    }
    return messages;
  },
};
