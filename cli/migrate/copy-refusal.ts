import type { BucketSide } from "./storage-problem";

/**
 * A copy that rclone's storage refused (HTTP 403) does not get better by running it again, unlike a lost
 * connection or a 5xx: the refused key needs the rights the copy uses. rclone's error lines do not say reliably
 * which remote refused (rclone 1.60: `error reading source root directory: Forbidden ... status code: 403`;
 * 1.75: `--files-from failed to read file: operation error S3: HeadObject, ... StatusCode: 403`; a refused
 * upload: `Failed to copy: ... AccessDenied ... 403` in both), so the advice names what each bucket side needs.
 */

/**
 * Whether an rclone error line is a 403: aws-sdk-go (rclone up to 1.67) writes `status code: 403`, aws-sdk-go-v2
 * (1.68 on) `StatusCode: 403` (seen with rclone 1.60.1 and 1.75.2: test/e2e/migrate-refused.test.ts).
 */
export function isRefusal(error: string): boolean {
  return /\bstatus ?code: 403\b/i.test(error);
}

/**
 * The lines printed after a copy with refusals, instead of "run the same command again": per side what its key
 * needs. A `--from-env` source (a bucket this project did not make: ./storage-problem.ts sourceSide) names its
 * actions, never `pulumi up`; the destination (this project's stack) s3:PutObject, which `pulumi up` restores.
 */
export function refusedCopyAdvice(sides: readonly BucketSide[]): string[] {
  const lines = [
    "rclone was refused (403): running the same command again does not help until the refused key may do what the copy does:",
  ];
  for (const side of sides) {
    const facts = side.target.facts;
    if (side.origin?.madeBy === "elsewhere") {
      lines.push(
        `  ${side.what}: its key (AWS_ACCESS_KEY_ID) needs ${side.origin.needs.join(", ")}, where that bucket's access is managed`,
      );
    } else {
      lines.push(
        `  ${side.what}: the writer needs s3:PutObject on ${facts.bucket}/${facts.keyPrefix ? `${facts.keyPrefix}/` : ""}* (its stack's policy: re-run \`pulumi up\` to restore it)`,
      );
    }
  }
  return lines;
}
