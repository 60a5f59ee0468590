import { noAnonymousDelete, noAnonymousWrite, privatePrefixes } from "./anonymous";
import { cacheBust } from "./cache-bust";
import { corsAfterCache } from "./cors-after-cache";
import { httpsRedirect } from "./https-redirect";
import { previousMediaRedirect } from "./previous-media-redirect";
import { objectAcls } from "./object-acls";
import { cors, noListing, publicRead } from "./public";
import { regionEndpoint, tlsCheck } from "./transport";
import { writerMultipart } from "./multipart";
import { writerList, writerRead, writerUpload } from "./writer";
import { writerDelete } from "./writer-delete";
import { writerCannotChangePolicy, writerCannotCreateBucket } from "./writer-limits";
import type { Check, Requirement } from "./types";

/**
 * The live checks of DESIGN.md, in the order they run: the probe is uploaded first, served, attacked
 * anonymously, and deleted last. Every probe is removed afterwards by the CLI, whatever happened.
 */
export const CHECKS: readonly Check[] = [
  regionEndpoint,
  tlsCheck,
  writerUpload,
  writerRead,
  writerList,
  writerMultipart,
  publicRead,
  cors,
  corsAfterCache,
  httpsRedirect,
  previousMediaRedirect,
  noListing,
  noAnonymousWrite,
  noAnonymousDelete,
  privatePrefixes,
  objectAcls,
  writerCannotCreateBucket,
  writerCannotChangePolicy,
  cacheBust,
  writerDelete,
];

/** Which check establishes each requirement, for the reason shown when a check is skipped. */
export const REQUIREMENT_SOURCES: Record<Requirement, string> = {
  probe: writerUpload.id,
  mediaServed: publicRead.id,
};
