import { z } from "zod";
import { bucketName, booleanFlag, lowercaseHex32 } from "./validators";
import { commonShape } from "./common";

export const R2_JURISDICTIONS = ["default", "eu", "fedramp"] as const;

export const cloudflareBlock = z.strictObject({
  accountId: lowercaseHex32("Cloudflare account id"),
  /** The zone that holds the media domain; R2 custom domains must be in a zone of the same account. */
  zoneId: lowercaseHex32("Cloudflare zone id"),
  jurisdiction: z.enum(R2_JURISDICTIONS).default("default"),
  /** Best-effort placement, honoured only when the bucket name is first created. */
  locationHint: z.enum(["apac", "eeur", "enam", "weur", "wnam", "oc"]).optional(),
  /**
   * A Single Redirect rule in this zone: each host of previousMediaDomains answers 301 to the same key on the
   * media domain (the old hosts must be proxied hosts of this zone). See providers/cloudflare/previous-media-redirect.ts.
   */
  redirectPreviousMediaDomains: booleanFlag.default(false),
  /** The public r2.dev URL. Rate-limited and unguarded: test stacks only. */
  r2DevDomain: booleanFlag.default(false),
});

export const cloudflareStack = z.strictObject({
  provider: z.literal("cloudflare"),
  ...commonShape,
  bucket: bucketName({ allowDots: false }),
  cloudflare: cloudflareBlock,
});
