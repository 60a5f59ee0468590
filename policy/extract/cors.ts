import { field, list, texts } from "../props";
import { AWS, CLOUDFLARE, DIGITALOCEAN } from "../resource-types";
import type { RuleResource } from "../rule";

/** One CORS rule, whatever the provider calls its fields. */
export interface CorsSetting {
  methods: string[];
  origins: string[];
}

export const CORS_TYPES = [
  AWS.bucketCors,
  AWS.bucketCorsV2,
  AWS.bucket,
  AWS.bucketV2,
  AWS.responseHeadersPolicy,
  CLOUDFLARE.r2BucketCors,
  DIGITALOCEAN.spacesBucketCors,
  // Deprecated inline corsRules, still accepted.
  DIGITALOCEAN.spacesBucket,
] as const;

export function corsSettingsOf(resource: RuleResource): CorsSetting[] {
  const { props } = resource;
  switch (resource.type) {
    case AWS.bucketCors:
    case AWS.bucketCorsV2:
    case AWS.bucket:
    case AWS.bucketV2:
    case DIGITALOCEAN.spacesBucketCors:
    case DIGITALOCEAN.spacesBucket:
      return list(props.corsRules).map((rule) => ({
        methods: texts(field(rule, "allowedMethods")),
        origins: texts(field(rule, "allowedOrigins")),
      }));
    case AWS.responseHeadersPolicy: {
      const cors = field(props, "corsConfig");
      if (cors === undefined) return [];
      return [
        {
          methods: texts(field(cors, "accessControlAllowMethods", "items")),
          origins: texts(field(cors, "accessControlAllowOrigins", "items")),
        },
      ];
    }
    case CLOUDFLARE.r2BucketCors:
      return list(props.rules).map((rule) => ({
        methods: texts(field(rule, "allowed", "methods")),
        origins: texts(field(rule, "allowed", "origins")),
      }));
    default:
      return [];
  }
}
