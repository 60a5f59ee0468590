import { randomBytes } from "node:crypto";
import {
  DeleteBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";
import { withKeyPrefix } from "../components/prefixes";
import { describeFailure, formatFailure } from "./io/s3";

/** The folder every probe of verify lives in, under a Mastodon prefix: easy to recognise and to clean by hand. */
export const PROBE_FOLDER = "mastodon-media-verify";

/**
 * Everything verify creates on the server, registered BEFORE the request that creates it, so that an
 * interrupted run still knows what to remove. Removal uses the writer's credential.
 */
export class ProbeRegistry {
  readonly runId = `${new Date().toISOString().replace(/[-:]/g, "").slice(0, 15)}-${randomBytes(6).toString("hex")}`;
  private readonly keys = new Set<string>();
  private readonly buckets = new Set<string>();
  private readonly confirmed = new Set<string>();
  private readonly unsettled = new Set<string>();
  created = 0;
  /** Probes that existed and are gone: removed by the cleanup, or by the writer in the delete check. */
  removedCount = 0;

  constructor(
    private readonly bucket: string,
    private readonly keyPrefix: string | undefined,
  ) {}

  /** A unique key under a Mastodon prefix (e.g. `media_attachments/`), including S3_KEY_PREFIX. */
  key(prefix: string, name: string): string {
    return withKeyPrefix(`${prefix}${PROBE_FOLDER}/${this.runId}/${name}`, this.keyPrefix);
  }

  /** The folder of this run under a prefix, for listing. */
  folder(prefix: string): string {
    return withKeyPrefix(`${prefix}${PROBE_FOLDER}/${this.runId}/`, this.keyPrefix);
  }

  /** A bucket name no one else uses (for the CreateBucket probe). */
  bucketName(): string {
    return `mastodon-media-verify-${randomBytes(8).toString("hex")}`;
  }

  /**
   * Registers a key BEFORE the request that may create it (so that Ctrl-C still removes it). `created` counts only
   * keys confirmed with `confirmKey` (the PUT answered 2xx) or never settled (no answer: it may exist).
   */
  trackKey(key: string): void {
    this.keys.add(key);
    this.unsettled.add(key);
  }

  /** The request that would have created the key answered 2xx: it exists. */
  confirmKey(key: string): void {
    this.unsettled.delete(key);
    if (!this.confirmed.has(key)) {
      this.confirmed.add(key);
      this.created++;
    }
  }

  /** The request was refused (4xx/5xx with an S3 error): the server created nothing, so nothing to remove or report. */
  refusedKey(key: string): void {
    this.unsettled.delete(key);
    if (!this.confirmed.has(key)) this.keys.delete(key);
  }

  trackBucket(bucket: string): void {
    this.buckets.add(bucket);
  }

  /** The server refused to create it: nothing to remove. */
  untrackBucket(bucket: string): void {
    this.buckets.delete(bucket);
  }

  /** The writer removed it itself (the delete check). */
  removed(key: string): void {
    if (this.keys.delete(key) && this.confirmed.has(key)) this.removedCount++;
    this.unsettled.delete(key);
  }

  pending(): { keys: string[]; buckets: string[] } {
    return { keys: [...this.keys], buckets: [...this.buckets] };
  }

  /**
   * Deletes every probe left and checks each is gone; returns what could not be removed, with why. A key whose PUT
   * never answered is counted as created only if it turns out to exist. A key the writer cannot see (403 without
   * s3:ListBucket) after a 2xx delete is gone: S3 hides absence from callers that may not list, and a delete that
   * answered 2xx removed it (no versioning: that case is the delete check's, which reads the object afterwards).
   */
  async removeAll(s3: S3Client, redact: (text: string) => string, signal?: AbortSignal): Promise<string[]> {
    const leftovers: string[] = [];
    for (const key of [...this.keys]) {
      // Only what exists is counted: a key whose upload got no answer is confirmed only once it is found.
      let known = !this.unsettled.has(key);
      try {
        if (!known) {
          if ((await exists(s3, this.bucket, key, signal)) === "absent") {
            this.keys.delete(key);
            this.unsettled.delete(key);
            continue;
          }
          this.confirmKey(key);
          known = true;
        }
        await s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: signal });
        if ((await exists(s3, this.bucket, key, signal)) === "present")
          throw Object.assign(new Error("still there after DeleteObject"), { name: "StillThere" });
        this.keys.delete(key);
        this.removedCount++;
      } catch (error) {
        const why = formatFailure(describeFailure(error, redact));
        leftovers.push(
          known
            ? `s3://${this.bucket}/${key}: ${why}`
            : `s3://${this.bucket}/${key} may exist (its upload got no answer, and checking failed: ${why}): look for it, and delete it if it is there`,
        );
      }
    }
    for (const bucket of [...this.buckets]) {
      try {
        await s3.send(new DeleteBucketCommand({ Bucket: bucket }), { abortSignal: signal });
        this.buckets.delete(bucket);
      } catch (error) {
        const failure = describeFailure(error, redact);
        if (failure.code === "NoSuchBucket" || failure.status === 404) this.buckets.delete(bucket);
        else leftovers.push(`bucket ${bucket}: ${formatFailure(failure)}`);
      }
    }
    return leftovers;
  }
}

/** What the writer can tell about a key: there, gone, or hidden (403: no s3:ListBucket, so S3 hides absence). */
export type Presence = "present" | "absent" | "hidden";

/**
 * Whether the writer still finds an object. Listing is asked first: with a key-prefix policy, HEAD on a missing
 * key answers 403 instead of 404 (S3 hides absence from callers without ListBucket for that key, and a HEAD
 * carries no s3:prefix to match the policy's condition). HEAD is the fallback when listing is refused; its 403 is
 * "hidden", never "present": a writer that may read objects gets 200 for one that exists.
 */
export async function exists(s3: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<Presence> {
  try {
    const listing = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }), {
      abortSignal: signal,
    });
    // Keys are listed in lexicographic order: the key itself comes before any longer key it prefixes.
    return listing.Contents?.[0]?.Key === key ? "present" : "absent";
  } catch {
    try {
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
      return "present";
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) return "absent";
      if (status === 403) return "hidden";
      throw error;
    }
  }
}
