import { CreateBucketCommand, GetBucketPolicyCommand, ListObjectsV2Command, PutBucketPolicyCommand, type BucketLocationConstraint } from "@aws-sdk/client-s3";
import { describeFailure, formatFailure, md5InsteadOfChecksums, type S3Failure } from "../io/s3";
import { writerS3 } from "./headers";
import { isSpacesEndpoint } from "../acl-mode";
import { fail, inconclusive, pass, type Check, type CheckContext, type CheckOutcome } from "./types";

/** Answers that mean "you may not": denied, the RGW bucket quota of a writer, or an operation the server lacks. */
function refused(failure: S3Failure): boolean {
  return ["AccessDenied", "TooManyBuckets", "NotImplemented", "MethodNotAllowed"].includes(failure.code) || [403, 405, 501].includes(failure.status ?? 0);
}

const LEAST_PRIVILEGE_FIX =
  "give the writer only the component's policy (PutObject, GetObject, DeleteObject, AbortMultipartUpload on the objects, ListBucket on the bucket): re-run `pulumi up`, and remove broader policies such as s3:* or AmazonS3FullAccess from that user";

/**
 * With the bucket inside S3_ENDPOINT, path-style bucket calls land INSIDE that bucket as object requests
 * (`PUT /NAME` = PutObject of key NAME): the answer says nothing about the writer's rights, and sending it would
 * leave an object behind. Such a check is not run.
 */
function misrouted(context: CheckContext, call: string): CheckOutcome | undefined {
  const { bucketInEndpoint } = context.target;
  if (!bucketInEndpoint && !context.hints?.findings?.includes("bucket-in-endpoint")) return undefined;
  return inconclusive(
    [`${call}: not sent: S3_ENDPOINT names bucket ${bucketInEndpoint ?? "(see doctor)"}, so the request would be an object upload inside it, not a bucket call`],
    "with the bucket in S3_ENDPOINT, bucket-level calls cannot reach the bucket API: whether the writer may make them is not known",
    "fix S3_ENDPOINT (region-endpoint says how), then run verify again",
  );
}

export const writerCannotCreateBucket: Check = {
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
      !facts.endpoint && facts.region !== "us-east-1" ? { LocationConstraint: facts.region as BucketLocationConstraint } : undefined;
    context.probes.trackBucket(name);
    try {
      await s3.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: configuration }), { abortSignal: context.signal });
    } catch (error) {
      const failure = describeFailure(error, context.redact);
      const observed = `CreateBucket ${name}: ${formatFailure(failure)}`;
      if (refused(failure)) {
        context.probes.untrackBucket(name);
        return pass(observed);
      }
      return inconclusive([observed], `the server answered ${failure.code} instead of refusing: whether the writer may create buckets is not known`, LEAST_PRIVILEGE_FIX);
    }
    // Confirmed before the alarm: a real new bucket lists as itself (ListObjectsV2 names it); a request that went
    // elsewhere (a proxy, an object PUT) does not.
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: name, MaxKeys: 1 }), { abortSignal: context.signal }).then(
      (answer) => (answer.Name === name ? "confirmed" : `200 without the bucket's name`),
      (error: unknown) => formatFailure(describeFailure(error, context.redact)),
    );
    const observed = [`CreateBucket ${name}: 200`, `ListObjectsV2 on ${name}: ${listed === "confirmed" ? `200, an empty bucket named ${name}` : listed}`];
    if (listed !== "confirmed") {
      return inconclusive(observed, "CreateBucket answered 200 but no such bucket can be listed: the request did not create a bucket as far as can be seen (a gateway or misrouted call answered)", "check S3_ENDPOINT; if a bucket was created, delete it and restrict the writer: " + LEAST_PRIVILEGE_FIX);
    }
    return fail([...observed, "(it is removed again)"], "the writer may create buckets: it holds more than the media bucket's permissions", LEAST_PRIVILEGE_FIX);
  },
};

/**
 * Sends a document that is not even JSON, so that nothing can change whatever the answer: servers check
 * authorization first (403) and parse second (400 MalformedPolicy; Ceph RGW: InvalidArgument), so such a 400
 * means the writer was allowed. The document goes with Content-MD5 and without the CRC32 checksum headers, so that a
 * server refusing those headers (400 InvalidArgument on B2) cannot be read as "authorized".
 */
export const INVALID_POLICY = "{";
const POLICY_PARSE_CODES = ["MalformedPolicy", "InvalidPolicyDocument", "InvalidArgument", "MalformedPolicyDocument"];

export const writerCannotChangePolicy: Check = {
  id: "writer-cannot-change-policy",
  title: "the writer cannot change the bucket policy",
  needs: ["probe"],
  async run(context) {
    const { bucket } = context.target.facts;
    const skipped = misrouted(context, `PutBucketPolicy on ${bucket}`);
    if (skipped) return skipped;
    const s3 = writerS3(context);
    const command = md5InsteadOfChecksums(new PutBucketPolicyCommand({ Bucket: bucket, Policy: INVALID_POLICY }));
    try {
      await s3.send(command, { abortSignal: context.signal });
    } catch (error) {
      const failure = describeFailure(error, context.redact);
      const observed = `PutBucketPolicy on ${bucket} (an invalid document, so that nothing changes; Content-MD5, no checksum headers): ${formatFailure(failure)}`;
      if (refused(failure)) return pass(observed);
      if (failure.status === 400 && POLICY_PARSE_CODES.includes(failure.code) && isSpacesEndpoint(context.target)) {
        // DigitalOcean refuses every bucket policy on a bucket that has a limited-access key ("How to Configure
        // Bucket Policies": you can't apply a bucket policy to a bucket that already uses a limited-access key),
        // whoever sends it. In which order Spaces checks that rule, the key's rights and the document is not
        // documented (unverified against a real account): a 400 here does not show the key passed authorization.
        return inconclusive(
          [observed],
          "on Spaces a bucket with a per-bucket key refuses every bucket policy, and in which order Spaces checks that, the key's rights and the document is not documented: this answer does not show whether the writer may change the policy",
          "check the key in the control panel (Spaces Object Storage, Access Keys): the stack's writer key is limited to readwrite on this bucket",
        );
      }
      if (failure.status === 400 && POLICY_PARSE_CODES.includes(failure.code)) {
        return fail(
          [observed],
          "the writer passed the authorization check and was stopped only by the invalid document: with a valid one it could make every object public or lock Mastodon out",
          LEAST_PRIVILEGE_FIX,
        );
      }
      return inconclusive([observed], `the server answered ${failure.code}, which is neither a refusal nor a policy-parsing error: whether the writer may change the policy is not known`, LEAST_PRIVILEGE_FIX);
    }
    // No S3 server stores "{" as a policy: confirm before alarming.
    const stored = await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }), { abortSignal: context.signal }).then(
      (answer) => answer.Policy,
      () => undefined,
    );
    const observed = [`PutBucketPolicy on ${bucket} with an invalid document: accepted`, `GetBucketPolicy: ${stored === undefined ? "not readable by the writer" : stored === INVALID_POLICY ? "the invalid document" : "another document"}`];
    if (stored === INVALID_POLICY) {
      return fail(observed, "the writer may change the bucket policy, and the server even stored an invalid document", `restore the bucket policy now (re-run \`pulumi up\`), then ${LEAST_PRIVILEGE_FIX}`);
    }
    return inconclusive(observed, "the server answered 200 to an invalid policy document, which no bucket-policy API does: the call went elsewhere (a proxy, or an object upload), so the writer's rights are not known", "check S3_ENDPOINT and any proxy in front of the storage");
  },
};
