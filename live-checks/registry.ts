import type { Check, Requirement } from "./check";
import { cacheBust } from "./checks/cache-bust";
import { cors } from "./checks/cors";
import { corsAfterCache } from "./checks/cors-after-cache";
import { httpsRedirect } from "./checks/https-redirect";
import { noAnonymousDelete } from "./checks/no-anonymous-delete";
import { noAnonymousWrite } from "./checks/no-anonymous-write";
import { noListing } from "./checks/no-listing";
import { objectAcls } from "./checks/object-acls";
import { suspensionAcl } from "./checks/suspension-acl";
import { previousMediaRedirect } from "./checks/previous-media-redirect";
import { privatePrefixes } from "./checks/private-prefixes";
import { publicRead } from "./checks/public-read";
import { regionEndpoint } from "./checks/region-endpoint";
import { tls } from "./checks/tls";
import { writerCannotChangePolicy } from "./checks/writer-cannot-change-policy";
import { writerCannotCreateBucket } from "./checks/writer-cannot-create-bucket";
import { writerDelete } from "./checks/writer-delete";
import { writerList } from "./checks/writer-list";
import { writerMultipart } from "./checks/writer-multipart";
import { writerRead } from "./checks/writer-read";
import { writerUpload } from "./checks/writer-upload";

/**
 * Every live check, in the order they run: the probe is uploaded first, served, attacked anonymously, and
 * deleted last (every probe is removed afterwards by live-checks/run.ts, whatever happened). Each check lives in
 * `live-checks/checks/<id>.ts`; verify, doctor --live and the self-check all run this list.
 */
export const CHECKS = [
  // Where the storage is, and how it is reached
  regionEndpoint,
  tls,
  // What the writer does, as Mastodon does it
  writerUpload,
  writerRead,
  writerList,
  writerMultipart,
  // How media is served
  publicRead,
  cors,
  corsAfterCache,
  httpsRedirect,
  previousMediaRedirect,
  // What nobody else may do
  noListing,
  noAnonymousWrite,
  noAnonymousDelete,
  privatePrefixes,
  objectAcls,
  suspensionAcl,
  // What the writer may not do
  writerCannotCreateBucket,
  writerCannotChangePolicy,
  // What the edge does with Mastodon's bust request
  cacheBust,
  // Cleanup, last
  writerDelete,
] as const satisfies readonly Check[];

/** The id of a live check: the name of its file in live-checks/checks/. */
export type CheckId = (typeof CHECKS)[number]["id"];

/** Whether an id (of a report line, say) is one of the registry's checks. */
export function isCheckId(id: string): id is CheckId {
  return CHECKS.some((check) => check.id === id);
}

/** Which check establishes each requirement, for the reason shown when a check is skipped. */
export const REQUIREMENT_SOURCES: Record<Requirement, CheckId> = {
  probe: writerUpload.id,
  mediaServed: publicRead.id,
};
