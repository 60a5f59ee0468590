import type { Destination, Source } from "./endpoints";
import { objectBase } from "./timeline";

/**
 * Why copying `source` into `destination` would copy a bucket onto itself, or undefined when it would not.
 * Same storage = same S3 API endpoint (origin, case-insensitive host), or any two AWS endpoints, and the same
 * bucket; the copy then overlaps
 * when the key prefixes (S3_KEY_PREFIX, empty for none) are equal or one contains the other: rclone would read
 * what it writes (a copy onto itself, or into a folder of what it is copying, which grows with every pass).
 * Returns one line naming both prefixes, never a credential.
 */
export function sameStorageProblem(source: Source, destination: Destination): string | undefined {
  if (source.kind !== "s3") return undefined;
  const from = source.target;
  const to = destination.target;
  // AWS bucket names are global ("Bucket naming rules", Amazon S3 User Guide): any AWS endpoint reaches the same bucket.
  const bothAws = from.provider.provider.id === "aws" && to.provider.provider.id === "aws";
  const sameApi = bothAws || from.apiEndpoint.origin.toLowerCase() === to.apiEndpoint.origin.toLowerCase();
  if (!sameApi || from.facts.bucket !== to.facts.bucket) return undefined;
  const fromPrefix = folder(from.facts.keyPrefix);
  const toPrefix = folder(to.facts.keyPrefix);
  if (!fromPrefix.startsWith(toPrefix) && !toPrefix.startsWith(fromPrefix)) return undefined;
  const where = (prefix: string | undefined) => (prefix ? `prefix ${prefix}` : "no key prefix");
  const relation = fromPrefix === toPrefix ? "the same place" : "overlapping places";
  return (
    `the source and the destination are ${relation}: bucket ${from.facts.bucket} at ${from.apiEndpoint.host}, ` +
    `${where(from.facts.keyPrefix)} and ${where(to.facts.keyPrefix)}; give --to-env the NEW storage's env (a copy onto itself copies nothing, or loops)`
  );
}

/**
 * Why this plan cannot serve a move whose old and new media URLs are the same (the new storage answers on the old
 * media host and key prefix), or undefined when they differ. Such a move is not a change of media URLs: the plan's
 * steps would be wrong in it. Its last step would make the old host answer with a permanent redirect to the new
 * URLs, which are the same: a redirect of every media URL to itself. Step 1's `pulumi up` can also claim that
 * host for the new storage before anything is copied, and the key check of --run would read the old storage
 * through it. Returns one line naming the host and the way out, never a credential.
 */
export function sameMediaBaseProblem(source: Source, destination: Destination): string | undefined {
  if (source.kind !== "s3") return undefined;
  const before = objectBase(source.target);
  const after = objectBase(destination.target);
  if (before.toLowerCase() !== after.toLowerCase()) return undefined;
  const host = new URL(after).host;
  return (
    `the old and the new media URLs are the same (${after}KEY): ${destination.stack ? `the stack ${destination.stack}` : "the new env"} answers on ` +
    `${host}, the media host of ${source.file}. This plan moves media to a new host and redirects the old one to it: here that ` +
    `redirect would point every media URL at itself. Give the new storage a host of its own (its mediaDomain), or keep ${host} ` +
    "and move it to the new storage yourself once the copy is done (docs/migrating.md)"
  );
}

/** A key prefix as a folder (`a/b/`), so that `media` does not contain `media2`; empty for no prefix. */
function folder(prefix: string | undefined): string {
  const trimmed = (prefix ?? "").replace(/^\/+|\/+$/g, "");
  return trimmed ? `${trimmed}/` : "";
}
