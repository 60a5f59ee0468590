/**
 * CORS for the media host (Mastodon's admin docs, "Object storage"). Browsers fetch media cross-origin (the web UI, Elk, Phanpy...),
 * but Mastodon uploads through Rails, never from a browser, so write methods would be needless exposure.
 */
export const CORS_METHODS = ["GET", "HEAD"] as const;
export const CORS_EXPOSE_HEADERS = ["ETag"] as const;
export const CORS_MAX_AGE_SECONDS = 3000;

/** A provider-neutral CORS rule; each provider maps it onto its own field names. */
export interface CorsRule {
  allowedMethods: string[];
  allowedOrigins: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds: number;
}

export function corsRule(origins: readonly string[]): CorsRule {
  return {
    allowedMethods: [...CORS_METHODS],
    allowedOrigins: [...origins],
    allowedHeaders: ["*"],
    exposeHeaders: [...CORS_EXPOSE_HEADERS],
    maxAgeSeconds: CORS_MAX_AGE_SECONDS,
  };
}
