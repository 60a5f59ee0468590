import { compareKeys, type Listed } from "./listing";

/**
 * Why a source key is copied (or not): Mastodon writes each media key once and never rewrites it (a new upload
 * or refetch gets a new file name; this project's issue #23), so a key that exists in the destination with the
 * same size is done, and with the same ETag too where both sides give a
 * single-part MD5 ETag (S3 API reference, "Common Response Headers": the ETag of an object uploaded in one
 * PUT, without SSE-KMS or SSE-C, is the MD5 of its bytes; a multipart ETag ends in `-PARTS`).
 */
export type Verdict = "same" | "missing" | "size" | "etag";

export interface Compared {
  source: Listed;
  destination?: Listed;
  verdict: Verdict;
}

const MD5_ETAG = /^[0-9a-f]{32}$/i;

/** Whether two ETags can be compared: both plain MD5s (single-part uploads). */
export function comparableEtags(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && MD5_ETAG.test(a) && MD5_ETAG.test(b);
}

export function verdictOf(source: Listed, destination: Listed | undefined): Verdict {
  if (!destination) return "missing";
  if (destination.size !== source.size) return "size";
  if (comparableEtags(source.etag, destination.etag) && source.etag!.toLowerCase() !== destination.etag!.toLowerCase())
    return "etag";
  return "same";
}

/**
 * Merges two listings sorted in S3's key order (./listing.ts) and yields every source key with its verdict;
 * keys only in the destination are counted in `extra`, handed to `onExtra` (./extra-keys.ts writes them down)
 * and otherwise left alone (the copy never deletes).
 * Memory: one entry of each side. Throws when either side is out of order: a merge of unsorted listings would
 * report keys missing that are there, and a check claims only what it saw.
 */
export async function* compareListings(
  source: AsyncIterable<Listed>,
  destination: AsyncIterable<Listed>,
  counts: { extra: number } = { extra: 0 },
  onExtra: (entry: Listed) => void | Promise<void> = () => undefined,
): AsyncGenerator<Compared> {
  const other = destination[Symbol.asyncIterator]();
  let next = await other.next();
  let previousSource: string | undefined;
  let previousDestination: string | undefined;
  const advance = async () => {
    previousDestination = next.value?.key;
    next = await other.next();
    if (!next.done && previousDestination !== undefined && compareKeys(previousDestination, next.value.key) >= 0) {
      throw new Error(
        `the destination's listing is not in key order (${JSON.stringify(next.value.key)} after ${JSON.stringify(previousDestination)})`,
      );
    }
  };
  try {
    for await (const entry of source) {
      if (previousSource !== undefined && compareKeys(previousSource, entry.key) >= 0) {
        throw new Error(
          `the source's listing is not in key order (${JSON.stringify(entry.key)} after ${JSON.stringify(previousSource)})`,
        );
      }
      previousSource = entry.key;
      while (!next.done && compareKeys(next.value.key, entry.key) < 0) {
        counts.extra++;
        await onExtra(next.value);
        await advance();
      }
      if (!next.done && next.value.key === entry.key) {
        const match = next.value;
        await advance();
        yield { source: entry, destination: match, verdict: verdictOf(entry, match) };
      } else {
        yield { source: entry, verdict: "missing" };
      }
    }
    while (!next.done) {
      counts.extra++;
      await onExtra(next.value);
      await advance();
    }
  } finally {
    await other.return?.(undefined);
  }
}
