import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import * as readline from "node:readline";
import * as path from "node:path";
import { writerClient } from "../../live-checks/io/s3";
import type { VerifyTarget } from "../../mastodon-env/target";
import { PRIVATE_PREFIXES } from "../../components/prefixes";
import { compareListings, type Verdict } from "./diff";
import { ExtraKeys, isMastodonKey, type ExtraKeysSummary } from "./extra-keys";
import { ListingFile, listBucketStream, type ListCounter, type Listed } from "./listing";
import { emptyLinkReport, walkLocal, type LinkReport } from "./local-walk";
import { Progress, type ProgressSink } from "./progress";
import type { CopySource } from "./rclone";
import { defaultSampleSize, WeightedSample } from "./sample";
import { publiclyReadable, readsSourceAcls } from "./source-acl";

/**
 * The first half of a pass: list the source and the destination (streamed, merged in key order: ./diff.ts) and
 * write down what to copy. Nothing the size of the tree stays in memory: the keys to copy go to files in
 * `workDir` (one for rclone's `--files-from-raw` per ACL, and a listing with sizes for the check), so do the
 * destination's keys the source does not hold (./extra-keys.ts), and the sample to a bounded reservoir
 * (./sample.ts).
 */

/** The upper bound of the reservoir; the sample taken is `defaultSampleSize` of the tree unless given. */
const RESERVOIR = 1_000;
/** Source ACLs read at once (object-ACL mode, S3 source). */
const ACL_CONCURRENCY = 32;
/**
 * Keys per `--files-from-raw` file, each copied by its own rclone run: rclone holds the whole list in memory
 * (a set of names, about 100 bytes a key with Go's map overhead), so 10 million keys in one list would cost
 * rclone a gigabyte or more; in chunks its memory stays flat.
 */
export const KEYS_PER_RCLONE_RUN = 100_000;

export interface PassPlan {
  /** `mastodon`: the source's keys under Mastodon's prefixes (./extra-keys.ts isMastodonKey). */
  source: { objects: number; bytes: number; listPages: number; mastodon: number };
  destination: { listPages: number; extra: number };
  /** The destination's keys not in the source, Mastodon's written to a file in the work dir (./extra-keys.ts). */
  extraKeys: ExtraKeysSummary;
  /** Keys found in the destination with the same size (and the same MD5 ETag where both sides give one). */
  skipped: { objects: number; bytes: number; sameEtag: number };
  toCopy: { objects: number; bytes: number; reasons: Record<Exclude<Verdict, "same">, number> };
  /** `--files-from-raw` files (chunks of KEYS_PER_RCLONE_RUN keys) and how many keys each kind holds; `private` only in object-ACL mode. */
  files: { media: string[]; mediaKeys: number; private: string[]; privateKeys: number };
  /** The keys to copy with their sizes, in key order (./listing.ts ListingFile). */
  toCopyListing: string;
  /** Media keys that get the private ACL because the source keeps them private (object-ACL mode). */
  keptPrivate: number;
  /** Source ACLs read (GetObjectAcl requests). */
  aclReads: number;
  /** Keys rclone cannot be given in a list (a line break in the name): never copied, reported. */
  unlistable: string[];
  /** The whole-tree sample, best first. */
  sample: Listed[];
  /** A local source's symbolic links: followed, loops not walked again, broken ones (./local-walk.ts). */
  links: LinkReport;
}

export interface PlanOptions {
  workDir: string;
  sink: ProgressSink;
  /** Keys fetched through the media host; default `defaultSampleSize` of the tree. */
  sampleSize?: number;
  seed?: string;
  signal?: AbortSignal;
}

export function isArchive(key: string): boolean {
  return PRIVATE_PREFIXES.some((prefix) => key.startsWith(prefix));
}

export async function planPass(source: CopySource, destination: VerifyTarget, options: PlanOptions): Promise<PassPlan> {
  const sourceCounter: ListCounter = { pages: 0 };
  const destinationCounter: ListCounter = { pages: 0 };
  const counts = { extra: 0 };
  const sample = new WeightedSample(Math.min(options.sampleSize ?? RESERVOIR, RESERVOIR), options.seed);
  const toCopy = new ListingFile(path.join(options.workDir, "to-copy.jsonl"));
  const extraKeys = new ExtraKeys(path.join(options.workDir, "extra-keys"));
  const plan: PassPlan = {
    source: { objects: 0, bytes: 0, listPages: 0, mastodon: 0 },
    destination: { listPages: 0, extra: 0 },
    extraKeys: { file: extraKeys.file, mastodon: 0, other: 0, first: [] },
    skipped: { objects: 0, bytes: 0, sameEtag: 0 },
    toCopy: { objects: 0, bytes: 0, reasons: { missing: 0, size: 0, etag: 0 } },
    files: { media: [], mediaKeys: 0, private: [], privateKeys: 0 },
    toCopyListing: toCopy.file,
    keptPrivate: 0,
    aclReads: 0,
    unlistable: [],
    sample: [],
    links: emptyLinkReport(),
  };
  const progress = new Progress(options.sink, "listing");
  const sourceListing =
    source.kind === "local" ? walkLocal(source.root, plan.links) : listBucketStream(source.target, sourceCounter);
  async function* counted(): AsyncGenerator<Listed> {
    for await (const entry of sourceListing) {
      if (options.signal?.aborted) throw new Error("interrupted");
      plan.source.objects++;
      plan.source.bytes += entry.size;
      if (isMastodonKey(entry.key)) plan.source.mastodon++;
      sample.offer(entry);
      progress.update({ objects: plan.source.objects, bytes: plan.source.bytes });
      yield entry;
    }
  }
  try {
    for await (const compared of compareListings(
      counted(),
      listBucketStream(destination, destinationCounter),
      counts,
      (entry) => extraKeys.add(entry.key),
    )) {
      if (compared.verdict === "same") {
        plan.skipped.objects++;
        plan.skipped.bytes += compared.source.size;
        if (compared.source.etag !== undefined && compared.source.etag === compared.destination?.etag)
          plan.skipped.sameEtag++;
        continue;
      }
      if (/[\r\n]/.test(compared.source.key)) {
        plan.unlistable.push(compared.source.key);
        continue;
      }
      plan.toCopy.objects++;
      plan.toCopy.bytes += compared.source.size;
      plan.toCopy.reasons[compared.verdict]++;
      await toCopy.add(compared.source);
    }
  } finally {
    progress.end();
    await toCopy.close();
    plan.extraKeys = await extraKeys.close();
  }
  plan.source.listPages = sourceCounter.pages;
  plan.destination = { listPages: destinationCounter.pages, extra: counts.extra };
  plan.sample = sample.entries().slice(0, options.sampleSize ?? defaultSampleSize(plan.source.objects));
  await splitByAcl(source, destination, plan, options.workDir);
  return plan;
}

/**
 * Writes the `--files-from-raw` files. No-ACL mode: every key in one file (the bucket's policy decides who
 * reads what, by prefix). Object-ACL mode: user archives, and media the source keeps private (a private ACL
 * in an ACL-mode source bucket; a file without the world-read bit on disk), get the private ACL; the rest
 * Mastodon's S3_PERMISSION.
 */
async function splitByAcl(
  source: CopySource,
  destination: VerifyTarget,
  plan: PassPlan,
  workDir: string,
): Promise<void> {
  const media = new ChunkedKeys(path.join(workDir, "media-keys"), plan.files.media);
  const privateKeys = new ChunkedKeys(path.join(workDir, "private-keys"), plan.files.private);
  const readsAcls = source.kind === "s3" && readsSourceAcls(source.target, destination);
  const client = readsAcls && source.kind === "s3" ? writerClient(source.target) : undefined;
  const sourcePrefix = source.kind === "s3" && source.target.facts.keyPrefix ? `${source.target.facts.keyPrefix}/` : "";
  try {
    let batch: Listed[] = [];
    const flush = async () => {
      const privacy = await Promise.all(
        batch.map(async (entry) => {
          if (!destination.uploadAcl) return false;
          if (isArchive(entry.key)) return true;
          if (entry.unreadable) return true;
          if (!client || source.kind !== "s3") return false;
          plan.aclReads++;
          return !(await publiclyReadable(client, source.target, sourcePrefix + entry.key));
        }),
      );
      for (let i = 0; i < batch.length; i++) {
        const entry = batch[i]!;
        if (privacy[i]) {
          plan.files.privateKeys++;
          if (!isArchive(entry.key)) plan.keptPrivate++;
          await privateKeys.add(entry.key);
        } else {
          plan.files.mediaKeys++;
          await media.add(entry.key);
        }
      }
      batch = [];
    };
    for await (const entry of ListingFile.read(plan.toCopyListing)) {
      batch.push(entry);
      if (batch.length >= ACL_CONCURRENCY) await flush();
    }
    await flush();
  } finally {
    client?.destroy();
    await media.close();
    await privateKeys.close();
  }
}

/** Key files of at most KEYS_PER_RCLONE_RUN lines each, named `BASE-1`, `BASE-2`...; their names go to `files`. */
class ChunkedKeys {
  private stream?: WriteStream;
  private inChunk = 0;

  constructor(
    private readonly base: string,
    private readonly files: string[],
  ) {}

  async add(key: string): Promise<void> {
    if (!this.stream || this.inChunk >= KEYS_PER_RCLONE_RUN) {
      await this.close();
      const file = `${this.base}-${this.files.length + 1}`;
      this.files.push(file);
      this.stream = createWriteStream(file, { mode: 0o600 });
      this.inChunk = 0;
    }
    this.inChunk++;
    if (!this.stream.write(`${key}\n`)) await new Promise<void>((resolve) => this.stream!.once("drain", resolve));
  }

  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (stream)
      await new Promise<void>((resolve, reject) =>
        stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
  }
}

/** The keys of key files (for the check: media keys the source keeps private must stay private). */
export async function keysIn(files: readonly string[]): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const file of files) {
    for await (const line of readline.createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity }))
      if (line) keys.add(line);
  }
  return keys;
}
