import { createWriteStream, type WriteStream } from "node:fs";
import { MASTODON_PREFIXES } from "../../components/prefixes";

/**
 * The destination keys a pass finds that the source does not hold (./diff.ts compareListings' `extra`). Before
 * the switch they are what Mastodon deleted after an earlier pass copied it: deleted statuses, `tootctl media
 * remove` and the remote-media vacuum, account deletions, moderators' takedowns. The copy never deletes them
 * (after the switch, Mastodon's own new uploads exist only in the destination), so the pass writes them down for
 * the admin (./deleted-media.ts). Memory stays flat in the tree's size: the keys are streamed to a file, one a
 * line, relative to the destination's key prefix (`--files-from-raw` of `rclone delete`), and only the first
 * FIRST_KEYS are kept for the printout.
 *
 * Only keys under Mastodon's own prefixes (components/prefixes.ts) are written; any other key in the bucket (not
 * Mastodon's: another application's, a hand-made file) is only counted, never offered for deletion, and so is a
 * key with a line break in its name (it cannot go in a list of one key a line).
 */

/** How many of the keys are kept in memory, to be printed. */
export const FIRST_KEYS = 5;

export interface ExtraKeysSummary {
  /** The file of Mastodon keys, one a line (mode 0600). */
  file: string;
  /** Keys under Mastodon's prefixes, written to `file`. */
  mastodon: number;
  /** Other keys: counted, not written. */
  other: number;
  /** The first FIRST_KEYS Mastodon keys, in key order. */
  first: string[];
}

/** Whether a key (relative to the key prefix) is one Mastodon writes: under one of its prefixes, one line. */
export function isMastodonKey(key: string): boolean {
  return !/[\r\n]/.test(key) && MASTODON_PREFIXES.some((prefix) => key.startsWith(prefix));
}

export class ExtraKeys {
  private stream?: WriteStream;
  private readonly summary: ExtraKeysSummary;

  constructor(readonly file: string) {
    this.summary = { file, mastodon: 0, other: 0, first: [] };
  }

  /** Counts one key found only in the destination; a Mastodon key is appended to the file (created at the first). */
  async add(key: string): Promise<void> {
    if (!isMastodonKey(key)) {
      this.summary.other++;
      return;
    }
    this.summary.mastodon++;
    if (this.summary.first.length < FIRST_KEYS) this.summary.first.push(key);
    this.stream ??= createWriteStream(this.file, { mode: 0o600 });
    const stream = this.stream;
    if (!stream.write(`${key}\n`)) await new Promise<void>((resolve) => stream.once("drain", resolve));
  }

  async close(): Promise<ExtraKeysSummary> {
    const stream = this.stream;
    this.stream = undefined;
    if (stream)
      await new Promise<void>((resolve, reject) =>
        stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
    return { ...this.summary, first: [...this.summary.first] };
  }
}
