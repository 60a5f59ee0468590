import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type ObjectCannedACL,
  type S3Client,
} from "@aws-sdk/client-s3";
import { diagnoseS3 } from "./diagnose";
import { describeFailure, formatFailure, neverReachedServer, type S3Failure } from "./io/s3";
import { headerRefusal } from "./writer-headers";
import { fail, type CheckContext, type CheckOutcome } from "./check";

/** What Mastodon sends with every upload (Paperclip's s3_headers in config/initializers/paperclip.rb). */
export const MASTODON_CACHE_CONTROL = "public, max-age=315576000, immutable";
export const PROBE_CONTENT_TYPE = "text/plain";

/** aws-sdk-s3's MultipartFileUploader: parts of max(5 MiB, size / 10000) (lib/aws-sdk-s3/multipart_file_uploader.rb). */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

export interface UploadOptions {
  key: string;
  body: Buffer;
  acl: string | undefined;
  s3: S3Client;
  /** The probe's Content-Type (default text/plain). */
  contentType?: string;
}

/** The step of a multipart upload that failed, for the report. */
export class MultipartStepFailed extends Error {
  constructor(
    readonly step: "CreateMultipartUpload" | "UploadPart" | "CompleteMultipartUpload",
    readonly failure: S3Failure,
    readonly original: unknown,
  ) {
    super(`${step} failed`);
  }
}

/**
 * Uploads the way Mastodon does (Paperclip calls aws-sdk-s3's `upload_file` with `multipart_threshold` =
 * S3_MULTIPART_THRESHOLD): one PutObject below the threshold, a multipart upload at or above it; Mastodon's
 * Cache-Control, a Content-Type and the ACL header S3_PERMISSION asks for. The key is registered before the request
 * and confirmed or released by its answer, so that the probe bookkeeping is true. Returns whether it went multipart.
 */
export async function uploadLikeMastodon(
  context: CheckContext,
  options: UploadOptions,
): Promise<{ multipart: boolean }> {
  const multipart = options.body.length >= context.target.multipartThresholdBytes;
  context.probes.trackKey(options.key);
  try {
    if (multipart) await multipartUpload(context, options);
    else await putObject(context, options);
    context.probes.confirmKey(options.key);
    return { multipart };
  } catch (error) {
    const failure = error instanceof MultipartStepFailed ? error.failure : describeFailure(error, context.redact);
    // An S3 error answer, or a failure before the request reached the server (DNS, refused connection, TLS),
    // means nothing was stored; any other network error leaves it unsettled (removed if it exists).
    if (failure.status !== undefined || neverReachedServer(failure)) context.probes.refusedKey(options.key);
    throw error;
  }
}

function putObject(context: CheckContext, { key, body, acl, s3, contentType = PROBE_CONTENT_TYPE }: UploadOptions) {
  return s3.send(
    new PutObjectCommand({
      Bucket: context.target.facts.bucket,
      Key: key,
      Body: body,
      ContentType: contentType,
      CacheControl: MASTODON_CACHE_CONTROL,
      ACL: acl as ObjectCannedACL | undefined,
    }),
    { abortSignal: context.signal },
  );
}

async function multipartUpload(
  context: CheckContext,
  { key, body, acl, s3, contentType = PROBE_CONTENT_TYPE }: UploadOptions,
): Promise<void> {
  const Bucket = context.target.facts.bucket;
  const signal = { abortSignal: context.signal };
  let uploadId: string | undefined;
  const step = async <T>(name: MultipartStepFailed["step"], run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw new MultipartStepFailed(name, describeFailure(error, context.redact), error);
    }
  };
  const created = await step("CreateMultipartUpload", () =>
    s3.send(
      new CreateMultipartUploadCommand({
        Bucket,
        Key: key,
        ContentType: contentType,
        CacheControl: MASTODON_CACHE_CONTROL,
        ACL: acl as ObjectCannedACL | undefined,
      }),
      signal,
    ),
  );
  uploadId = created.UploadId;
  try {
    const partSize = Math.max(MIN_PART_BYTES, Math.ceil(body.length / MAX_PARTS));
    const parts: { ETag?: string; PartNumber: number; ChecksumCRC32?: string }[] = [];
    for (let offset = 0, number = 1; offset < body.length; offset += partSize, number++) {
      const part = await step("UploadPart", () =>
        s3.send(
          new UploadPartCommand({
            Bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: number,
            Body: body.subarray(offset, offset + partSize),
          }),
          signal,
        ),
      );
      parts.push({
        ETag: part.ETag,
        PartNumber: number,
        ...(part.ChecksumCRC32 ? { ChecksumCRC32: part.ChecksumCRC32 } : {}),
      });
    }
    await step("CompleteMultipartUpload", () =>
      s3.send(
        new CompleteMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
        signal,
      ),
    );
    uploadId = undefined;
  } finally {
    // A failed multipart upload keeps its parts (and their storage) until aborted.
    if (uploadId)
      await s3
        .send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId }), signal)
        .catch(() => undefined);
  }
}

const MIB = 1024 * 1024;

/** Largest probe verify sends to test multipart: beyond it the check says it did not test (a skip, never a pass). */
export const MAX_MULTIPART_PROBE_BYTES = 64 * MIB;

/** How an upload of `size` bytes goes, for the report line. */
export function describeUpload(context: CheckContext, size: number): string {
  return size >= context.target.multipartThresholdBytes
    ? `multipart upload (${size} bytes >= S3_MULTIPART_THRESHOLD ${context.target.multipartThresholdBytes} bytes)`
    : "PUT";
}

/** A multipart upload failed: the server refuses multipart, or one of its steps was refused for another reason. */
export function multipartFailure(context: CheckContext, observed: string[], error: MultipartStepFailed): CheckOutcome {
  const threshold = context.target.multipartThresholdBytes;
  const { failure } = error;
  if (headerRefusal(failure) || failure.code === "MethodNotAllowed") {
    const small = threshold < 5 * MIB;
    return fail(
      observed,
      `the server refuses multipart uploads (${error.step}: ${formatFailure(failure)}): every upload of ${threshold} bytes or more fails ("Media could not be stored")${small ? `; S3_MULTIPART_THRESHOLD is read in BYTES, so ${threshold} means ${threshold} bytes and nearly every upload goes multipart` : ""}`,
      small && threshold > 0
        ? `write S3_MULTIPART_THRESHOLD=${threshold * MIB} (${threshold} MB in bytes); uploads above it still go multipart, so also use a storage that supports multipart uploads`
        : "use a storage (or gateway) that supports multipart uploads; raising S3_MULTIPART_THRESHOLD (in bytes) above Mastodon's largest media only hides it",
    );
  }
  const diagnosis = diagnoseS3(
    failure,
    context.target,
    error.step === "CreateMultipartUpload" ? "s3:PutObject" : "s3:PutObject (multipart)",
  );
  return fail(observed, diagnosis.cause, diagnosis.fix, diagnosis.transient);
}
