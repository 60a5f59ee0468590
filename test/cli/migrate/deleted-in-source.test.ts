import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCopies } from "../../../cli/migrate/check";
import { checkPassed, type PassCheck } from "../../../cli/migrate/pass-check";
import { publiclyReadable } from "../../../cli/migrate/source-acl";
import { writerClient } from "../../../live-checks/io/s3";
import type { CopySource } from "../../../cli/migrate/rclone";
import type { VerifyTarget } from "../../../mastodon-env/target";
import { listenOnLoopback, type LoopbackServer } from "../../helpers/loopback-server";
import { loopbackS3Env, OLD_BUCKET_KEY, targetOf } from "../../helpers/target";

/**
 * Mastodon deletes media while a pass runs (deleted statuses, `tootctl media remove`, account deletions,
 * takedowns). rclone given a deleted key in `--files-from-raw` skips it and exits 0, so the check finds it absent
 * in the destination. Was: reported "missing" (exit 1, "run the same command again"), and a key deleted after its
 * copy made the byte comparison throw (ENOENT, or the S3 source's 404 as a refused read). Now the check asks the
 * source (cli/migrate/source-gone.ts) and counts such keys apart. A real local tree, and one loopback server playing
 * both buckets path style: `lab-media` (the new media host) and `old-media` (an S3 source), each answering 404
 * (with S3's NoSuchKey document on GET: S3 API reference, "Error responses") for a key it does not hold.
 */

const KEPT = "media_attachments/files/000/000/001/original/kept.png";
const DELETED = "media_attachments/files/000/000/002/original/deleted.png";
const COPIED_THEN_DELETED = "cache/media_attachments/files/000/000/003/original/copied.png";
const NOT_COPIED = "accounts/avatars/000/000/004/original/missing.png";
const BODY = "png bytes";

let server: LoopbackServer;
let root: string;
let destination: VerifyTarget;
let oldBucket: VerifyTarget;
const buckets: Record<string, Set<string>> = {
  "lab-media": new Set([KEPT, COPIED_THEN_DELETED]),
  "old-media": new Set([KEPT, NOT_COPIED]),
};

const target = (bucket: string, url: string): VerifyTarget =>
  targetOf(loopbackS3Env(url, { S3_BUCKET: bucket, ...OLD_BUCKET_KEY }));

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "deleted-in-source-"));
  for (const key of [KEPT, NOT_COPIED]) {
    await mkdir(path.dirname(path.join(root, key)), { recursive: true });
    await writeFile(path.join(root, key), BODY);
  }
  server = await listenOnLoopback((request, response) => {
    request.resume();
    const url = new URL(request.url ?? "/", "http://x");
    const [, bucket = "", ...rest] = url.pathname.split("/");
    const key = rest.map(decodeURIComponent).join("/");
    if (buckets[bucket]?.has(key)) {
      response
        .writeHead(200, { "content-type": "image/png", "content-length": String(BODY.length) })
        .end(request.method === "HEAD" ? undefined : BODY);
      return;
    }
    response.writeHead(404, { "content-type": "application/xml" });
    response.end(
      request.method === "HEAD"
        ? undefined
        : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${key}</Key><RequestId>1</RequestId></Error>`,
    );
  });
  destination = target("lab-media", server.url);
  oldBucket = target("old-media", server.url);
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

const listed = [KEPT, DELETED, COPIED_THEN_DELETED, NOT_COPIED].map((key) => ({ key, size: BODY.length }));
const sources = (): Array<[string, CopySource]> => [
  ["a local tree", { kind: "local", root }],
  ["an S3 source", { kind: "s3", target: oldBucket }],
];

describe("keys Mastodon deleted in the source during a pass", () => {
  for (const byteBound of [1_000_000, 0]) {
    const how = byteBound ? "bytes compared" : "HEAD only";
    it(`are counted apart, not missing nor different (${how})`, async () => {
      for (const [name, source] of sources()) {
        const report = await checkCopies(source, listed, destination, { byteBound });
        expect(report.missing, name).toEqual([NOT_COPIED]);
        expect(report.different, name).toEqual([]);
        expect(report.deletedInSource, name).toEqual([DELETED]);
        // A local source's HEAD-only check does not read the source of a key the destination has.
        const afterCopy = byteBound || source.kind === "s3" ? [COPIED_THEN_DELETED] : [];
        expect(report.deletedAfterCopy, name).toEqual(afterCopy);
        expect(report.checked, name).toBe(4);
      }
    });
  }

  it("do not fail the pass; a key the source still holds does", async () => {
    const report = await checkCopies({ kind: "local", root }, listed.slice(0, 3), destination, { byteBound: 1e6 });
    const check: PassCheck = {
      report,
      vouched: 0,
      fetchedCopied: 3,
      relistPages: 0,
      unconfirmed: 0,
      sample: { keys: 0, localUploads: 0, remoteCopies: 0 },
    };
    expect(report.deletedInSource).toEqual([DELETED]);
    expect(checkPassed(check)).toBe(true);
    const withMissing = await checkCopies({ kind: "local", root }, listed, destination, { byteBound: 1e6 });
    expect(checkPassed({ ...check, report: withMissing })).toBe(false);
  });

  it("are not a failed ACL read (object-ACL mode reads the source's ACLs): private, the safe side", async () => {
    const client = writerClient(oldBucket);
    try {
      // GetObjectAcl answers NoSuchKey: the key was deleted since the listing.
      expect(await publiclyReadable(client, oldBucket, DELETED)).toBe(false);
    } finally {
      client.destroy();
    }
  });
});
