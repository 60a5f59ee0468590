import { exists } from "../probes";
import { writerS3 } from "../writer-headers";
import { s3Failure } from "../writer";
import { defineCheck, fail, inconclusive, pass } from "../check";
import { anonymousUrls, anonymously } from "../anonymous";

export const noAnonymousDelete = defineCheck({
  id: "no-anonymous-delete",
  title: "anonymous deletes are refused and the probe survives them",
  needs: ["probe"],
  async run(context) {
    const probe = context.state.probe!;
    const attempts = [];
    for (const url of anonymousUrls(context.target, probe.key))
      attempts.push(await anonymously(context, "DELETE", url));
    const observed = attempts.map((attempt) => attempt.line);
    let survived: boolean;
    try {
      const presence = await exists(writerS3(context), context.target.facts.bucket, probe.key, context.signal);
      // A writer that read the probe gets 200 for it while it exists: its 403 (no ListBucket) means it is gone.
      if (presence === "hidden" && !context.state.readOk) {
        observed.push(
          "HEAD by the writer afterwards: 403 (the writer may not list, and could not read the probe either)",
        );
        return inconclusive(
          observed,
          "whether the probe survived cannot be seen: the writer can neither list nor read it",
          "grant the writer s3:GetObject and s3:ListBucket (writer-read and writer-list say which is missing)",
        );
      }
      survived = presence === "present";
      observed.push(
        `HEAD by the writer afterwards: ${survived ? "200, still there" : presence === "hidden" ? "403 for a key it could read before: gone" : "404, gone"}`,
      );
    } catch (error) {
      return s3Failure(context, error, "HEAD by the writer after the anonymous DELETE", "s3:GetObject");
    }
    if (survived && !attempts.some((attempt) => attempt.succeeded)) return pass(...observed);
    return fail(
      observed,
      "anyone can delete media: the bucket ACL is public-read-write, a bucket policy grants s3:DeleteObject to everyone, or the CDN forwards DELETE",
      "make the bucket private and allow only GET and HEAD on the media host: re-run `pulumi up`",
    );
  },
});
