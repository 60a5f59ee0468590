import { z } from "zod";
import { providerBucketName } from "./validators";
import { spacesBucketNameProblem } from "./bucket-names";
import { commonShape } from "./common";

/** Regions that offer Spaces (DigitalOcean docs, "Spaces availability"). */
export const SPACES_REGIONS = [
  "nyc3",
  "sfo2",
  "sfo3",
  "ams3",
  "fra1",
  "lon1",
  "sgp1",
  "syd1",
  "blr1",
  "tor1",
  "atl1",
] as const;

/** TTLs the CDN API accepts, in seconds. */
export const CDN_TTLS = [60, 600, 3600, 86400, 604800] as const;

const certificate = z.discriminatedUnion(
  "type",
  [
    /** DigitalOcean's certificate at its CDN edge (providers/digitalocean/cdn.ts, `needs-cloudflare-cert`). */
    z.strictObject({ type: z.literal("lets_encrypt") }),
    /** A certificate already uploaded to DigitalOcean (e.g. `doctl compute certificate create`), by name. */
    z.strictObject({ type: z.literal("existing"), name: z.string().min(1, "must name the uploaded certificate") }),
  ],
  { error: "must be { type: lets_encrypt } or { type: existing, name: ... }" },
);

export const digitaloceanBlock = z.strictObject({
  region: z.enum(SPACES_REGIONS, { error: `must be a Spaces region: ${SPACES_REGIONS.join(", ")}` }),
  /** Needed when mediaDomain is set; without a media domain the CDN's own host serves media. */
  certificate: certificate.optional(),
  cdnTtl: z.coerce
    .number()
    .refine((ttl) => (CDN_TTLS as readonly number[]).includes(ttl), {
      message: `must be one of ${CDN_TTLS.join(", ")}`,
    })
    .default(86400),
});

export const digitaloceanStack = z.strictObject({
  provider: z.literal("digitalocean"),
  ...commonShape,
  bucket: providerBucketName(spacesBucketNameProblem),
  digitalocean: digitaloceanBlock,
});
