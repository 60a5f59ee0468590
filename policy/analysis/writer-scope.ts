import { WRITER_ACTIONS, WRITER_BUCKET_ACTIONS, WRITER_OBJECT_ACTIONS } from "../../components/policy-documents";
import type { PolicyDocument } from "./policy-document";
import { hasWildcard, isOneOfActions } from "./patterns";
import { parseS3Arn } from "./s3-arn";

/**
 * The scope of a writer's identity policy (config/initializers/paperclip.rb, app/lib/attachment_batch.rb, lib/mastodon/cli/media.rb): only WRITER_ACTIONS, object actions on
 * `arn:aws:s3:::BUCKET/*` (or `BUCKET/PREFIX/*`), ListBucket on `arn:aws:s3:::BUCKET`, one bucket. Deny
 * statements only narrow, so they are not checked.
 */
export interface WriterScope {
  /** Every bucket the policy grants something on. */
  buckets: string[];
  /** What goes beyond the writer's least privilege, each as "must ..." reasons. */
  problems: string[];
}

export function writerScope(document: PolicyDocument): WriterScope {
  const buckets = new Set<string>();
  const problems: string[] = [];
  document.statements.forEach((statement, index) => {
    if (statement.effect !== "Allow") return;
    const label = statement.sid ? `statement ${statement.sid}` : `statement ${index + 1}`;
    if (statement.notAction) problems.push(`${label} must list its actions instead of NotAction`);
    if (statement.notResource) problems.push(`${label} must list its resources instead of NotResource`);
    if (statement.principal.kind !== "none") problems.push(`${label} must not name a principal in an identity policy`);
    const extra = statement.notAction
      ? []
      : statement.actions.filter((action) => !isOneOfActions(action, WRITER_ACTIONS));
    if (extra.length > 0)
      problems.push(`${label} must grant only ${WRITER_ACTIONS.join(", ")}: found ${extra.join(", ")}`);
    // Which kind of resource the statement's actions apply to; unknown when it already grants too much.
    const kinds =
      extra.length > 0 || statement.notAction
        ? undefined
        : {
            object: statement.actions.some((action) => isOneOfActions(action, WRITER_OBJECT_ACTIONS)),
            bucket: statement.actions.some((action) => isOneOfActions(action, WRITER_BUCKET_ACTIONS)),
          };
    for (const resource of statement.notResource ? [] : statement.resources) {
      const target = parseS3Arn(resource);
      if (!target || hasWildcard(target.bucket)) {
        problems.push(`${label} must name one bucket in every resource: found ${resource}`);
        continue;
      }
      buckets.add(target.bucket);
      if (kinds && target.key === undefined && !kinds.bucket) {
        problems.push(`${label} must grant object actions on objects (${resource}/*), not on the bucket`);
      } else if (kinds && target.key !== undefined && !kinds.object) {
        problems.push(
          `${label} must grant ${WRITER_BUCKET_ACTIONS.join(", ")} on the bucket (arn:aws:s3:::${target.bucket}), not on objects`,
        );
      }
    }
  });
  if (buckets.size > 1) problems.push(`must grant on one bucket only: found ${[...buckets].join(", ")}`);
  return { buckets: [...buckets], problems };
}
