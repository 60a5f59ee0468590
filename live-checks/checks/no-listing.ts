import { describeResponse, errorCode, type HttpResponse } from "../io/http";
import { apiObjectUrl } from "../../mastodon-env/target";
import { defineCheck, fail, inconclusive, pass } from "../check";

/** True when a body is an S3 listing of keys or buckets. */
export function isListing(response: HttpResponse): boolean {
  return (
    response.status === 200 &&
    /<(ListBucketResult|ListAllMyBucketsResult)[\s>]/.test(response.body.toString("utf8", 0, 65_536))
  );
}

export const noListing = defineCheck({
  id: "no-listing",
  title: "nobody can list the bucket anonymously, at the media host's root or on the API",
  async run(context) {
    const urls = [
      ...new Set([`${context.target.mediaBase.href.replace(/\/$/, "")}/`, apiObjectUrl(context.target, "")]),
    ];
    const observed: string[] = [];
    const listed: string[] = [];
    for (const url of urls) {
      let response: HttpResponse;
      try {
        response = await context.io.http(url, { signal: context.signal });
      } catch (error) {
        observed.push(`GET ${url}: ${errorCode(error)} (no listing)`);
        continue;
      }
      const listing = isListing(response);
      observed.push(`GET ${url}: ${describeResponse(response)}${listing ? ", an S3 listing of keys" : ""}`);
      if (listing) listed.push(url);
    }
    if (listed.length === 0 && observed.every((line) => / 404 NoSuchBucket$/.test(line))) {
      return inconclusive(
        observed,
        "every answer was 404 NoSuchBucket: the bucket does not exist at these hosts, so whether it can be listed was not tested",
        "fix the bucket, endpoint or media host first (see writer-upload and public-read), then run verify again",
      );
    }
    if (listed.length === 0) return pass(...observed);
    return fail(
      observed,
      `anyone can list every key at ${listed.join(" and ")}, including the names of user archives under backups/: the bucket ACL is public-read (Spaces "file listing: public") or a bucket policy grants s3:ListBucket to everyone`,
      "make the bucket private and grant anonymous s3:GetObject on the public prefixes only: re-run `pulumi up`",
    );
  },
});
