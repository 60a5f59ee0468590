import { PolicyPack } from "@pulumi/policy";
import { crossGuardPolicies } from "./crossguard";
import { rules } from "./registry";

/**
 * The CrossGuard pack: `pulumi preview --policy-pack policy` (docs/policy.md). Only the Pulumi CLI may load
 * this file: the constructor starts the analyzer's gRPC server. Tests and the offline plan use
 * policy/crossguard.ts and policy/evaluate.ts instead.
 */
new PolicyPack("mastodon-media", {
  description: "Guardrails for Mastodon media storage on AWS S3, Cloudflare R2, DigitalOcean Spaces and MinIO.",
  displayName: "Mastodon media guardrails",
  tags: ["mastodon", "s3", "storage", "security"],
  policies: crossGuardPolicies(rules),
});
