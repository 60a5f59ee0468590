import { CreateBucketCommand, ListObjectsV2Command, type BucketLocationConstraint } from "@aws-sdk/client-s3";
import { describeFailure, formatFailure } from "../io/s3";
import { writerS3 } from "../writer-headers";
import { defineCheck, fail, inconclusive, pass } from "../check";
import { LEAST_PRIVILEGE_FIX, misrouted, refused } from "../bucket-calls";

export const writerCannotCreateBucket = defineCheck({
  id: "writer-cannot-create-bucket",
  title: "the writer cannot create buckets (Mastodon would create a missing bucket with its own settings)",
  needs: ["probe"],
  async run(context) {
    const name = context.probes.bucketName();
    const skipped = misrouted(context, `CreateBucket ${name}`);
    if (skipped) return skipped;
    const { facts } = context.target;
    const s3 = writerS3(context);
    // Outside us-east-1, AWS wants the region named; elsewhere the endpoint decides.
    const configuration =
      !facts.endpoint && facts.region !== "us-east-1"
        ? { LocationConstraint: facts.region as BucketLocationConstraint }
        : undefined;
    context.probes.trackBucket(name);
    try {
      await s3.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: configuration }), {
        abortSignal: context.signal,
      });
    } catch (error) {
      const failure = describeFailure(error, context.redact);
      const observed = `CreateBucket ${name}: ${formatFailure(failure)}`;
      if (refused(failure)) {
        context.probes.untrackBucket(name);
        return pass(observed);
      }
      return inconclusive(
        [observed],
        `the server answered ${failure.code} instead of refusing: whether the writer may create buckets is not known`,
        LEAST_PRIVILEGE_FIX,
      );
    }
    // Confirmed before the alarm: a real new bucket lists as itself (ListObjectsV2 names it); a request that went
    // elsewhere (a proxy, an object PUT) does not.
    const listed = await s3
      .send(new ListObjectsV2Command({ Bucket: name, MaxKeys: 1 }), { abortSignal: context.signal })
      .then(
        (answer) => (answer.Name === name ? "confirmed" : `200 without the bucket's name`),
        (error: unknown) => formatFailure(describeFailure(error, context.redact)),
      );
    const observed = [
      `CreateBucket ${name}: 200`,
      `ListObjectsV2 on ${name}: ${listed === "confirmed" ? `200, an empty bucket named ${name}` : listed}`,
    ];
    if (listed !== "confirmed") {
      return inconclusive(
        observed,
        "CreateBucket answered 200 but no such bucket can be listed: the request did not create a bucket as far as can be seen (a gateway or misrouted call answered)",
        "check S3_ENDPOINT; if a bucket was created, delete it and restrict the writer: " + LEAST_PRIVILEGE_FIX,
      );
    }
    return fail(
      [...observed, "(it is removed again)"],
      "the writer may create buckets: it holds more than the media bucket's permissions",
      LEAST_PRIVILEGE_FIX,
    );
  },
});
