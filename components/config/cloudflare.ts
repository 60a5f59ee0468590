import { z } from "zod";
import { booleanFlag, keyPrefix, lowercaseHex32, providerBucketName } from "./validators";
import { commonShape } from "./common";
import { r2BucketNameProblem } from "./bucket-names";
import { R2_JURISDICTIONS } from "./sdk-lists";
import { PRIVATE_PREFIXES } from "../prefixes";

export { R2_JURISDICTIONS } from "./sdk-lists";

/** The private classes as path segments: `backups`, `imports`. */
const PRIVATE_SEGMENTS = PRIVATE_PREFIXES.map((prefix) => prefix.replace(/\/$/, ""));

export const cloudflareBlock = z.strictObject({
  accountId: lowercaseHex32("Cloudflare account id"),
  /** The zone that holds the media domain; R2 custom domains must be in a zone of the same account. */
  zoneId: lowercaseHex32("Cloudflare zone id"),
  /** As the installed @pulumi/cloudflare lists them for R2Bucket; fixed once the bucket exists. */
  jurisdiction: z.enum(R2_JURISDICTIONS, { error: `must be one of ${R2_JURISDICTIONS.join(", ")}` }).default("default"),
  /** Best-effort placement, honoured only when the bucket name is first created. */
  locationHint: z.enum(["apac", "eeur", "enam", "weur", "wnam", "oc"]).optional(),
  /** The public r2.dev URL. Rate-limited and unguarded: test stacks only. */
  r2DevDomain: booleanFlag.default(false),
});

export const cloudflareStack = z.strictObject({
  provider: z.literal("cloudflare"),
  ...commonShape,
  /**
   * The media host's WAF rule blocks every path with a `backups/` or `imports/` segment (whatever key prefix,
   * since other instances may share the bucket): a key prefix with such a segment would block all media.
   */
  keyPrefix: keyPrefix
    .refine((value) => !value.split("/").some((segment) => PRIVATE_SEGMENTS.includes(segment)), {
      message: `must not contain a ${PRIVATE_SEGMENTS.join(" or ")} segment: the media host's WAF rule blocks those paths`,
    })
    .optional(),
  bucket: providerBucketName(r2BucketNameProblem),
  cloudflare: cloudflareBlock,
});
