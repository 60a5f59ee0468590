import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { aclRejected, diagnoseS3 } from "../diagnose";
import { describeFailure, formatFailure, type S3Failure } from "../io/s3";
import { CHECKSUM_FIX, CHECKSUM_HEADERS, effectiveAcl, headerRefusal, writerS3 } from "./headers";
import { describeUpload, multipartFailure } from "./multipart";
import { MASTODON_CACHE_CONTROL, MultipartStepFailed, PROBE_CONTENT_TYPE, uploadLikeMastodon } from "./upload";
import { fail, pass, warn, type Check, type CheckContext, type CheckOutcome } from "./types";

export { MASTODON_CACHE_CONTROL, PROBE_CONTENT_TYPE } from "./upload";

/** IAM changes and new keys take seconds to propagate (AWS IAM user guide, "eventual consistency"). */
const CREDENTIAL_RETRY_SECONDS = 120;

/** Uploads a probe as Mastodon would (threshold, headers), with true bookkeeping; for the checks that need more probes. */
export function putProbe(context: CheckContext, key: string, body: Buffer, acl: string | undefined) {
  return uploadLikeMastodon(context, { key, body, acl, s3: writerS3(context) });
}

function aclNote(acl: string | undefined, context: CheckContext): string {
  if (!acl) return "no x-amz-acl (S3_PERMISSION empty)";
  return `x-amz-acl: ${acl}${context.target.aclIsDefault ? " (S3_PERMISSION unset: Mastodon's default)" : ""}`;
}

function failureOf(error: unknown, context: CheckContext): S3Failure {
  return error instanceof MultipartStepFailed ? error.failure : describeFailure(error, context.redact);
}

export const writerUpload: Check = {
  id: "writer-upload",
  title: "the writer can upload under media_attachments/ with the headers Mastodon sends",
  retry: CREDENTIAL_RETRY_SECONDS,
  async run(context) {
    const { target, probes, io } = context;
    const key = probes.key("media_attachments/", "probe.txt");
    const body = Buffer.from(`mastodon-media verify probe ${probes.runId}\n`);
    const checksums = target.requestChecksumCalculation === "WHEN_SUPPORTED" && io.s3WhenRequired !== undefined;
    const how = describeUpload(context, body.length);
    const sent = (acl: string | undefined, crc: boolean) =>
      `${how} ${key} with Cache-Control: ${MASTODON_CACHE_CONTROL}, Content-Type: ${PROBE_CONTENT_TYPE}, ${aclNote(acl, context)}${crc ? `, ${CHECKSUM_HEADERS}` : ""}`;
    const attempt = async (acl: string | undefined, crc: boolean) => {
      const result = await uploadLikeMastodon(context, { key, body, acl, s3: crc ? io.s3 : (io.s3WhenRequired ?? io.s3) });
      context.state.probe = { key, body, contentType: PROBE_CONTENT_TYPE };
      context.state.uploadWasMultipart = result.multipart;
    };
    try {
      await attempt(target.uploadAcl, checksums);
      return pass(`${sent(target.uploadAcl, checksums)}: 200`);
    } catch (error) {
      const failure = failureOf(error, context);
      const observed = [`${sent(target.uploadAcl, checksums)}: ${error instanceof MultipartStepFailed ? `${error.step} ` : ""}${formatFailure(failure)}`];
      {
        // The same upload without one header, then the other, then both: only a success names a header. An ACL
        // may also be refused by a bucket policy (403), so it is always tried; checksums only on a header-shaped
        // refusal (400/501), since a 403 is never about them.
        const variants: [string | undefined, boolean, "acl" | "checksum" | "both"][] = [];
        const checksumSuspect = checksums && headerRefusal(failure);
        if (target.uploadAcl) variants.push([undefined, checksums, "acl"]);
        if (checksumSuspect) variants.push([target.uploadAcl, false, "checksum"]);
        if (target.uploadAcl && checksumSuspect) variants.push([undefined, false, "both"]);
        for (const [acl, crc, culprit] of variants) {
          try {
            await attempt(acl, crc);
          } catch (retryError) {
            observed.push(`the same upload without ${culprit === "acl" ? "x-amz-acl" : culprit === "checksum" ? "the checksum headers" : "either"}: ${formatFailure(failureOf(retryError, context))}`);
            continue;
          }
          observed.push(`the same upload without ${culprit === "acl" ? "x-amz-acl" : culprit === "checksum" ? "the checksum headers" : "x-amz-acl and the checksum headers"}: 200`);
          if (culprit !== "checksum") context.state.aclRejected = true;
          if (culprit !== "acl") context.state.checksumRejected = true;
          return headerFailure(context, observed, culprit, failure);
        }
      }
      if (error instanceof MultipartStepFailed) return multipartFailure(context, observed, error);
      const diagnosis = diagnoseS3(failure, target, "s3:PutObject", target.uploadAcl !== undefined);
      return fail(observed, diagnosis.cause, diagnosis.fix, diagnosis.transient);
    }
  },
};

function headerFailure(context: CheckContext, observed: string[], culprit: "acl" | "checksum" | "both", failure: S3Failure): CheckOutcome {
  const acl = aclRejected(context.target, failure);
  const checksum = {
    cause: `the server refuses the checksum headers (${CHECKSUM_HEADERS}) that AWS SDKs send on uploads since January 2025 (it answered ${formatFailure(failure)}): every upload fails ("Media could not be stored") after a Mastodon upgrade`,
    fix: CHECKSUM_FIX,
  };
  if (culprit === "acl") return fail(observed, acl.cause, acl.fix);
  if (culprit === "checksum") return fail(observed, checksum.cause, checksum.fix);
  return fail(observed, `${acl.cause}; and ${checksum.cause}`, `${acl.fix}; and ${checksum.fix}`);
}

export const writerRead: Check = {
  id: "writer-read",
  title: "the writer reads the probe back as Mastodon downloads it: same bytes, Content-Type and Cache-Control kept",
  needs: ["probe"],
  retry: CREDENTIAL_RETRY_SECONDS,
  async run(context) {
    const probe = context.state.probe!;
    const { bucket } = context.target.facts;
    const s3 = writerS3(context);
    const observed: string[] = [];
    // aws-sdk-s3's download_file (Paperclip's copy_to_local_file) first sends HEAD ?partNumber=1 to size the
    // download; S3_FORCE_SINGLE_REQUEST=true replaces it by one GET (paperclip.rb, mastodon/mastodon#16822, #26394).
    if (!context.target.forceSingleRequest) {
      try {
        await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: probe.key, PartNumber: 1 }), { abortSignal: context.signal });
        observed.push(`HEAD ${probe.key}?partNumber=1 (what the SDK's download_file sends first): 200`);
      } catch (error) {
        const failure = describeFailure(error, context.redact);
        observed.push(`HEAD ${probe.key}?partNumber=1 (what the SDK's download_file sends first): ${formatFailure(failure)}`);
        if (headerRefusal(failure)) {
          return fail(observed, "the server refuses the HEAD with partNumber that the AWS SDK's download_file sends before every download: video processing, media copies and archive exports fail", "add S3_FORCE_SINGLE_REQUEST=true (downloads then use one plain GET)");
        }
        return s3Failure(context, error, `HEAD ${probe.key}?partNumber=1`, "s3:GetObject");
      }
    }
    try {
      const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: probe.key }), { abortSignal: context.signal });
      const bytes = Buffer.from((await answer.Body?.transformToByteArray()) ?? []);
      observed.push(`GET ${probe.key}: 200, ${bytes.length} bytes, Content-Type: ${answer.ContentType ?? "(none)"}, Cache-Control: ${answer.CacheControl ?? "(none)"}`);
      if (!bytes.equals(probe.body)) {
        return fail(observed, "the server returned other bytes than were uploaded", "check for a proxy or gateway that rewrites objects");
      }
      if (answer.CacheControl !== MASTODON_CACHE_CONTROL) {
        return fail(
          observed,
          "the server does not keep the Cache-Control header Mastodon uploads with: browsers and CDNs will re-fetch media instead of caching it",
          "use a server that stores object metadata (every S3 provider here does; check proxies that strip headers)",
        );
      }
      context.state.readOk = true;
      return pass(...observed);
    } catch (error) {
      return s3Failure(context, error, `GET ${probe.key}`, "s3:GetObject");
    }
  },
};

export const writerList: Check = {
  id: "writer-list",
  title: "the writer can list the bucket the way `tootctl media remove-orphans` lists it",
  needs: ["probe"],
  retry: CREDENTIAL_RETRY_SECONDS,
  async run(context) {
    const probe = context.state.probe!;
    const { bucket, keyPrefix } = context.target.facts;
    const s3 = writerS3(context);
    // lib/mastodon/cli/media.rb: bucket.objects(start_after: last_key, prefix: options[:prefix]).limit(1000), i.e.
    // ListObjectsV2 from the bucket's root (no prefix unless --prefix), StartAfter paging. Just before the probe:
    const startAfter = probe.key.slice(0, -1);
    const orphans = `ListObjectsV2 start-after ${startAfter} without a prefix (as remove-orphans lists)`;
    if (!keyPrefix) {
      try {
        const answer = await s3.send(new ListObjectsV2Command({ Bucket: bucket, StartAfter: startAfter, MaxKeys: 10 }), { abortSignal: context.signal });
        const keys = (answer.Contents ?? []).map((object) => object.Key);
        const observed = `${orphans}: 200, ${keys.length} key(s)`;
        if (!keys.includes(probe.key)) {
          return fail([observed], "the listing does not show the probe that was just uploaded", "check that S3_BUCKET names the bucket uploads go to", true);
        }
        return pass(observed);
      } catch (error) {
        return listFailure(context, error, orphans);
      }
    }
    // With S3_KEY_PREFIX the writer's own listing is under the prefix; remove-orphans still lists the root.
    const prefix = context.probes.folder("media_attachments/");
    let observed: string;
    try {
      const answer = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 10 }), { abortSignal: context.signal });
      const keys = (answer.Contents ?? []).map((object) => object.Key);
      observed = `ListObjectsV2 prefix ${prefix}: 200, ${keys.length} key(s)`;
      if (!keys.includes(probe.key)) return fail([observed], "the listing does not show the probe that was just uploaded", "check that S3_BUCKET and S3_KEY_PREFIX name the bucket and folder uploads go to", true);
    } catch (error) {
      return listFailure(context, error, `ListObjectsV2 prefix ${prefix}`);
    }
    const root = await s3.send(new ListObjectsV2Command({ Bucket: bucket, StartAfter: startAfter, MaxKeys: 1 }), { abortSignal: context.signal }).then(
      () => "200",
      (error: unknown) => formatFailure(describeFailure(error, context.redact)),
    );
    return warn(
      [observed, `${orphans}: ${root}`],
      `with S3_KEY_PREFIX=${keyPrefix}, \`tootctl media remove-orphans\` cannot work: it lists from the bucket's root without the prefix${root === "200" ? "" : " (refused here)"}, and with --prefix it does not strip the prefix before matching keys, so orphaned files are never found`,
      "nothing in the env fixes it today: clean orphans by other means (lifecycle rules on cache/), or give the instance its own bucket without S3_KEY_PREFIX",
    );
  },
};

function listFailure(context: CheckContext, error: unknown, what: string): CheckOutcome {
  const outcome = s3Failure(context, error, what, "s3:ListBucket");
  const failure = describeFailure(error, context.redact);
  if (failure.code === "AccessDenied" || failure.status === 403) {
    return {
      ...outcome,
      cause: `the writer may not list the bucket (no s3:ListBucket on arn:aws:s3:::${context.target.facts.bucket}): uploads, reads and deletes work, but \`tootctl media remove-orphans\` fails`,
      fix: `grant the writer s3:ListBucket on arn:aws:s3:::${context.target.facts.bucket} (re-run \`pulumi up\` for stacks of this project)`,
      transient: true,
    };
  }
  return outcome;
}

/** A failed writer call as a check outcome, with the diagnosis of its S3 error. */
export function s3Failure(context: CheckContext, error: unknown, what: string, action: string): CheckOutcome {
  const failure = describeFailure(error, context.redact);
  const diagnosis = diagnoseS3(failure, context.target, action);
  return fail([`${what}: ${formatFailure(failure)}`], diagnosis.cause, diagnosis.fix, diagnosis.transient);
}

export { effectiveAcl };
