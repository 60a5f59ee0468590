import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type ObjectCannedACL } from "@aws-sdk/client-s3";
import { aclRejected, diagnoseS3 } from "../diagnose";
import { exists } from "../probes";
import { describeFailure, formatFailure } from "../s3";
import { fail, pass, type Check, type CheckContext, type CheckOutcome } from "./types";

/** What Mastodon sends with every upload (Paperclip's s3_headers in config/initializers/paperclip.rb). */
export const MASTODON_CACHE_CONTROL = "public, max-age=315576000, immutable";
export const PROBE_CONTENT_TYPE = "text/plain";

/** IAM changes and new keys take seconds to propagate (AWS IAM user guide, "eventual consistency"). */
const CREDENTIAL_RETRY_SECONDS = 120;

/** Uploads a probe the way Mastodon does: its Cache-Control, a Content-Type, the ACL header S3_PERMISSION asks for. */
export function putProbe(context: CheckContext, key: string, body: Buffer, acl: string | undefined) {
  context.probes.trackKey(key);
  return context.io.s3.send(
    new PutObjectCommand({
      Bucket: context.target.facts.bucket,
      Key: key,
      Body: body,
      ContentType: PROBE_CONTENT_TYPE,
      CacheControl: MASTODON_CACHE_CONTROL,
      ACL: acl as ObjectCannedACL | undefined,
    }),
    { abortSignal: context.signal },
  );
}

function aclNote(context: CheckContext): string {
  const { uploadAcl, aclIsDefault } = context.target;
  if (!uploadAcl) return "no x-amz-acl (S3_PERMISSION empty)";
  return `x-amz-acl: ${uploadAcl}${aclIsDefault ? " (S3_PERMISSION unset: Mastodon's default)" : ""}`;
}

export const writerUpload: Check = {
  id: "writer-upload",
  title: "the writer can upload under media_attachments/ with the headers Mastodon sends",
  retry: CREDENTIAL_RETRY_SECONDS,
  async run(context) {
    const { target, probes } = context;
    const key = probes.key("media_attachments/", "probe.txt");
    const body = Buffer.from(`mastodon-media verify probe ${probes.runId}\n`);
    const sent = `PUT ${key} with Cache-Control: ${MASTODON_CACHE_CONTROL}, Content-Type: ${PROBE_CONTENT_TYPE}, ${aclNote(context)}`;
    try {
      await putProbe(context, key, body, target.uploadAcl);
      context.state.probe = { key, body, contentType: PROBE_CONTENT_TYPE };
      return pass(`${sent}: 200`);
    } catch (error) {
      const failure = describeFailure(error, context.redact);
      const observed = [`${sent}: ${formatFailure(failure)}`];
      if (target.uploadAcl) {
        // The same upload without the header tells an ACL refusal apart from a credential or policy problem.
        try {
          await putProbe(context, key, body, undefined);
          context.state.probe = { key, body, contentType: PROBE_CONTENT_TYPE };
          context.state.aclRejected = true;
          observed.push("the same PUT without x-amz-acl: 200");
          const diagnosis = aclRejected(target, failure);
          return fail(observed, diagnosis.cause, diagnosis.fix);
        } catch {
          observed.push("the same PUT without x-amz-acl fails too");
        }
      }
      const diagnosis = diagnoseS3(failure, target, "s3:PutObject", target.uploadAcl !== undefined);
      return fail(observed, diagnosis.cause, diagnosis.fix, diagnosis.transient);
    }
  },
};

export const writerRead: Check = {
  id: "writer-read",
  title: "the writer reads the probe back: same bytes, Content-Type and Cache-Control kept",
  needs: ["probe"],
  retry: CREDENTIAL_RETRY_SECONDS,
  async run(context) {
    const probe = context.state.probe!;
    try {
      const answer = await context.io.s3.send(new GetObjectCommand({ Bucket: context.target.facts.bucket, Key: probe.key }), { abortSignal: context.signal });
      const bytes = Buffer.from((await answer.Body?.transformToByteArray()) ?? []);
      const observed = `GET ${probe.key}: 200, ${bytes.length} bytes, Content-Type: ${answer.ContentType ?? "(none)"}, Cache-Control: ${answer.CacheControl ?? "(none)"}`;
      if (!bytes.equals(probe.body)) {
        return fail([observed], "the server returned other bytes than were uploaded", "check for a proxy or gateway that rewrites objects");
      }
      if (answer.CacheControl !== MASTODON_CACHE_CONTROL) {
        return fail(
          [observed],
          "the server does not keep the Cache-Control header Mastodon uploads with: browsers and CDNs will re-fetch media instead of caching it",
          "use a server that stores object metadata (every S3 provider here does; check proxies that strip headers)",
        );
      }
      return pass(observed);
    } catch (error) {
      return s3Failure(context, error, `GET ${probe.key}`, "s3:GetObject");
    }
  },
};

export const writerList: Check = {
  id: "writer-list",
  title: "the writer can list its keys (tootctl media remove-orphans needs it)",
  needs: ["probe"],
  retry: CREDENTIAL_RETRY_SECONDS,
  async run(context) {
    const probe = context.state.probe!;
    const prefix = context.probes.folder("media_attachments/");
    try {
      const answer = await context.io.s3.send(
        new ListObjectsV2Command({ Bucket: context.target.facts.bucket, Prefix: prefix, MaxKeys: 10 }),
        { abortSignal: context.signal },
      );
      const keys = (answer.Contents ?? []).map((object) => object.Key);
      const observed = `ListObjectsV2 prefix ${prefix}: 200, ${keys.length} key(s)`;
      if (!keys.includes(probe.key)) {
        return fail([observed], "the listing does not show the probe that was just uploaded", "check that S3_BUCKET and S3_KEY_PREFIX name the bucket and folder uploads go to", true);
      }
      return pass(observed);
    } catch (error) {
      return s3Failure(context, error, `ListObjectsV2 prefix ${prefix}`, "s3:ListBucket");
    }
  },
};

export const writerDelete: Check = {
  id: "writer-delete",
  title: "the writer can delete the probe, and it is gone",
  needs: ["probe"],
  retry: CREDENTIAL_RETRY_SECONDS,
  async run(context) {
    const probe = context.state.probe!;
    const { bucket } = context.target.facts;
    try {
      await context.io.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: probe.key }), { abortSignal: context.signal });
      if (await exists(context.io.s3, bucket, probe.key, context.signal)) {
        return fail([`DELETE ${probe.key}: accepted, but HEAD still finds it`], "the server keeps deleted objects (versioning or object lock?)", "Mastodon's deletes must remove media: disable object lock, expire non-current versions");
      }
      context.probes.removed(probe.key);
      return pass(`DELETE ${probe.key}: 204; HEAD: 404`);
    } catch (error) {
      return s3Failure(context, error, `DELETE ${probe.key}`, "s3:DeleteObject");
    }
  },
};

/** A failed writer call as a check outcome, with the diagnosis of its S3 error. */
export function s3Failure(context: CheckContext, error: unknown, what: string, action: string): CheckOutcome {
  const failure = describeFailure(error, context.redact);
  const diagnosis = diagnoseS3(failure, context.target, action);
  return fail([`${what}: ${formatFailure(failure)}`], diagnosis.cause, diagnosis.fix, diagnosis.transient);
}
