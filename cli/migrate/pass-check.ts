import { writerClient } from "../../live-checks/io/s3";
import type { VerifyTarget } from "../../mastodon-env/target";
import { checkCopies, emptyReport, mergeReports, type CheckReport } from "./check";
import { compareListings } from "./diff";
import { ListingFile, listBucketStream, type ListCounter, type Listed } from "./listing";
import { isArchive, keysIn, type PassPlan } from "./pass";
import { Progress, type ProgressSink } from "./progress";
import type { CopySource } from "./rclone";
import { isRemoteCopy } from "./sample";
import { publiclyReadable } from "./source-acl";

/**
 * The second half of a pass: the check, at the cost of what the pass copied. The destination's listing vouches
 * for presence and size of every key (one request per 1,000 keys); requests per key go only to
 *   - the keys this pass copied, when they are few (the final pass at the switch): each fetched through the
 *     media host, which also proves it public, its Content-Type, CORS, and its bytes within the bound;
 *   - otherwise a new listing of the destination, merged with the keys copied;
 *   - every key a listing named missing or different, fetched to confirm it before it is reported;
 *   - the sample (./sample.ts), fetched anonymously: it proves the media host serves what the listing shows.
 */

/**
 * Copied keys are fetched one by one while they number at most this many per page of the destination's
 * listing; beyond, the destination is listed again. A listing is sequential (each page names the next), the
 * fetches run 16 at a time: at 10 keys a page they take about as long as the listing, and cost less (S3 prices a
 * LIST 12.5 times a GET: ./costs.ts). So a first pass lists again (it copied everything) and the final pass at
 * the switch, which copied a day's uploads into a tree of millions, fetches each of them.
 */
export const FETCH_EACH_PER_LIST_PAGE = 10;
/** Keys a listing named missing or different that are fetched to confirm; beyond, counted as unconfirmed. */
export const CONFIRM_UP_TO = 1_000;

export interface PassCheck {
  report: CheckReport;
  /** Keys whose presence and size a listing showed (skipped ones included). */
  vouched: number;
  /** Copied keys fetched one by one. */
  fetchedCopied: number;
  /** ListObjectsV2 pages of the second listing (0 when the copied keys were fetched instead). */
  relistPages: number;
  /** Keys a listing named missing or different beyond CONFIRM_UP_TO (not fetched, counted as failures). */
  unconfirmed: number;
  sample: { keys: number; localUploads: number; remoteCopies: number };
}

export interface PassCheckOptions {
  byteBound: number;
  origin?: string;
  sink: ProgressSink;
}

export async function checkPass(
  source: CopySource,
  destination: VerifyTarget,
  plan: PassPlan,
  options: PassCheckOptions,
): Promise<PassCheck> {
  const keptPrivate = plan.keptPrivate > 0 ? await keysIn(plan.files.private) : new Set<string>();
  // In object-ACL mode the sample's keys that the source keeps private (copied by any pass) must stay private.
  if (destination.uploadAcl) for (const key of await privateInSource(source, plan.sample)) keptPrivate.add(key);
  const expectPrivate = (object: Listed) =>
    Boolean(destination.uploadAcl) &&
    !isArchive(object.key) &&
    (object.unreadable === true || keptPrivate.has(object.key));
  const fetchOptions = { origin: options.origin, expectPrivate };
  const report = emptyReport();
  const result: PassCheck = {
    report,
    vouched: plan.skipped.objects,
    fetchedCopied: 0,
    relistPages: 0,
    unconfirmed: 0,
    sample: { keys: 0, localUploads: 0, remoteCopies: 0 },
  };
  let budget = options.byteBound;
  const fetched = new Set<string>();
  const fetch = async (entries: Listed[]) => {
    const part = await checkCopies(source, entries, destination, { ...fetchOptions, byteBound: budget });
    budget -= part.comparedBytes;
    for (const entry of entries) fetched.add(entry.key);
    mergeReports(report, part);
  };

  if (
    plan.toCopy.objects > 0 &&
    plan.toCopy.objects <= FETCH_EACH_PER_LIST_PAGE * Math.max(1, plan.destination.listPages)
  ) {
    const copied: Listed[] = [];
    for await (const entry of ListingFile.read(plan.toCopyListing)) copied.push(entry);
    // Local uploads first: the byte bound is spent on what cannot be fetched again.
    copied.sort((a, b) => Number(isRemoteCopy(a.key)) - Number(isRemoteCopy(b.key)));
    await fetch(copied);
    result.fetchedCopied = copied.length;
  } else if (plan.toCopy.objects > 0) {
    const counter: ListCounter = { pages: 0 };
    const suspects: Listed[] = [];
    const progress = new Progress(options.sink, "listing the copies", {
      objects: plan.toCopy.objects,
      bytes: plan.toCopy.bytes,
    });
    let seen = 0;
    let seenBytes = 0;
    try {
      for await (const compared of compareListings(
        ListingFile.read(plan.toCopyListing),
        listBucketStream(destination, counter),
      )) {
        seen++;
        seenBytes += compared.source.size;
        progress.update({ objects: seen, bytes: seenBytes });
        if (compared.verdict === "same") result.vouched++;
        else if (suspects.length < CONFIRM_UP_TO) suspects.push(compared.source);
        else result.unconfirmed++;
      }
    } finally {
      progress.end();
    }
    result.relistPages = counter.pages;
    // Confirmed by a request each before they are reported: a listing can lag (eventually consistent servers).
    if (suspects.length > 0) await fetch(suspects);
  }

  const sample = plan.sample.filter((entry) => !fetched.has(entry.key));
  result.sample = {
    keys: sample.length,
    localUploads: sample.filter((entry) => !isRemoteCopy(entry.key)).length,
    remoteCopies: sample.filter((entry) => isRemoteCopy(entry.key)).length,
  };
  await fetch(sample);
  for (const keys of [report.missing, report.different, report.deletedInSource, report.deletedAfterCopy]) keys.sort();
  return result;
}

/** The keys among `entries` whose source ACL grants no public read (an object-ACL source bucket), one GetObjectAcl each. */
async function privateInSource(source: CopySource, entries: readonly Listed[]): Promise<string[]> {
  if (source.kind !== "s3" || !source.target.uploadAcl) return [];
  const client = writerClient(source.target);
  const prefix = source.target.facts.keyPrefix ? `${source.target.facts.keyPrefix}/` : "";
  try {
    const readable = await Promise.all(
      entries.map((entry) =>
        isArchive(entry.key) ? true : publiclyReadable(client, source.target, prefix + entry.key),
      ),
    );
    return entries.filter((_, index) => !readable[index]).map((entry) => entry.key);
  } finally {
    client.destroy();
  }
}

/**
 * Whether the pass's check passed: nothing missing, nothing different, nothing left unconfirmed. Keys Mastodon
 * deleted in the source during the pass (`deletedInSource`, `deletedAfterCopy`) are not failures.
 */
export function checkPassed(check: PassCheck): boolean {
  return check.report.missing.length + check.report.different.length + check.unconfirmed === 0;
}
