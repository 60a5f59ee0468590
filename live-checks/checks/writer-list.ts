import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { describeFailure, formatFailure } from "../io/s3";
import { writerS3 } from "../writer-headers";
import { type CheckContext, type CheckOutcome, defineCheck, fail, pass, warn } from "../check";
import { CREDENTIAL_RETRY_SECONDS, s3Failure } from "../writer";

export const writerList = defineCheck({
  id: "writer-list",
  title: "the writer can list the bucket the way `tootctl media remove-orphans` lists it",
  needs: ["probe"],
  retry: CREDENTIAL_RETRY_SECONDS,
  async run(context) {
    const probe = context.state.probe!;
    const { bucket, keyPrefix } = context.target.facts;
    const s3 = writerS3(context);
    // lib/mastodon/cli/media.rb: bucket.objects(start_after: last_key, prefix: options[:prefix]).limit(1000), i.e.
    // ListObjectsV2 from the bucket's root (no prefix unless --prefix), StartAfter paging. Just before the probe:
    const startAfter = probe.key.slice(0, -1);
    const orphans = `ListObjectsV2 start-after ${startAfter} without a prefix (as remove-orphans lists)`;
    if (!keyPrefix) {
      try {
        const answer = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, StartAfter: startAfter, MaxKeys: 10 }),
          { abortSignal: context.signal },
        );
        const keys = (answer.Contents ?? []).map((object) => object.Key);
        const observed = `${orphans}: 200, ${keys.length} key(s)`;
        if (!keys.includes(probe.key)) {
          return fail(
            [observed],
            "the listing does not show the probe that was just uploaded",
            "check that S3_BUCKET names the bucket uploads go to",
            true,
          );
        }
        return pass(observed);
      } catch (error) {
        return listFailure(context, error, orphans);
      }
    }
    // With S3_KEY_PREFIX the writer's own listing is under the prefix; remove-orphans still lists the root.
    const prefix = context.probes.folder("media_attachments/");
    let observed: string;
    try {
      const answer = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 10 }), {
        abortSignal: context.signal,
      });
      const keys = (answer.Contents ?? []).map((object) => object.Key);
      observed = `ListObjectsV2 prefix ${prefix}: 200, ${keys.length} key(s)`;
      if (!keys.includes(probe.key))
        return fail(
          [observed],
          "the listing does not show the probe that was just uploaded",
          "check that S3_BUCKET and S3_KEY_PREFIX name the bucket and folder uploads go to",
          true,
        );
    } catch (error) {
      return listFailure(context, error, `ListObjectsV2 prefix ${prefix}`);
    }
    const root = await s3
      .send(new ListObjectsV2Command({ Bucket: bucket, StartAfter: startAfter, MaxKeys: 1 }), {
        abortSignal: context.signal,
      })
      .then(
        () => "200",
        (error: unknown) => formatFailure(describeFailure(error, context.redact)),
      );
    return warn(
      [observed, `${orphans}: ${root}`],
      `with S3_KEY_PREFIX=${keyPrefix}, \`tootctl media remove-orphans\` cannot work: it lists from the bucket's root without the prefix${root === "200" ? "" : " (refused here)"}, and with --prefix it does not strip the prefix before matching keys, so orphaned files are never found`,
      "nothing in the env fixes it today: clean orphans by other means (lifecycle rules on cache/), or give the instance its own bucket without S3_KEY_PREFIX",
    );
  },
});

function listFailure(context: CheckContext, error: unknown, what: string): CheckOutcome {
  const outcome = s3Failure(context, error, what, "s3:ListBucket");
  const failure = describeFailure(error, context.redact);
  if (failure.code === "AccessDenied" || failure.status === 403) {
    return {
      ...outcome,
      cause: `the writer may not list the bucket (no s3:ListBucket on arn:aws:s3:::${context.target.facts.bucket}): uploads, reads and deletes work, but \`tootctl media remove-orphans\` fails`,
      fix: `grant the writer s3:ListBucket on arn:aws:s3:::${context.target.facts.bucket} (re-run \`pulumi up\` for stacks of this project)`,
      transient: true,
    };
  }
  return outcome;
}
