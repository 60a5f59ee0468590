import { z } from "zod";
import { booleanFlag, corsOrigin, hostname, keyPrefix, mediaHostname } from "./validators";
import { mastodonHostBlock } from "./mastodon-host";

/** Keys every stack has, whatever its provider. */
export const commonShape = {
  /** The Mastodon web domain (WEB_DOMAIN, or LOCAL_DOMAIN when they are the same). */
  webDomain: hostname,
  /**
   * The public media host, rendered as S3_ALIAS_HOST. Choose it once: every URL other servers hold points at
   * it, and changing it later breaks them (FACTS.md section 6.5).
   */
  mediaDomain: mediaHostname.optional(),
  /** `production` protects and retains the bucket; `test` lets `pulumi destroy` remove it with its objects. */
  environment: z.enum(["production", "test"]).default("production"),
  /** S3_KEY_PREFIX: lets several instances share one bucket (Mastodon 4.3+). */
  keyPrefix: keyPrefix.optional(),
  /** Origins allowed to fetch media cross-origin. `*` keeps third-party clients (Elk, Phanpy...) working. */
  corsOrigins: z
    .array(corsOrigin)
    .min(1, "must list at least one origin")
    .refine((origins) => !origins.includes("*") || origins.length === 1, {
      message: "'*' already allows every origin: list it alone",
    })
    .default(["*"]),
  /** EXTRA_MEDIA_HOSTS (Mastodon 4.4+): old media hosts the CSP must still allow during a migration. */
  extraMediaHosts: z.array(hostname).default([]),
  /** Run the live checks after `pulumi up` and fail the update when the storage does not serve media. */
  selfCheck: booleanFlag.default(true),
  /** Deliver the env block to the Mastodon host over SSH and restart it (components/mastodon-host); off unless set. */
  mastodonHost: mastodonHostBlock.optional(),
};

export const PROVIDERS = ["aws", "cloudflare", "digitalocean", "minio"] as const;
export type ProviderName = (typeof PROVIDERS)[number];
