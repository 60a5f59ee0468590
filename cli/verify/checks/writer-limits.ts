import { CreateBucketCommand, PutBucketPolicyCommand, type BucketLocationConstraint } from "@aws-sdk/client-s3";
import { describeFailure, formatFailure, type S3Failure } from "../s3";
import { fail, pass, type Check } from "./types";

/** Answers that mean "you may not": denied, the RGW bucket quota of a writer, or an operation the server lacks. */
function refused(failure: S3Failure): boolean {
  return ["AccessDenied", "TooManyBuckets", "NotImplemented", "MethodNotAllowed"].includes(failure.code) || [403, 405, 501].includes(failure.status ?? 0);
}

const LEAST_PRIVILEGE_FIX =
  "give the writer only the component's policy (PutObject, GetObject, DeleteObject, AbortMultipartUpload on the objects, ListBucket on the bucket): re-run `pulumi up`, and remove broader policies such as s3:* or AmazonS3FullAccess from that user";

export const writerCannotCreateBucket: Check = {
  id: "writer-cannot-create-bucket",
  title: "the writer cannot create buckets (Mastodon would create a missing bucket with its own settings)",
  needs: ["probe"],
  async run(context) {
    const name = context.probes.bucketName();
    const { facts } = context.target;
    // Outside us-east-1, AWS wants the region named; elsewhere the endpoint decides.
    const configuration =
      !facts.endpoint && facts.region !== "us-east-1" ? { LocationConstraint: facts.region as BucketLocationConstraint } : undefined;
    context.probes.trackBucket(name);
    try {
      await context.io.s3.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: configuration }), { abortSignal: context.signal });
    } catch (error) {
      const failure = describeFailure(error, context.redact);
      const observed = `CreateBucket ${name}: ${formatFailure(failure)}`;
      if (refused(failure)) {
        context.probes.untrackBucket(name);
        return pass(observed);
      }
      return fail([observed], `the server answered ${failure.code} instead of refusing: cannot tell whether the writer may create buckets`, LEAST_PRIVILEGE_FIX);
    }
    return fail([`CreateBucket ${name}: 200, created (it is removed again)`], "the writer may create buckets: it holds more than the media bucket's permissions", LEAST_PRIVILEGE_FIX);
  },
};

/**
 * Sends a document that is not even JSON, so that nothing can change whatever the answer: servers check
 * authorization first (403) and parse second (400 MalformedPolicy), so a 400 means the writer was allowed.
 */
export const INVALID_POLICY = "{";

export const writerCannotChangePolicy: Check = {
  id: "writer-cannot-change-policy",
  title: "the writer cannot change the bucket policy",
  needs: ["probe"],
  async run(context) {
    const { bucket } = context.target.facts;
    try {
      await context.io.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: INVALID_POLICY }), { abortSignal: context.signal });
    } catch (error) {
      const failure = describeFailure(error, context.redact);
      const observed = `PutBucketPolicy on ${bucket} (an invalid document, so that nothing changes): ${formatFailure(failure)}`;
      if (refused(failure)) return pass(observed);
      return fail(
        [observed],
        failure.status === 400
          ? "the writer passed the authorization check and was stopped only by the invalid document: with a valid one it could make every object public or lock Mastodon out"
          : `the server answered ${failure.code} instead of refusing: cannot tell whether the writer may change the policy`,
        LEAST_PRIVILEGE_FIX,
      );
    }
    return fail(
      [`PutBucketPolicy on ${bucket} with an invalid document: accepted`],
      "the writer may change the bucket policy, and the server even accepted an invalid document",
      `restore the bucket policy now (re-run \`pulumi up\`), then ${LEAST_PRIVILEGE_FIX}`,
    );
  },
};
