import { randomBytes } from "node:crypto";
import { DeleteBucketCommand, DeleteObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { withKeyPrefix } from "../../components/prefixes";
import { describeFailure, formatFailure } from "./s3";

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
  created = 0;

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

  trackKey(key: string): void {
    if (!this.keys.has(key)) this.created++;
    this.keys.add(key);
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
    this.keys.delete(key);
  }

  pending(): { keys: string[]; buckets: string[] } {
    return { keys: [...this.keys], buckets: [...this.buckets] };
  }

  /** Deletes every probe left and confirms each is gone; returns what could not be removed, with why. */
  async removeAll(s3: S3Client, redact: (text: string) => string, signal?: AbortSignal): Promise<string[]> {
    const leftovers: string[] = [];
    for (const key of [...this.keys]) {
      try {
        await s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: signal });
        if (await exists(s3, this.bucket, key, signal)) throw Object.assign(new Error("still there after DeleteObject"), { name: "StillThere" });
        this.keys.delete(key);
      } catch (error) {
        leftovers.push(`s3://${this.bucket}/${key}: ${formatFailure(describeFailure(error, redact))}`);
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

/**
 * Whether the writer still finds an object. Listing is asked first: with a key-prefix policy, HEAD on a missing
 * key answers 403 instead of 404 (S3 hides absence from callers without ListBucket for that key, and a HEAD
 * carries no s3:prefix to match the policy's condition). HEAD is the fallback when listing is refused.
 */
export async function exists(s3: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<boolean> {
  try {
    const listing = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }), { abortSignal: signal });
    // Keys are listed in lexicographic order: the key itself comes before any longer key it prefixes.
    return listing.Contents?.[0]?.Key === key;
  } catch {
    try {
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
      return true;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) return false;
      throw error;
    }
  }
}
