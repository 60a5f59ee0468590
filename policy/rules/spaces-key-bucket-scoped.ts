import { spacesGrantsOf } from "../extract/writer-credentials";
import { DIGITALOCEAN } from "../resource-types";
import type { ResourceRule } from "../rule";

/** Grants a per-bucket Spaces key may carry (DigitalOcean API, "Create a Spaces access key"). */
const BUCKET_PERMISSIONS = ["readwrite", "read"];

/**
 * A Spaces key for Mastodon has `readwrite` on its one bucket. `fullaccess` (which needs an empty bucket)
 * reaches every bucket of the team and can create and delete buckets.
 */
export const spacesKeyBucketScoped: ResourceRule = {
  kind: "resource",
  name: "spaces-key-bucket-scoped",
  description: "Checks whether a Spaces access key is limited to readwrite (or read) on one bucket, never fullaccess.",
  enforcementLevel: "mandatory",
  severity: "high",
  resourceTypes: [DIGITALOCEAN.spacesKey],
  validate(resource) {
    const grants = spacesGrantsOf(resource);
    if (grants.length === 0)
      return ["The Spaces key must carry a readwrite grant on the media bucket: a key without grants is not scoped."];
    const messages = grants.flatMap((grant) => {
      if (grant.permission === "fullaccess")
        return ["The Spaces key must never have fullaccess: it reaches every bucket of the team."];
      if (!BUCKET_PERMISSIONS.includes(grant.permission))
        return [`The Spaces key must grant readwrite: found ${grant.permission || "no permission"}.`];
      return grant.bucket === "" ? ["The Spaces key must name its bucket in every grant."] : [];
    });
    const buckets = new Set(grants.map((grant) => grant.bucket).filter((bucket) => bucket !== ""));
    if (buckets.size > 1)
      messages.push(`The Spaces key must grant on one bucket only: found ${[...buckets].join(", ")}.`);
    return messages;
  },
};
