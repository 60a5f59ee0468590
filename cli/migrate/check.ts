import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import * as path from "node:path";
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { writerClient } from "../../live-checks/io/s3";
import { mediaUrl, type VerifyTarget } from "../../mastodon-env/target";
import { PRIVATE_PREFIXES } from "../../components/prefixes";
import { expectedContentType } from "./content-type";
import type { CopySource } from "./rclone";

/** One key of the source, relative to its root (or its key prefix). */
export interface SourceObject {
  key: string;
  size: number;
}

export interface CheckReport {
  checked: number;
  /** Keys whose bodies were compared byte for byte. */
  compared: number;
  missing: string[];
  /** `KEY: what differs` lines. */
  different: string[];
}

/** Every file under `root` (symbolic links are not followed: Mastodon writes none). */
export async function listLocal(root: string): Promise<SourceObject[]> {
  const objects: SourceObject[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) objects.push({ key: path.relative(root, full).split(path.sep).join("/"), size: (await stat(full)).size });
    }
  };
  await walk(root);
  return objects.sort((a, b) => (a.key < b.key ? -1 : 1));
}

/** Every object of a bucket under its key prefix, keys relative to the prefix. */
export async function listBucket(target: VerifyTarget): Promise<SourceObject[]> {
  const client = writerClient(target);
  const prefix = target.facts.keyPrefix ? `${target.facts.keyPrefix}/` : "";
  const objects: SourceObject[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: target.facts.bucket, Prefix: prefix || undefined, ContinuationToken: token }));
    for (const item of page.Contents ?? []) objects.push({ key: (item.Key ?? "").slice(prefix.length), size: item.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

/**
 * Checks every source key on the new media host, anonymously, as other servers will fetch it: it must answer
 * 200 with the same Content-Length and the Content-Type Mastodon would have set. User archives (`backups/`,
 * `imports/`) are never public, so they are read with the new writer's key instead, as Mastodon reads them. Bodies are compared in full
 * (SHA-256) while their total stays under `byteBound`; beyond it, a deterministic sample of about one key in
 * twenty is compared. `concurrency` requests run at once.
 */
export async function checkCopies(
  source: CopySource,
  objects: readonly SourceObject[],
  destination: VerifyTarget,
  byteBound: number,
  concurrency = 16,
): Promise<CheckReport> {
  const total = objects.reduce((sum, object) => sum + object.size, 0);
  const report: CheckReport = { checked: 0, compared: 0, missing: [], different: [] };
  const sourceClient = source.kind === "s3" ? writerClient(source.target) : undefined;
  const sourcePrefix = source.kind === "s3" && source.target.facts.keyPrefix ? `${source.target.facts.keyPrefix}/` : "";
  const destinationPrefix = destination.facts.keyPrefix ? `${destination.facts.keyPrefix}/` : "";
  const destinationClient = writerClient(destination);
  let budget = byteBound;

  const readSource = async (key: string): Promise<Buffer> => {
    if (source.kind === "local") return readFile(path.join(source.root, ...key.split("/")));
    const object = await sourceClient!.send(new GetObjectCommand({ Bucket: source.target.facts.bucket, Key: sourcePrefix + key }));
    return Buffer.from(await object.Body!.transformToByteArray());
  };
  const sourceType = async (key: string): Promise<string | undefined> => {
    if (source.kind === "local") return expectedContentType(key);
    const head = await sourceClient!.send(new HeadObjectCommand({ Bucket: source.target.facts.bucket, Key: sourcePrefix + key }));
    return head.ContentType;
  };

  const checkOne = async (object: SourceObject, index: number): Promise<void> => {
    const compare = total <= byteBound || (index % 20 === 0 && budget >= object.size);
    if (compare) budget -= object.size;
    const isPrivate = PRIVATE_PREFIXES.some((prefix) => object.key.startsWith(prefix));
    const response = isPrivate
      ? await writerFetch(destinationClient, destination.facts.bucket, destinationPrefix + object.key, compare)
      : await fetch(mediaUrl(destination, "") + encodeKey(destinationPrefix + object.key), { method: compare ? "GET" : "HEAD", redirect: "manual" });
    report.checked++;
    if (response.status === 404 || response.status === 403) {
      report.missing.push(object.key);
      await response.body?.cancel();
      return;
    }
    const problems: string[] = [];
    if (response.status !== 200) problems.push(`answers ${response.status}`);
    const length = Number(response.headers.get("content-length"));
    if (compare && response.status === 200) {
      const body = Buffer.from(await response.arrayBuffer());
      report.compared++;
      if (body.length !== object.size) problems.push(`${body.length} bytes instead of ${object.size}`);
      else if (digest(body) !== digest(await readSource(object.key))) problems.push("different bytes");
    } else {
      await response.body?.cancel();
      if (response.status === 200 && length !== object.size) problems.push(`Content-Length ${length} instead of ${object.size}`);
    }
    const expected = await sourceType(object.key);
    const served = response.headers.get("content-type") ?? "(none)";
    if (expected && served.split(";")[0]?.trim() !== expected) problems.push(`Content-Type ${served} instead of ${expected}`);
    if (problems.length > 0) report.different.push(`${object.key}: ${problems.join(", ")}`);
  };

  let next = 0;
  const worker = async () => {
    while (next < objects.length) {
      const index = next++;
      await checkOne(objects[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, objects.length) }, worker));
  report.missing.sort();
  report.different.sort();
  return report;
}

/** GetObject or HeadObject with the writer's key, answered in the shape of a fetch Response. */
async function writerFetch(client: ReturnType<typeof writerClient>, bucket: string, key: string, withBody: boolean): Promise<Response> {
  try {
    if (!withBody) {
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return new Response(null, { status: 200, headers: { "content-length": String(head.ContentLength ?? 0), "content-type": head.ContentType ?? "" } });
    }
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = await object.Body!.transformToByteArray();
    return new Response(body, { status: 200, headers: { "content-type": object.ContentType ?? "" } });
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === undefined) throw error;
    return new Response(null, { status });
  }
}

/** A key as a URL path, each segment percent-encoded the way S3 and Paperclip write it (space %20, `+` %2B). */
export function encodeKey(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

function digest(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}
