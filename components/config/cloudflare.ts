import { z } from "zod";
import { booleanFlag, lowercaseHex32, providerBucketName } from "./validators";
import { commonShape } from "./common";
import { r2BucketNameProblem } from "./bucket-names";
import { R2_JURISDICTIONS } from "./sdk-lists";

export { R2_JURISDICTIONS } from "./sdk-lists";

export const cloudflareBlock = z.strictObject({
  accountId: lowercaseHex32("Cloudflare account id"),
  /** The zone that holds the media domain; R2 custom domains must be in a zone of the same account. */
  zoneId: lowercaseHex32("Cloudflare zone id"),
  /** As the installed @pulumi/cloudflare lists them for R2Bucket; fixed once the bucket exists. */
  jurisdiction: z.enum(R2_JURISDICTIONS, { error: `must be one of ${R2_JURISDICTIONS.join(", ")}` }).default("default"),
  /** Best-effort placement, honoured only when the bucket name is first created. */
  locationHint: z.enum(["apac", "eeur", "enam", "weur", "wnam", "oc"]).optional(),
  /**
   * A Single Redirect rule in this zone: each host of previousMediaDomains answers 301 to the same key on the
   * media domain (the old hosts must be proxied hosts of this zone). See providers/cloudflare/previous-media-redirect.ts.
   */
  redirectPreviousMediaDomains: booleanFlag.default(false),
  /**
   * Mastodon's cache buster on the media host: a Worker on the route MEDIA_DOMAIN/* (providers/cloudflare/cache-buster.ts).
   * Off by default: the route runs the Worker on every media request, cache hits included, and Workers Free allows
   * 100,000 requests a day per account; past that a route that fails closed answers error 1027 (Cloudflare Workers
   * docs, "Limits", "Daily requests"), and WorkersRoute (@pulumi/cloudflare 6.22.1) has no field for the route's
   * failure mode: a media outage until the daily reset. Turn it
   * on with Workers Paid (docs/cloudflare.md); without it, `npm run purge` removes taken-down media from the cache.
   */
  cacheBuster: booleanFlag.default(false),
  /** The public r2.dev URL. Rate-limited and unguarded: test stacks only. */
  r2DevDomain: booleanFlag.default(false),
});

export const cloudflareStack = z.strictObject({
  provider: z.literal("cloudflare"),
  // keyPrefix: no backups or imports segment, one rule for every prefix-based provider (key-prefix-segments.ts).
  ...commonShape,
  bucket: providerBucketName(r2BucketNameProblem),
  cloudflare: cloudflareBlock,
});
