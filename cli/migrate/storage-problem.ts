import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { UserError } from "../../components/errors";
import { SECRET_MASK } from "../../components/masks";
import { diagnoseS3, type BucketOrigin } from "../../live-checks/diagnose";
import {
  describeFailure,
  formatFailure,
  neverReachedServer,
  writerClient,
  type S3Failure,
} from "../../live-checks/io/s3";
import { endpointsOf, unreachable } from "../../live-checks/reachability";
import type { VerifyTarget } from "../../mastodon-env/target";
import { LISTING, type SideRequest } from "./request-failed";
import { readsSourceAcls } from "./source-acl";

// listing.ts takes ListingFailed from here.
export { ListingFailed, RequestFailed } from "./request-failed";

/**
 * What `migrate --run` says when a bucket side (the destination, or a `--from-env` source) cannot be used: the
 * cause named by the live checks' own diagnosis (live-checks/reachability.ts for the connection,
 * live-checks/diagnose.ts for S3's answers), never a stack trace.
 */

/** A bucket side of the migration and the argument that named it, e.g. `--to-env new.env`. */
export interface BucketSide {
  what: string;
  target: VerifyTarget;
  /**
   * Who made the bucket, which the fix of a refusal follows (live-checks/diagnose.ts BucketOrigin). Unset: the
   * destination, this project's stack (`--to-env` is its envProduction output). A `--from-env` source is
   * usually an old bucket set up by hand: sourceSide.
   */
  origin?: BucketOrigin;
}

/**
 * The `--from-env FILE` side: a bucket this project did not make, whose key needs s3:ListBucket on the bucket
 * (the listings: ./listing.ts), s3:GetObject on its keys (rclone's copy, and the check's reads: ./check.ts) and,
 * when both sides are in object-ACL mode, s3:GetObjectAcl on its keys (./source-acl.ts readsSourceAcls).
 */
export function sourceSide(file: string, source: VerifyTarget, destination: VerifyTarget): BucketSide {
  const bucket = source.facts.bucket;
  const keys = `${bucket}/${source.facts.keyPrefix ? `${source.facts.keyPrefix}/` : ""}*`;
  const needs = [
    `s3:ListBucket on the bucket ${bucket}${source.facts.keyPrefix ? ` (prefix ${source.facts.keyPrefix}/)` : ""}`,
    `s3:GetObject on ${keys}`,
    ...(readsSourceAcls(source, destination)
      ? [`s3:GetObjectAcl on ${keys} (both sides use object ACLs: media the source keeps private stays private)`]
      : []),
  ];
  return { what: `--from-env ${file}`, target: source, origin: { madeBy: "elsewhere", needs } };
}

/** A listing failure that is not the user's doing (a 5xx, a connection lost mid-listing): exit 1, run again. */
export class StorageFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StorageFailure";
  }
}

/**
 * Checks each side before anything is listed or copied: its API host accepts a connection (reachability.ts),
 * and one ListObjectsV2 page (MaxKeys 1) with its key succeeds through the client the listing uses, so that a
 * wrong bucket, key id, secret, region or a missing s3:ListBucket stops the pass before rclone starts.
 * Throws UserError (exit 2) naming the variable and the cause, or StorageFailure (exit 1) for a server's 5xx.
 */
export async function preflight(sides: readonly BucketSide[]): Promise<void> {
  for (const side of sides) {
    const api = endpointsOf(side.target)[0]!;
    const problem = await unreachable(api);
    if (problem) throw new UserError(`${side.what}: ${problem}`);
    const client = writerClient(side.target);
    try {
      const prefix = side.target.facts.keyPrefix ? `${side.target.facts.keyPrefix}/` : undefined;
      await client.send(new ListObjectsV2Command({ Bucket: side.target.facts.bucket, Prefix: prefix, MaxKeys: 1 }));
    } catch (error) {
      throw storageProblem(side, error);
    } finally {
      client.destroy();
    }
  }
}

/**
 * A failed call of `side` (a listing unless `request` says otherwise) as one message: a UserError when the cause
 * is in the env or the key's rights (the server refused the request with a 4xx, or it never reached the
 * server: DNS, connection, TLS), else a StorageFailure. The fix follows the side's origin: a `--from-env`
 * source names what its key needs there, never this project's stack. Secrets are masked in the server's message.
 */
export function storageProblem(
  side: BucketSide,
  error: unknown,
  request: SideRequest = LISTING,
): UserError | StorageFailure {
  const secrets = [side.target.facts.secretAccessKey, side.target.facts.accessKeyId].filter((s) => s.length >= 4);
  const failure = describeFailure(error, (text) =>
    secrets.reduce((masked, secret) => masked.split(secret).join(SECRET_MASK), text),
  );
  const diagnosis = diagnoseS3(failure, side.target, request.action, false, side.origin);
  const on = request.key === undefined ? side.target.facts.bucket : `${side.target.facts.bucket}/${request.key}`;
  const note = request.note ? `; ${request.note}` : "";
  const text = `${side.what}: ${request.operation} on ${on} failed (${formatFailure(failure)}${note}): ${diagnosis.cause}; ${diagnosis.fix}`;
  return isUsersMistake(failure) ? new UserError(text) : new StorageFailure(text);
}

/** 4xx answers (except 408 and 429, which say "later") and failures that never reached the server. */
function isUsersMistake(failure: S3Failure): boolean {
  if (failure.status !== undefined)
    return failure.status >= 300 && failure.status < 500 && failure.status !== 408 && failure.status !== 429;
  return neverReachedServer(failure);
}
