import { asksForObjectAcls } from "../acl-mode";
import { aclRejected } from "../diagnose";
import { describeResponse, errorCode, type HttpResponse } from "../io/http";
import { describeFailure, formatFailure } from "../io/s3";
import { apiObjectUrl, mediaUrl } from "../../mastodon-env/target";
import { putProbe, s3Failure } from "../writer";
import { type CheckContext, type CheckOutcome, defineCheck, fail, pass, skip } from "../check";

/**
 * Object-ACL mode (S3_PERMISSION=public-read; the DigitalOcean stack) proved on the server: media is public by
 * its own ACL and by nothing else. A probe uploaded with `x-amz-acl: public-read` under media_attachments/ is
 * served on the media host; a probe uploaded under the same prefix with `x-amz-acl: private` is not, on the
 * media host nor on the API. That second half is what lets Mastodon hide a suspended account's media: it sets
 * their ACL to private (app/services/update_media_attachments_permissions_service.rb), which achieves nothing
 * when a bucket policy or the CDN grants reads regardless of ACLs. Archives (`backups/`, uploaded private by
 * app/models/backup.rb) are checked by private-prefixes, the root listing by no-listing.
 *
 * The private probe is a fresh key, never served before, so no CDN cache can answer for it.
 */
export const objectAcls = defineCheck({
  id: "object-acls",
  title:
    "object-ACL mode: a public-read upload is served, a private one under media_attachments/ is not (how Mastodon hides a suspended account's media)",
  needs: ["probe", "mediaServed"],
  async run(context) {
    const { target, state } = context;
    if (!asksForObjectAcls(target)) {
      return skip(
        target.uploadAcl
          ? `skipped: S3_PERMISSION=${target.uploadAcl} is not the object-ACL mode (public-read)`
          : "skipped: S3_PERMISSION is empty (no-ACL mode): public read comes from the bucket policy or the CDN",
      );
    }
    if (state.aclRejected) return skip("skipped: writer-upload found that the server refuses x-amz-acl");
    const observed: string[] = [];

    const publicKey = context.probes.key("media_attachments/", "acl-public-read.txt");
    const publicBody = Buffer.from(`mastodon-media verify public-read probe ${context.probes.runId}\n`);
    const refused = await upload(context, publicKey, publicBody, "public-read", observed);
    if (refused) return refused;
    const publicUrl = mediaUrl(target, publicKey);
    const served = await anonymousGet(context, publicUrl);
    observed.push(served.line);
    if (!(served.response?.status === 200 && served.response.body.equals(publicBody))) {
      return fail(
        observed,
        "an object uploaded with x-amz-acl: public-read is not served on the media host: the server or the CDN in front of it ignores object ACLs on anonymous reads",
        "serve media from a host that honours object ACLs (on Spaces: the bucket's CDN endpoint or its custom domain), or switch to the no-ACL mode (a bucket policy on the public prefixes, S3_PERMISSION= empty)",
      );
    }

    const privateKey = context.probes.key("media_attachments/", "acl-private.txt");
    const privateBody = Buffer.from(`mastodon-media verify private probe ${context.probes.runId}\n`);
    const refusedPrivate = await upload(context, privateKey, privateBody, "private", observed);
    if (refusedPrivate) return refusedPrivate;
    const exposed: string[] = [];
    for (const url of [...new Set([mediaUrl(target, privateKey), apiObjectUrl(target, privateKey)])]) {
      const attempt = await anonymousGet(context, url);
      observed.push(attempt.line);
      if (attempt.response && attempt.response.status >= 200 && attempt.response.status < 300) exposed.push(url);
    }
    if (exposed.length === 0) return pass(...observed);
    return fail(
      observed,
      `an object uploaded with x-amz-acl: private under media_attachments/ is readable by anyone at ${exposed.join(" and ")}: a bucket policy (or the CDN) grants reads whatever the object's ACL says, so the ACLs Mastodon sets to hide a suspended account's media hide nothing`,
      "in object-ACL mode the objects' ACLs must be the only source of public read: remove the bucket policy's anonymous read (a Spaces bucket with a per-bucket key cannot have one anyway); or keep the policy and set S3_PERMISSION= (empty), accepting that suspended accounts' media stays readable",
    );
  },
});

/** Uploads a probe with a canned ACL; on refusal, the outcome (naming an ACL refusal when that is what it is). */
async function upload(
  context: CheckContext,
  key: string,
  body: Buffer,
  acl: string,
  observed: string[],
): Promise<CheckOutcome | undefined> {
  const sent = `PUT ${key} with x-amz-acl: ${acl}`;
  try {
    await putProbe(context, key, body, acl);
    observed.push(`${sent}: 200`);
    return undefined;
  } catch (error) {
    const failure = describeFailure(error, context.redact);
    observed.push(`${sent}: ${formatFailure(failure)}`);
    try {
      await putProbe(context, key, body, undefined);
    } catch {
      return s3Failure(context, error, sent, "s3:PutObject");
    }
    observed.push("the same PUT without x-amz-acl: 200");
    const diagnosis = aclRejected(context.target, failure);
    return fail(observed, diagnosis.cause, diagnosis.fix);
  }
}

async function anonymousGet(context: CheckContext, url: string): Promise<{ line: string; response?: HttpResponse }> {
  try {
    const response = await context.io.http(url, { signal: context.signal });
    return { line: `GET ${url} anonymously: ${describeResponse(response)}`, response };
  } catch (error) {
    return { line: `GET ${url} anonymously: ${errorCode(error)} (refused)` };
  }
}
