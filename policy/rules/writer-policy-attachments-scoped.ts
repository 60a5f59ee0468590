import { text } from "../props";
import { AWS, MINIO } from "../resource-types";
import type { ResourceRule } from "../rule";

/** MinIO's built-in policies (MinIO docs, "Built-in policies"): each covers every bucket on the server. */
const MINIO_BUILT_IN_POLICIES = ["consoleAdmin", "readwrite", "readonly", "writeonly", "diagnostics"];

/**
 * Attachments can widen a writer behind the back of its least-privilege policy: an AWS managed policy
 * (AmazonS3FullAccess...) or a MinIO built-in policy applies to every bucket. Policies created by the stack are
 * checked themselves by writer-policy-least-privilege, so attaching those is fine.
 */
export const writerPolicyAttachmentsScoped: ResourceRule = {
  kind: "resource",
  name: "writer-policy-attachments-scoped",
  description:
    "Checks whether the writer gets an AWS managed policy or a MinIO built-in policy attached, which reach every bucket.",
  enforcementLevel: "mandatory",
  severity: "high",
  resourceTypes: [
    AWS.userPolicyAttachment,
    AWS.rolePolicyAttachment,
    AWS.groupPolicyAttachment,
    AWS.policyAttachment,
    MINIO.iamUserPolicyAttachment,
    MINIO.iamGroupPolicyAttachment,
  ],
  validate(resource) {
    if (resource.type === MINIO.iamUserPolicyAttachment || resource.type === MINIO.iamGroupPolicyAttachment) {
      const policyName = text(resource.props.policyName);
      return policyName !== undefined && MINIO_BUILT_IN_POLICIES.includes(policyName)
        ? [`The writer must not get MinIO's built-in policy ${policyName}: it covers every bucket on the server.`]
        : [];
    }
    const policyArn = text(resource.props.policyArn);
    return policyArn !== undefined && /^arn:aws[a-z-]*:iam::aws:policy\//.test(policyArn)
      ? [`The writer must not get the AWS managed policy ${policyArn}: attach only the stack's least-privilege policy.`]
      : [];
  },
};
