import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import * as path from "node:path";
import { GetObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { writerClient } from "../../live-checks/io/s3";
import { mediaUrl, type VerifyTarget } from "../../mastodon-env/target";
import { PRIVATE_PREFIXES } from "../../components/prefixes";
import { expectedContentType } from "./content-type";
import type { Listed } from "./listing";
import type { CopySource } from "./rclone";
import { RequestFailed } from "./request-failed";
import { encodeKey, writerFetch, writerSees } from "./object-fetch";
import { isGone } from "./source-gone";

/** One key of the source, relative to its root (or its key prefix). */
export type SourceObject = Listed;

export interface CheckReport {
  /** Keys asked for on the new media host (or with the writer's key). */
  checked: number;
  /** Keys whose bodies were compared byte for byte. */
  compared: number;
  /** Bytes compared. */
  comparedBytes: number;
  missing: string[];
  /** `KEY: what differs` lines. */
  different: string[];
  /** Keys absent in the destination that the source no longer holds either: Mastodon deleted them during the pass (./source-gone.ts). */
  deletedInSource: string[];
  /** Keys present in the destination that the source no longer holds: copied, then deleted by Mastodon. */
  deletedAfterCopy: string[];
}

export interface FetchOptions {
  /** Compare full bodies (SHA-256 against the source) while their total stays under this many bytes, in the order given. */
  byteBound: number;
  /** `https://WEB_DOMAIN`: sent as Origin on public GETs; the answer must allow it (browsers load media cross-origin). */
  origin?: string;
  /** Keys that must stay private (object-ACL mode: the source's ACL granted no public read): anonymous reads must be refused. */
  expectPrivate?: (object: Listed) => boolean;
  concurrency?: number;
}

export function emptyReport(): CheckReport {
  return {
    checked: 0,
    compared: 0,
    comparedBytes: 0,
    missing: [],
    different: [],
    deletedInSource: [],
    deletedAfterCopy: [],
  };
}

export function mergeReports(into: CheckReport, from: CheckReport): CheckReport {
  into.checked += from.checked;
  into.compared += from.compared;
  into.comparedBytes += from.comparedBytes;
  into.missing.push(...from.missing);
  into.different.push(...from.different);
  into.deletedInSource.push(...from.deletedInSource);
  into.deletedAfterCopy.push(...from.deletedAfterCopy);
  return into;
}

/**
 * Fetches the given keys on the new media host, anonymously, as other servers will: each must answer 200 with
 * the same length and the Content-Type Mastodon would have set (and, with `origin`, allow that origin). User
 * archives (`backups/`, `imports/`) are never public, so they are read with the new writer's key instead, as
 * Mastodon reads them; so are keys `expectPrivate` names, which must also be refused anonymously. Bodies are
 * compared (SHA-256 against the source) in the order given until `byteBound` bytes are spent; the rest get a
 * HEAD. A request per key: the pass fetches a bounded sample, the keys it copied when they are few, and the keys
 * a listing named missing or different (to confirm them before they are reported). ./pass.ts decides which.
 * Mastodon deletes media while a pass runs: a key the destination does not have is reported missing only if the
 * source still holds it (./source-gone.ts), else counted in `deletedInSource`; a key the destination has but the
 * source no longer holds (its bytes or type cannot be read there) is counted in `deletedAfterCopy`, not compared.
 */
export async function checkCopies(
  source: CopySource,
  objects: readonly Listed[],
  destination: VerifyTarget,
  options: FetchOptions,
): Promise<CheckReport> {
  const report = emptyReport();
  const sourceClient = source.kind === "s3" ? writerClient(source.target) : undefined;
  const sourcePrefix = source.kind === "s3" && source.target.facts.keyPrefix ? `${source.target.facts.keyPrefix}/` : "";
  const sourceBucket = source.kind === "s3" ? source.target.facts.bucket : "";
  const destinationPrefix = destination.facts.keyPrefix ? `${destination.facts.keyPrefix}/` : "";
  const destinationClient = writerClient(destination);
  let budget = options.byteBound;
  const compareFlags = objects.map((object) => {
    const compare = budget >= object.size;
    if (compare) budget -= object.size;
    return compare;
  });

  // A refused or failed read of the source is thrown as RequestFailed, for ./run.ts to name the source and what
  // its key needs (GetObject and HeadObject both need s3:GetObject: S3 API reference, "Permissions").
  const fromSource = async <T>(operation: string, key: string, send: () => Promise<T>): Promise<T | typeof GONE> => {
    try {
      return await send();
    } catch (error) {
      if (source.kind !== "s3") throw error;
      if (isGone(error)) return GONE;
      throw new RequestFailed(source.target, error, { operation, action: "s3:GetObject", key });
    }
  };
  /** The source's bytes of `key`, or GONE when the source no longer holds it. */
  const readSource = async (key: string): Promise<Buffer | typeof GONE> => {
    if (source.kind === "local")
      return readFile(path.join(source.root, ...key.split("/"))).catch((error: unknown) => {
        if (isGone(error)) return GONE;
        throw error;
      });
    return fromSource("GetObject", sourcePrefix + key, async () => {
      const object = await sourceClient!.send(
        new GetObjectCommand({ Bucket: source.target.facts.bucket, Key: sourcePrefix + key }),
      );
      return Buffer.from(await object.Body!.transformToByteArray());
    });
  };
  /** The source's HeadObject of `key`, or GONE when the source no longer holds it (S3 sources). */
  const headSource = (key: string) =>
    fromSource("HeadObject", sourcePrefix + key, () =>
      sourceClient!.send(new HeadObjectCommand({ Bucket: sourceBucket, Key: sourcePrefix + key })),
    );
  /** The Content-Type the source gives `key`, or GONE when the source no longer holds it. */
  const sourceType = async (key: string): Promise<string | undefined | typeof GONE> => {
    if (source.kind === "local") return expectedContentType(key);
    const head = await headSource(key);
    return head === GONE ? GONE : head.ContentType;
  };
  /** Whether the source no longer holds `key`: a stat on disk, a HeadObject in a bucket. */
  const gone = async (key: string): Promise<boolean> => {
    if (source.kind === "local")
      return stat(path.join(source.root, ...key.split("/"))).then(
        () => false,
        (error: unknown) => {
          if (isGone(error)) return true;
          throw error;
        },
      );
    return (await headSource(key)) === GONE;
  };

  const checkOne = async (object: Listed, compare: boolean): Promise<void> => {
    const key = destinationPrefix + object.key;
    const archive = PRIVATE_PREFIXES.some((prefix) => object.key.startsWith(prefix));
    const keptPrivate = !archive && (options.expectPrivate?.(object) ?? false);
    const problems: string[] = [];
    if (keptPrivate) {
      const anonymous = await fetch(mediaUrl(destination, "") + encodeKey(key), { method: "HEAD", redirect: "manual" });
      if (anonymous.status !== 403)
        problems.push(`private in the source, but answers ${anonymous.status} without a key`);
    }
    const viaWriter = archive || keptPrivate;
    const headers: Record<string, string> = !viaWriter && options.origin ? { origin: options.origin } : {};
    const response = viaWriter
      ? await writerFetch(destinationClient, destination.facts.bucket, key, compare)
      : await fetch(mediaUrl(destination, "") + encodeKey(key), {
          method: compare ? "GET" : "HEAD",
          redirect: "manual",
          headers,
        });
    report.checked++;
    if (response.status === 404 || response.status === 403) {
      await response.body?.cancel();
      // S3 answers an anonymous GET of an absent key 403 where the reader may not list (S3 API reference,
      // GetObject: "If you don't have the s3:ListBucket permission, Amazon S3 returns ... 403"), so a 403 is
      // missing only if the writer finds nothing either; otherwise the media host refuses what is there.
      if (
        response.status === 403 &&
        !viaWriter &&
        (await writerSees(destinationClient, destination.facts.bucket, key))
      ) {
        report.different.push(
          `${object.key}: the media host answers 403 for an object that is there (public read does not cover it: \`npm run verify\` names why)`,
        );
        return;
      }
      if (await gone(object.key)) report.deletedInSource.push(object.key);
      else report.missing.push(object.key);
      return;
    }
    if (response.status !== 200) problems.push(`answers ${response.status}`);
    const length = Number(response.headers.get("content-length"));
    if (compare && response.status === 200) {
      const body = Buffer.from(await response.arrayBuffer());
      report.compared++;
      report.comparedBytes += body.length;
      if (body.length !== object.size) problems.push(`${body.length} bytes instead of ${object.size}`);
      else {
        const original = await readSource(object.key);
        if (original === GONE) {
          report.deletedAfterCopy.push(object.key);
          return;
        }
        if (digest(body) !== digest(original)) problems.push("different bytes");
      }
    } else {
      await response.body?.cancel();
      if (response.status === 200 && length !== object.size)
        problems.push(`Content-Length ${length} instead of ${object.size}`);
    }
    const expected = await sourceType(object.key);
    if (expected === GONE) {
      report.deletedAfterCopy.push(object.key);
      return;
    }
    const served = response.headers.get("content-type") ?? "(none)";
    if (expected && mediaType(served) !== mediaType(expected))
      problems.push(`Content-Type ${served} instead of ${expected}`);
    if (headers.origin && response.status === 200) {
      const allowed = response.headers.get("access-control-allow-origin");
      if (allowed !== "*" && allowed !== headers.origin)
        problems.push(`CORS: Access-Control-Allow-Origin ${allowed ?? "(none)"} for Origin ${headers.origin}`);
    }
    if (problems.length === 0) return;
    // A copy that differs from a key the source no longer holds: nothing to compare it with any more.
    if (await gone(object.key)) report.deletedAfterCopy.push(object.key);
    else report.different.push(`${object.key}: ${problems.join(", ")}`);
  };

  let next = 0;
  const worker = async () => {
    while (next < objects.length) {
      const index = next++;
      await checkOne(objects[index]!, compareFlags[index]!);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 16, objects.length) }, worker));
  } finally {
    sourceClient?.destroy();
    destinationClient.destroy();
  }
  report.missing.sort();
  report.different.sort();
  report.deletedInSource.sort();
  report.deletedAfterCopy.sort();
  return report;
}

/** A source read that found the key deleted (./source-gone.ts). */
const GONE = Symbol("gone from the source");

function digest(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * A Content-Type's media type: without parameters, in lower case (RFC 9110 section 8.3.1: "type and subtype are
 * case-insensitive"; parameters such as `charset` follow a `;`). An S3 source may store `text/plain;
 * charset=utf-8`; the copy serves the same value, so both sides are compared by their media type.
 */
export function mediaType(contentType: string): string {
  return (contentType.split(";")[0] ?? "").trim().toLowerCase();
}
