import { GetObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { describeFailure, formatFailure } from "../io/s3";
import { headerRefusal, writerS3 } from "../writer-headers";
import { MASTODON_CACHE_CONTROL } from "../upload";
import { defineCheck, fail, pass } from "../check";
import { CREDENTIAL_RETRY_SECONDS, s3Failure } from "../writer";

export const writerRead = defineCheck({
  id: "writer-read",
  title: "the writer reads the probe back as Mastodon downloads it: same bytes, Content-Type and Cache-Control kept",
  needs: ["probe"],
  retry: CREDENTIAL_RETRY_SECONDS,
  async run(context) {
    const probe = context.state.probe!;
    const { bucket } = context.target.facts;
    const s3 = writerS3(context);
    const observed: string[] = [];
    // aws-sdk-s3's download_file (Paperclip's copy_to_local_file) first sends HEAD ?partNumber=1 to size the
    // download; S3_FORCE_SINGLE_REQUEST=true replaces it by one GET (paperclip.rb, mastodon/mastodon#16822, #26394).
    if (!context.target.forceSingleRequest) {
      try {
        await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: probe.key, PartNumber: 1 }), {
          abortSignal: context.signal,
        });
        observed.push(`HEAD ${probe.key}?partNumber=1 (what the SDK's download_file sends first): 200`);
      } catch (error) {
        const failure = describeFailure(error, context.redact);
        observed.push(
          `HEAD ${probe.key}?partNumber=1 (what the SDK's download_file sends first): ${formatFailure(failure)}`,
        );
        if (headerRefusal(failure)) {
          return fail(
            observed,
            "the server refuses the HEAD with partNumber that the AWS SDK's download_file sends before every download: video processing, media copies and archive exports fail",
            "add S3_FORCE_SINGLE_REQUEST=true (downloads then use one plain GET)",
          );
        }
        return s3Failure(context, error, `HEAD ${probe.key}?partNumber=1`, "s3:GetObject");
      }
    }
    try {
      const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: probe.key }), {
        abortSignal: context.signal,
      });
      const bytes = Buffer.from((await answer.Body?.transformToByteArray()) ?? []);
      observed.push(
        `GET ${probe.key}: 200, ${bytes.length} bytes, Content-Type: ${answer.ContentType ?? "(none)"}, Cache-Control: ${answer.CacheControl ?? "(none)"}`,
      );
      if (!bytes.equals(probe.body)) {
        return fail(
          observed,
          "the server returned other bytes than were uploaded",
          "check for a proxy or gateway that rewrites objects",
        );
      }
      if (answer.CacheControl !== MASTODON_CACHE_CONTROL) {
        return fail(
          observed,
          "the server does not keep the Cache-Control header Mastodon uploads with: browsers and CDNs will re-fetch media instead of caching it",
          "use a server that stores object metadata (every S3 provider here does; check proxies that strip headers)",
        );
      }
      context.state.readOk = true;
      return pass(...observed);
    } catch (error) {
      return s3Failure(context, error, `GET ${probe.key}`, "s3:GetObject");
    }
  },
});
