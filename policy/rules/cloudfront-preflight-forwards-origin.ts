import { field, list, text, texts } from "../props";
import { AWS } from "../resource-types";
import type { ResourceRule } from "../rule";

/**
 * Managed origin request policies that forward the viewer's `Origin` (and the `Access-Control-Request-*`
 * headers) to the origin (CloudFront developer guide, "Use managed origin request policies"): CORS-S3Origin,
 * CORS-CustomOrigin, AllViewer, AllViewerExceptHostHeader. Configurable: `originRequestPolicyIds`.
 */
export const ORIGIN_FORWARDING_POLICY_IDS = [
  "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
  "59781a5b-3903-41f3-afcb-af62929ccde1",
  "216adef6-5c7f-47e4-b989-5492eafa07d3",
  "b689b0a8-53d0-40ab-baf2-68738e2966ac",
];

/**
 * A cache behaviour that allows OPTIONS must forward `Origin`: without an origin request policy CloudFront
 * forwards only what the cache policy names (CachingOptimized names no header), so a CORS preflight reaches S3
 * without `Origin` and `Access-Control-Request-Method`, and S3 answers 400 (S3 API reference, "OPTIONS object").
 * A response headers policy adds headers but never changes that status. Legacy `forwardedValues.headers` naming
 * `Origin` (or `*`) also counts.
 */
export const cloudfrontPreflightForwardsOrigin: ResourceRule = {
  kind: "resource",
  name: "cloudfront-preflight-forwards-origin",
  description:
    "Checks whether every CloudFront cache behaviour that allows OPTIONS forwards the viewer's Origin to the origin, so that CORS preflights are answered.",
  enforcementLevel: "mandatory",
  severity: "high",
  resourceTypes: [AWS.distribution],
  configSchema: {
    properties: {
      originRequestPolicyIds: {
        type: "array",
        items: { type: "string" },
        default: ORIGIN_FORWARDING_POLICY_IDS,
        description: "Origin request policy ids known to forward Origin (the managed CORS and AllViewer policies).",
      },
    },
  },
  validate(resource, context) {
    const allowed = texts(context.config.originRequestPolicyIds);
    const behaviours = [field(resource.props, "defaultCacheBehavior"), ...list(resource.props.orderedCacheBehaviors)];
    return behaviours.flatMap((behaviour) => {
      if (!texts(field(behaviour, "allowedMethods")).includes("OPTIONS")) return [];
      const policy = text(field(behaviour, "originRequestPolicyId"));
      const legacy = texts(field(behaviour, "forwardedValues", "headers")).map((header) => header.toLowerCase());
      if ((policy && allowed.includes(policy)) || legacy.includes("origin") || legacy.includes("*")) return [];
      const path = text(field(behaviour, "pathPattern")) ?? "default";
      return [
        `The ${path} cache behaviour allows OPTIONS but must forward Origin to the origin (originRequestPolicyId CORS-S3Origin, ${ORIGIN_FORWARDING_POLICY_IDS[0]}): found ${policy ? `origin request policy ${policy}` : "no origin request policy"}, and S3 answers such preflights 400.`,
      ];
    });
  },
};
