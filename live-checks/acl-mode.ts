import type { Diagnosis } from "./diagnose";
import type { S3Failure } from "./io/s3";
import type { VerifyTarget } from "../mastodon-env/target";

/**
 * What object-ACL mode (S3_PERMISSION=public-read, the DigitalOcean stack) needs from the server, and how verify
 * names its one unknown: whether the writer's key may send `x-amz-acl` at all.
 */

/** The env asks for object-ACL mode: Mastodon uploads media `public-read` and archives `private`. */
export function asksForObjectAcls(target: VerifyTarget): boolean {
  return target.uploadAcl === "public-read";
}

/** The API endpoint is DigitalOcean Spaces (`REGION.digitaloceanspaces.com`). */
export function isSpacesEndpoint(target: VerifyTarget): boolean {
  return /(^|\.)digitaloceanspaces\.com$/i.test(target.apiEndpoint.hostname);
}

/**
 * The env claims object-ACL mode: S3_PERMISSION=public-read written out, or Mastodon's default public-read on
 * Spaces. An absent S3_PERMISSION elsewhere is more likely a forgotten line than a design.
 */
export function inObjectAclMode(target: VerifyTarget): boolean {
  return asksForObjectAcls(target) && (isSpacesEndpoint(target) || !target.aclIsDefault);
}

/**
 * A refusal that names the key rather than the bucket: 403 on an upload that carries `x-amz-acl`, where the same
 * upload without it succeeds. Only in object-ACL mode asked for explicitly, or on Spaces (where a limited-access
 * `readwrite` key may be unable to set ACLs: one public report says such keys get 403 on `GET /?acl`).
 * AWS's AccessControlListNotSupported and R2's 501 are the bucket refusing ACLs altogether: not this case.
 */
export function isAclPermissionRefusal(target: VerifyTarget, failure: S3Failure): boolean {
  const denied = failure.code === "AccessDenied" || failure.status === 403;
  return denied && inObjectAclMode(target);
}

/** The docs section that says what to do (docs/digitalocean.md). */
export const SPACES_ACL_DOC = 'docs/digitalocean.md, "If the Spaces key may not set object ACLs"';

/**
 * The writer's key may upload but not set object ACLs. On Spaces this is the one unverified assumption of the
 * object-ACL design, named exactly so that an admin can act on it; elsewhere it is the writer's policy.
 */
export function aclNotPermitted(target: VerifyTarget): Diagnosis {
  const fails = 'Mastodon\'s every upload fails ("Media could not be stored")';
  if (isSpacesEndpoint(target)) {
    return {
      cause: `the Spaces key may not set object ACLs: Spaces answers 403 to the x-amz-acl: ${target.uploadAcl} header that S3_PERMISSION makes Mastodon send, and accepts the same upload without it. ${fails}, and S3_PERMISSION= (empty) is no way out: objects without an ACL are private, and a bucket policy cannot be added while a per-bucket key exists (DigitalOcean, "How to Configure Bucket Policies")`,
      fix: `keep S3_PERMISSION=public-read and give Mastodon a Spaces key that may set ACLs: a Full Access key of a DigitalOcean team that holds only this bucket, pasted into AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; then run verify again (${SPACES_ACL_DOC})`,
      transient: false,
    };
  }
  return {
    cause: `the writer's key may not set object ACLs: the server answers 403 to the x-amz-acl: ${target.uploadAcl} header that S3_PERMISSION makes Mastodon send, and accepts the same upload without it. ${fails}`,
    fix: "if public reads come from a bucket policy or the CDN (no-ACL mode), set S3_PERMISSION= (empty) so that Mastodon sends no ACL; if they come from object ACLs (object-ACL mode), let the writer set ACLs on its objects (s3:PutObjectAcl, no Deny on s3:x-amz-acl)",
    transient: false,
  };
}
