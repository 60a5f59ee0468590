import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import * as readline from "node:readline";
import { ListObjectsV2Command, type ListObjectsV2CommandOutput } from "@aws-sdk/client-s3";
import { writerClient } from "../../live-checks/io/s3";
import type { VerifyTarget } from "../../mastodon-env/target";
import { ListingFailed } from "./storage-problem";

/**
 * Streamed listings of a source or destination, in one order: S3's. ListObjectsV2 returns keys "in UTF-8
 * binary order" (S3 API reference, ListObjectsV2: "Objects are returned sorted in an ascending order of the
 * respective key names in the list"; UTF-8 byte order is code point order). A local tree is walked in the same
 * order (./local-walk.ts), so that two listings merge in one pass (./diff.ts) and nothing holds a whole tree in
 * memory: a walk keeps one directory per level (Mastodon's id partitions hold at most 1,000 entries each), a
 * bucket listing one page of at most 1,000 keys.
 */

/** One object: its key relative to the root (or key prefix), its size in bytes, and the ETag S3 listed, unquoted. */
export interface Listed {
  key: string;
  size: number;
  etag?: string;
  /**
   * A local file others may not read (no world-read bit): Mastodon `chmod 0600`s a suspended account's media
   * on local storage (./source-acl.ts), so in object-ACL mode its copy gets the private ACL.
   */
  unreadable?: true;
}

/**
 * Compares two keys in code point order (= UTF-8 byte order, S3's listing order). JavaScript's `<` compares
 * UTF-16 code units, which puts U+10000 and above (surrogates, 0xD800-0xDFFF) before U+E000-U+FFFF; the fix-up
 * moves surrogates above that block (the same trick as ICU's `u_strCompare(..., codePointOrder)`).
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x += x >= 0xe000 ? -0x800 : 0x2000;
      y += y >= 0xe000 ? -0x800 : 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Counts ListObjectsV2 pages as they are fetched (for the request count of a pass). */
export interface ListCounter {
  pages: number;
}

/**
 * Every object of a bucket under its key prefix, keys relative to the prefix, page by page (1,000 keys a
 * request, S3's maximum). ETags are unquoted. A failed request (after ./withRetries) is thrown as ListingFailed.
 */
export async function* listBucketStream(
  target: VerifyTarget,
  counter: ListCounter = { pages: 0 },
): AsyncGenerator<Listed> {
  const client = writerClient(target);
  const prefix = target.facts.keyPrefix ? `${target.facts.keyPrefix}/` : "";
  const page = (token: string | undefined) => {
    const request = withRetries(() =>
      client.send(
        new ListObjectsV2Command({
          Bucket: target.facts.bucket,
          Prefix: prefix || undefined,
          ContinuationToken: token,
        }),
      ),
    );
    request.catch(() => undefined); // awaited below; not an unhandled rejection if the consumer stops first
    return request;
  };
  try {
    // One page ahead: the next request is on its way while this page is consumed (a round trip of 100 ms or more
    // on a remote provider, a thousand of them for a million keys). Memory: two pages.
    let next: Promise<ListObjectsV2CommandOutput> | undefined = page(undefined);
    while (next) {
      const current: ListObjectsV2CommandOutput = await next;
      counter.pages++;
      next = current.IsTruncated && current.NextContinuationToken ? page(current.NextContinuationToken) : undefined;
      for (const item of current.Contents ?? []) {
        yield { key: (item.Key ?? "").slice(prefix.length), size: item.Size ?? 0, etag: item.ETag?.replace(/"/g, "") };
      }
    }
  } catch (error) {
    // Tagged with its side, so that the command can name the env file whose values failed (./storage-problem.ts).
    throw new ListingFailed(target, error);
  } finally {
    client.destroy();
  }
}

/** Three tries, 1 s and 3 s apart: a listing of millions of keys meets a passing 503 or reset now and then. */
async function withRetries<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (attempt >= 2 || (status !== undefined && status < 500 && status !== 429)) throw error;
      await new Promise((resolve) => setTimeout(resolve, attempt === 0 ? 1_000 : 3_000));
    }
  }
}

/**
 * An on-disk listing: one JSON array `[key, size, etag?, unreadable?]` a line (JSON, because keys may hold tabs). Written
 * while the source is listed, read back by the check after the copy, so the source is listed once a pass.
 */
export class ListingFile {
  private readonly stream: WriteStream;
  constructor(readonly file: string) {
    this.stream = createWriteStream(file, { mode: 0o600 });
  }

  /** Appends one entry; awaits the stream only when its buffer is full (backpressure). */
  async add(entry: Listed): Promise<void> {
    const line = `${JSON.stringify(entry.unreadable ? [entry.key, entry.size, entry.etag ?? null, 1] : entry.etag === undefined ? [entry.key, entry.size] : [entry.key, entry.size, entry.etag])}\n`;
    if (!this.stream.write(line)) await new Promise<void>((resolve) => this.stream.once("drain", resolve));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }

  /** The entries, in the order written. */
  static async *read(file: string): AsyncGenerator<Listed> {
    const lines = readline.createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line) continue;
      const [key, size, etag, unreadable] = JSON.parse(line) as [string, number, (string | null)?, 1?];
      const entry: Listed = { key, size };
      if (typeof etag === "string") entry.etag = etag;
      if (unreadable) entry.unreadable = true;
      yield entry;
    }
  }
}
