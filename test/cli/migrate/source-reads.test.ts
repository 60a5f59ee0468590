import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCopies } from "../../../cli/migrate/check";
import { RequestFailed, sourceSide, storageProblem } from "../../../cli/migrate/storage-problem";
import type { VerifyTarget } from "../../../mastodon-env/target";
import { listenOnLoopback, type LoopbackServer } from "../../helpers/loopback-server";
import { loopbackS3Env, OLD_BUCKET_KEY, targetOf } from "../../helpers/target";

/**
 * The check's reads of an S3 source (cli/migrate/check.ts: GetObject to compare bytes, HeadObject for the
 * Content-Type), refused by the old bucket's key: thrown as RequestFailed naming the request, which run.ts turns
 * into one line naming the source and what its key needs (s3:GetObject), never pulumi up. Was: the SDK's error
 * went out as a stack trace (exit 3). One loopback server plays both buckets: `old-media` refuses every read
 * with S3's AccessDenied document (S3 API reference, "Error responses"), `lab-media` serves the copy.
 */

let server: LoopbackServer;
let source: VerifyTarget;
let destination: VerifyTarget;
const KEY = "media_attachments/files/000/000/001/original/a.png";

const target = (bucket: string, url: string): VerifyTarget =>
  targetOf(loopbackS3Env(url, { S3_BUCKET: bucket, ...OLD_BUCKET_KEY }));

beforeAll(async () => {
  server = await listenOnLoopback((request, response) => {
    request.resume();
    if (request.url?.startsWith("/lab-media/")) {
      response
        .writeHead(200, { "content-type": "image/png", "content-length": "1" })
        .end(request.method === "HEAD" ? undefined : "x");
      return;
    }
    response.writeHead(403, { "content-type": "application/xml" });
    response.end(
      request.method === "HEAD"
        ? undefined
        : '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>1</RequestId></Error>',
    );
  });
  source = target("old-media", server.url);
  destination = target("lab-media", server.url);
});
afterAll(() => server.close());

async function refusal(byteBound: number): Promise<RequestFailed> {
  const error = await checkCopies({ kind: "s3", target: source }, [{ key: KEY, size: 1 }], destination, {
    byteBound,
  }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(RequestFailed);
  return error as RequestFailed;
}

describe("the check's reads of an S3 source, refused", () => {
  it("GetObject (bytes compared): names the key, s3:GetObject and the source's fix", async () => {
    const failed = await refusal(1_000);
    expect(failed.target).toBe(source);
    expect(failed.request).toEqual({ operation: "GetObject", action: "s3:GetObject", key: KEY });
    const message = storageProblem(sourceSide("old.env", source, destination), failed.error, failed.request).message;
    expect(message).toContain(`--from-env old.env: GetObject on old-media/${KEY} failed (403 AccessDenied`);
    expect(message).toContain("the key (AWS_ACCESS_KEY_ID) may not s3:GetObject here");
    expect(message).not.toContain("the writer");
    expect(message).toContain(
      "give the key (AWS_ACCESS_KEY_ID) s3:ListBucket on the bucket old-media, s3:GetObject on old-media/*",
    );
    expect(message).not.toContain("pulumi");
    expect(message).not.toContain("oldSecretOldSecret");
  });

  it("HeadObject (no bytes compared, the Content-Type read): s3:GetObject too", async () => {
    const failed = await refusal(0);
    expect(failed.request).toEqual({ operation: "HeadObject", action: "s3:GetObject", key: KEY });
  });
});
