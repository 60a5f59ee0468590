import { PutObjectAclCommand } from "@aws-sdk/client-s3";
import { asksForObjectAcls } from "../acl-mode";
import { describeResponse, errorCode, type HttpResponse } from "../io/http";
import { describeFailure, formatFailure } from "../io/s3";
import { apiObjectUrl, mediaUrl } from "../../mastodon-env/target";
import { writerS3 } from "../writer-headers";
import { putProbe, s3Failure } from "../writer";
import { type CheckContext, defineCheck, fail, pass, skip } from "../check";

/**
 * Object-ACL mode: the writer can make a stored object private and public again, as Mastodon does when an
 * account is suspended and unsuspended. Mastodon then calls PutObjectAcl on every file of the account's media:
 * `acl.put(acl: 'private')`, and on unsuspension `acl.put(acl: S3_PERMISSION)` (aws-sdk-s3 Object#acl#put;
 * app/services/update_media_attachments_permissions_service.rb from 4.4, app/services/suspend_account_service.rb
 * and unsuspend_account_service.rb in 4.3). A refusal there fails the sidekiq job (AccessDenied) or is only
 * logged (NotImplemented), and the suspended account's media stays public.
 *
 * The probe is fresh and never read before it is made private, so no CDN cache can answer for it; after it is
 * public again it must be served on the media host.
 */
export const suspensionAcl = defineCheck({
  id: "suspension-acl",
  title:
    "object-ACL mode: the writer can make a stored object private and public again (PutObjectAcl, as Mastodon does on suspension)",
  needs: ["probe", "mediaServed"],
  async run(context) {
    const { target, state } = context;
    if (!asksForObjectAcls(target))
      return skip("skipped: not the object-ACL mode (S3_PERMISSION=public-read): Mastodon changes no ACLs");
    if (state.aclRejected) return skip("skipped: writer-upload found that the server refuses x-amz-acl");
    const key = context.probes.key("media_attachments/", "acl-suspension.txt");
    const body = Buffer.from(`mastodon-media verify suspension probe ${context.probes.runId}\n`);
    const put = `PUT ${key} with x-amz-acl: public-read`;
    try {
      await putProbe(context, key, body, "public-read");
    } catch (error) {
      return s3Failure(context, error, put, "s3:PutObject");
    }
    const observed = [`${put}: 200`];

    const refused = await changeAcl(context, key, "private", observed);
    if (refused) return refused;
    const exposed: string[] = [];
    for (const url of [...new Set([mediaUrl(target, key), apiObjectUrl(target, key)])]) {
      const attempt = await anonymousGet(context, url);
      observed.push(attempt.line);
      if (attempt.response && attempt.response.status >= 200 && attempt.response.status < 300) exposed.push(url);
    }
    if (exposed.length > 0) {
      return fail(
        observed,
        `after PutObjectAcl private the object is still readable by anyone at ${exposed.join(" and ")}: something other than the object's ACL grants reads, so suspending an account hides nothing`,
        "in object-ACL mode the objects' ACLs must be the only source of public read (see the object-acls check)",
      );
    }

    const refusedBack = await changeAcl(context, key, "public-read", observed);
    if (refusedBack) return refusedBack;
    const served = await anonymousGet(context, mediaUrl(target, key));
    observed.push(served.line);
    if (!(served.response?.status === 200 && served.response.body.equals(body))) {
      return fail(
        observed,
        "after PutObjectAcl public-read the object is not served again on the media host: an unsuspended account's media would stay hidden",
        "serve media from a host that reads the objects' ACLs on every request (see the object-acls check)",
      );
    }
    return pass(...observed);
  },
});

/** PutObjectAcl with a canned ACL; on refusal, the outcome naming what Mastodon's suspension then does. */
async function changeAcl(context: CheckContext, key: string, acl: "private" | "public-read", observed: string[]) {
  const sent = `PutObjectAcl ${key} ${acl}`;
  try {
    await writerS3(context).send(new PutObjectAclCommand({ Bucket: context.target.facts.bucket, Key: key, ACL: acl }), {
      abortSignal: context.signal,
    });
    observed.push(`${sent}: 200`);
    return undefined;
  } catch (error) {
    const failure = describeFailure(error, context.redact);
    observed.push(`${sent}: ${formatFailure(failure)}`);
    const notImplemented = failure.code === "NotImplemented" || failure.status === 501;
    const denied = failure.code === "AccessDenied" || failure.status === 403;
    if (!notImplemented && !denied) return s3Failure(context, error, sent, "s3:PutObjectAcl");
    return fail(
      observed,
      notImplemented
        ? "the server does not implement PutObjectAcl: when Mastodon suspends an account it only logs the error, and the account's media stays public"
        : "the writer's key may not change the ACL of an object it stored (s3:PutObjectAcl): when Mastodon suspends an account the job fails, and the account's media stays public",
      notImplemented
        ? "object-ACL mode needs a server that implements object ACLs; otherwise use the no-ACL mode (S3_PERMISSION= empty, public read from a bucket policy on the public prefixes), accepting that suspensions do not hide media"
        : "let the writer's key set ACLs on the objects it stores (s3:PutObjectAcl, no Deny on it)",
    );
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
