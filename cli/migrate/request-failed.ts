import type { VerifyTarget } from "../../mastodon-env/target";

/**
 * A request of a pass that failed, tagged with the storage it went to, so that ./run.ts can name the side
 * (./storage-problem.ts storageProblem) instead of letting an SDK error out as a stack trace.
 */

/** A request of a pass: the S3 operation, the IAM action it needs, and the key for a request on one object. */
export interface SideRequest {
  operation: string;
  action: string;
  key?: string;
  /** What else was tried and saw, e.g. "an anonymous HEAD answers 404". */
  note?: string;
}

/** ListObjectsV2, which needs s3:ListBucket (S3 API reference, ListObjectsV2, "Permissions"). */
export const LISTING: SideRequest = { operation: "ListObjectsV2", action: "s3:ListBucket" };

/** A request on `target` failed; thrown where it is made so that the failure can be told of the right side. */
export class RequestFailed extends Error {
  constructor(
    readonly target: VerifyTarget,
    readonly error: unknown,
    readonly request: SideRequest,
  ) {
    super(error instanceof Error ? error.message : String(error));
    this.name = "RequestFailed";
  }
}

/** A listing of `target` failed; thrown by ./listing.ts. */
export class ListingFailed extends RequestFailed {
  constructor(target: VerifyTarget, error: unknown) {
    super(target, error, LISTING);
    this.name = "ListingFailed";
  }
}
