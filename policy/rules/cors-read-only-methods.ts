import { CORS_METHODS } from "../../components/cors";
import { CORS_TYPES, corsSettingsOf } from "../extract/cors";
import type { ResourceRule } from "../rule";

/** OPTIONS is a preflight, not a write; CloudFront's response headers policy may list it. */
const READ_METHODS = [...CORS_METHODS, "OPTIONS"];

/**
 * Mastodon uploads through Rails, never from a browser, so CORS needs GET and HEAD only (Mastodon's admin docs, "Object storage");
 * PUT, POST or DELETE in CORS would let any web page drive writes with a leaked presigned URL.
 */
export const corsReadOnlyMethods: ResourceRule = {
  kind: "resource",
  name: "cors-read-only-methods",
  description: "Checks whether CORS rules on the bucket or the CDN allow methods other than GET and HEAD.",
  enforcementLevel: "mandatory",
  severity: "medium",
  resourceTypes: CORS_TYPES,
  validate(resource) {
    return corsSettingsOf(resource).flatMap((setting) => {
      const writes = setting.methods.filter((method) => !READ_METHODS.includes(method.toUpperCase()));
      return writes.length === 0
        ? []
        : [`CORS must allow only ${CORS_METHODS.join(" and ")}: found ${writes.join(", ")}.`];
    });
  },
};
