import { GetObjectAclCommand, type S3Client } from "@aws-sdk/client-s3";
import { apiObjectUrl, type VerifyTarget } from "../../mastodon-env/target";
import { encodeKey } from "./object-fetch";
import { RequestFailed } from "./request-failed";
import { isGone } from "./source-gone";

/**
 * Whether a source object may be read by anyone. In object-ACL mode Mastodon gives uploads S3_PERMISSION
 * (public-read) and makes a suspended account's media private (app/services/suspend_account_service.rb,
 * `privatize_media_attachments!`, through app/services/update_media_attachments_permissions_service.rb: the
 * `private` ACL on each file; on local storage `chmod 0600`, so that nginx cannot read it; unsuspending undoes
 * it), so the source's ACL (or file mode) is the one record of which media must stay private.
 *
 * Read from the object's ACL: a grant of READ (or FULL_CONTROL) to the AllUsers group (S3 docs, "Access control
 * list (ACL) overview", "Amazon S3 predefined groups": http://acs.amazonaws.com/groups/global/AllUsers). Where
 * the old key may not read ACLs (GetObjectAcl answers 403, or 501 where ACLs do not exist), an anonymous HEAD
 * on the source's API endpoint (not the media host: a CDN may still hold a copy made before the ACL changed)
 * answers the same question: 200 readable, 403 not.
 */
export const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";

/**
 * Whether migrate reads the ACLs of `source`: both sides in object-ACL mode (S3_PERMISSION set on each). Into a
 * no-ACL destination the bucket's policy decides by prefix, and a no-ACL source has no ACL to read.
 */
export function readsSourceAcls(source: VerifyTarget, destination: VerifyTarget): boolean {
  return destination.uploadAcl !== undefined && source.uploadAcl !== undefined;
}

/**
 * See ALL_USERS. A failure that leaves the question open is thrown as RequestFailed (GetObjectAcl, which needs
 * s3:GetObjectAcl: S3 API reference, GetObjectAcl, "Permissions"), for ./run.ts to name the source and what its
 * key needs. A key Mastodon deleted since the listing (GetObjectAcl answers `NoSuchKey` to the source's own key:
 * ./source-gone.ts) counts as not readable: there is nothing left to copy, and private is the safe side. A 404 to
 * the anonymous HEAD stays inconclusive (it may not be the object's answer).
 */
export async function publiclyReadable(client: S3Client, target: VerifyTarget, key: string): Promise<boolean> {
  const request = { operation: "GetObjectAcl", action: "s3:GetObjectAcl", key };
  let refusal: unknown;
  try {
    const acl = await client.send(new GetObjectAclCommand({ Bucket: target.facts.bucket, Key: key }));
    return (acl.Grants ?? []).some(
      (grant) =>
        grant.Grantee?.URI === ALL_USERS && (grant.Permission === "READ" || grant.Permission === "FULL_CONTROL"),
    );
  } catch (error) {
    if (isGone(error)) return false;
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== 403 && status !== 501) throw new RequestFailed(target, error, request);
    refusal = error;
  }
  let answer: Response;
  try {
    answer = await fetch(apiObjectUrl(target, encodeKey(key)), { method: "HEAD", redirect: "manual" });
  } catch (error) {
    const note = `an anonymous HEAD, the other way to tell whether it is public, failed: ${error instanceof Error ? error.message : String(error)}`;
    throw new RequestFailed(target, refusal, { ...request, note });
  }
  if (answer.status === 200) return true;
  if (answer.status === 403) return false;
  throw new RequestFailed(target, refusal, {
    ...request,
    note: `an anonymous HEAD, the other way to tell whether it is public, answers ${answer.status}`,
  });
}
