import { GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";

/**
 * The two ways the check (./check.ts) asks the new storage for one object: a URL path for the media host, and a
 * read with the writer's key for what is never public (user archives, media kept private).
 */

/** GetObject or HeadObject with the writer's key, answered in the shape of a fetch Response. */
export async function writerFetch(client: S3Client, bucket: string, key: string, withBody: boolean): Promise<Response> {
  try {
    if (!withBody) {
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return new Response(null, {
        status: 200,
        headers: { "content-length": String(head.ContentLength ?? 0), "content-type": head.ContentType ?? "" },
      });
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

/**
 * Whether the writer's key finds `key` (HeadObject 200). False on any failure: the caller then reports the key as
 * it would have without asking (missing), claiming nothing it did not see.
 */
export async function writerSees(client: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}
