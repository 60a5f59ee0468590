import type * as cloudflare from "./sdk";
import type { CorsRule } from "../../components/cors";
import { ABORT_INCOMPLETE_MULTIPART_DAYS, ABORT_INCOMPLETE_MULTIPART_RULE_ID } from "../../components/lifecycle";

type R2CorsRule = cloudflare.types.input.R2BucketCorsRule;
type R2LifecycleRule = cloudflare.types.input.R2BucketLifecycleRule;

const SECONDS_PER_DAY = 86_400;

/** The core's CORS rule in R2's shape (`allowed.{methods,origins,headers}`). */
export function r2CorsRule(rule: CorsRule): R2CorsRule {
  return {
    allowed: {
      methods: [...rule.allowedMethods],
      origins: [...rule.allowedOrigins],
      headers: [...rule.allowedHeaders],
    },
    exposeHeaders: [...rule.exposeHeaders],
    maxAgeSeconds: rule.maxAgeSeconds,
  };
}

/**
 * Aborts incomplete multipart uploads. New R2 buckets carry a default rule like it, but R2BucketLifecycle
 * replaces the whole rule set, so it is written here explicitly. R2 counts `maxAge` in seconds.
 */
export function abortIncompleteMultipartRule(): R2LifecycleRule {
  return {
    id: ABORT_INCOMPLETE_MULTIPART_RULE_ID,
    enabled: true,
    conditions: { prefix: "" },
    abortMultipartUploadsTransition: {
      condition: { type: "Age", maxAge: ABORT_INCOMPLETE_MULTIPART_DAYS * SECONDS_PER_DAY },
    },
  };
}
