import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { UserError } from "../../components/errors";
import { SECRET_MASK } from "../../components/masks";
import { diagnoseS3 } from "../../live-checks/diagnose";
import {
  describeFailure,
  formatFailure,
  neverReachedServer,
  writerClient,
  type S3Failure,
} from "../../live-checks/io/s3";
import { endpointsOf, unreachable } from "../../live-checks/reachability";
import type { VerifyTarget } from "../../mastodon-env/target";

/**
 * What `migrate --run` says when a bucket side (the destination, or a `--from-env` source) cannot be used: the
 * cause named by the live checks' own diagnosis (live-checks/reachability.ts for the connection,
 * live-checks/diagnose.ts for S3's answers), never a stack trace.
 */

/** A bucket side of the migration and the argument that named it, e.g. `--to-env new.env`. */
export interface BucketSide {
  what: string;
  target: VerifyTarget;
}

/** A listing of `target` failed; thrown by listing.ts so that the failure can be told of the right side. */
export class ListingFailed extends Error {
  constructor(
    readonly target: VerifyTarget,
    readonly error: unknown,
  ) {
    super(error instanceof Error ? error.message : String(error));
    this.name = "ListingFailed";
  }
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
 * A failed listing call of `side` as one message: a UserError when the cause is in the env (the server refused
 * the request with a 4xx, or it never reached the server: DNS, connection, TLS), else a StorageFailure.
 * Secrets are masked in the server's message.
 */
export function storageProblem(side: BucketSide, error: unknown): UserError | StorageFailure {
  const secrets = [side.target.facts.secretAccessKey, side.target.facts.accessKeyId].filter((s) => s.length >= 4);
  const failure = describeFailure(error, (text) =>
    secrets.reduce((masked, secret) => masked.split(secret).join(SECRET_MASK), text),
  );
  const diagnosis = diagnoseS3(failure, side.target, "s3:ListBucket");
  const text = `${side.what}: ListObjectsV2 on ${side.target.facts.bucket} failed (${formatFailure(failure)}): ${diagnosis.cause}; ${diagnosis.fix}`;
  return isUsersMistake(failure) ? new UserError(text) : new StorageFailure(text);
}

/** 4xx answers (except 408 and 429, which say "later") and failures that never reached the server. */
function isUsersMistake(failure: S3Failure): boolean {
  if (failure.status !== undefined)
    return failure.status >= 300 && failure.status < 500 && failure.status !== 408 && failure.status !== 429;
  return neverReachedServer(failure);
}
