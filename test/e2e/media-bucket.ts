import { corsRule } from "../../components/cors";
import { publicReadPolicy, writerPolicy } from "../../components/policy-documents";
import { createBucket, createWriter, putWriterPolicy, uniqueBucket, type LocalServer, type Writer } from "./server";

/**
 * An instance's media bucket as the stack plans it, with the media under `prefix` (S3_KEY_PREFIX): a new bucket
 * named after `name` (uniqueBucket) owned by the admin, anonymous reads of `prefix/` only
 * (components/policy-documents.ts publicReadPolicy), CORS for any origin (components/cors.ts corsRule), and a fresh
 * writer (createWriter) whose one policy allows objects under `prefix/` only (writerPolicy), so a HEAD of the key
 * `prefix` itself is refused (403).
 * Resolves once the bucket, its policy and CORS, and the writer's policy are in place.
 */
export async function prefixedMediaBucket(
  server: LocalServer,
  name: string,
  prefix: string,
): Promise<{ bucket: string; writer: Writer }> {
  const bucket = uniqueBucket(name);
  await createBucket(server, bucket, publicReadPolicy(bucket, { kind: "anonymous" }, prefix), [corsRule(["*"])]);
  const writer = createWriter([server], name);
  await putWriterPolicy(server, writer, writerPolicy(bucket, prefix));
  return { bucket, writer };
}
