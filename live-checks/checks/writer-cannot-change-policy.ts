import { isSpacesEndpoint } from "../acl-mode";
import { GetBucketPolicyCommand, PutBucketPolicyCommand } from "@aws-sdk/client-s3";
import { describeFailure, formatFailure, md5InsteadOfChecksums } from "../io/s3";
import { writerS3 } from "../writer-headers";
import { defineCheck, fail, inconclusive, pass } from "../check";
import { LEAST_PRIVILEGE_FIX, misrouted, refused } from "../bucket-calls";

/**
 * Sends a document that is not even JSON, so that nothing can change whatever the answer: servers check
 * authorization first (403) and parse second (400 MalformedPolicy; Ceph RGW: InvalidArgument), so such a 400
 * means the writer was allowed. The document goes with Content-MD5 and without the CRC32 checksum headers, so that a
 * server refusing those headers (400 InvalidArgument on B2) cannot be read as "authorized".
 */
export const INVALID_POLICY = "{";

const POLICY_PARSE_CODES = ["MalformedPolicy", "InvalidPolicyDocument", "InvalidArgument", "MalformedPolicyDocument"];

export const writerCannotChangePolicy = defineCheck({
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
      return inconclusive(
        [observed],
        `the server answered ${failure.code}, which is neither a refusal nor a policy-parsing error: whether the writer may change the policy is not known`,
        LEAST_PRIVILEGE_FIX,
      );
    }
    // No S3 server stores "{" as a policy: confirm before alarming.
    const stored = await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }), { abortSignal: context.signal }).then(
      (answer) => answer.Policy,
      () => undefined,
    );
    const observed = [
      `PutBucketPolicy on ${bucket} with an invalid document: accepted`,
      `GetBucketPolicy: ${stored === undefined ? "not readable by the writer" : stored === INVALID_POLICY ? "the invalid document" : "another document"}`,
    ];
    if (stored === INVALID_POLICY) {
      return fail(
        observed,
        "the writer may change the bucket policy, and the server even stored an invalid document",
        `restore the bucket policy now (re-run \`pulumi up\`), then ${LEAST_PRIVILEGE_FIX}`,
      );
    }
    return inconclusive(
      observed,
      "the server answered 200 to an invalid policy document, which no bucket-policy API does: the call went elsewhere (a proxy, or an object upload), so the writer's rights are not known",
      "check S3_ENDPOINT and any proxy in front of the storage",
    );
  },
});
