import { formatFailure } from "../io/s3";
import { effectiveAcl, writerS3 } from "../writer-headers";
import { MultipartStepFailed, uploadLikeMastodon } from "../upload";
import { defineCheck, pass, skip } from "../check";
import { MAX_MULTIPART_PROBE_BYTES, describeUpload, multipartFailure } from "../upload";

export const writerMultipart = defineCheck({
  id: "writer-multipart",
  title: "an upload at S3_MULTIPART_THRESHOLD goes multipart, as Mastodon's uploads of large media do",
  needs: ["probe"],
  async run(context) {
    const threshold = context.target.multipartThresholdBytes;
    if (context.state.uploadWasMultipart)
      return pass(
        `writer-upload already went multipart (its probe is at least S3_MULTIPART_THRESHOLD, ${threshold} bytes) and succeeded`,
      );
    if (threshold > MAX_MULTIPART_PROBE_BYTES) {
      return skip(
        `not tested: S3_MULTIPART_THRESHOLD is ${threshold} bytes, above the ${MAX_MULTIPART_PROBE_BYTES}-byte probe verify sends`,
      );
    }
    const key = context.probes.key("media_attachments/", "multipart.bin");
    const body = Buffer.alloc(threshold, 0x6d);
    const line = `${describeUpload(context, body.length)} ${key}`;
    try {
      await uploadLikeMastodon(context, { key, body, acl: effectiveAcl(context), s3: writerS3(context) });
      return pass(`${line}: 200`);
    } catch (error) {
      if (error instanceof MultipartStepFailed)
        return multipartFailure(context, [`${line}: ${error.step} ${formatFailure(error.failure)}`], error);
      throw error;
    }
  },
});
