import { defineCheck, fail, inconclusive, pass } from "../check";
import { NO_BUCKET, NO_BUCKET_FIX, anonymousUrls, anonymously, noBucket } from "../anonymous";

export const noAnonymousWrite = defineCheck({
  id: "no-anonymous-write",
  title: "anonymous uploads are refused, on the media host and on the API",
  async run(context) {
    const key = context.probes.key("media_attachments/", "anonymous-put.txt");
    // Tracked first: if the server wrongly accepts it, the cleanup removes it; refused, it never existed.
    context.probes.trackKey(key);
    const attempts = [];
    for (const url of anonymousUrls(context.target, key)) {
      attempts.push(
        await anonymously(context, "PUT", url, {
          body: "anonymous write probe\n",
          headers: { "content-type": "text/plain" },
        }),
      );
    }
    const observed = attempts.map((attempt) => attempt.line);
    if (attempts.some((attempt) => attempt.succeeded)) context.probes.confirmKey(key);
    else if (attempts.every((attempt) => attempt.answered)) context.probes.refusedKey(key);
    if (noBucket(observed)) return inconclusive(observed, NO_BUCKET, NO_BUCKET_FIX);
    if (!attempts.some((attempt) => attempt.succeeded)) return pass(...observed);
    return fail(
      observed,
      "anyone can upload or overwrite media: the bucket ACL is public-read-write, a bucket policy grants s3:PutObject to everyone, or the CDN forwards writes",
      "make the bucket private and allow only GET and HEAD on the media host: re-run `pulumi up`",
    );
  },
});
