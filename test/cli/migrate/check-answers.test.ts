import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCopies, mediaType } from "../../../cli/migrate/check";
import type { VerifyTarget } from "../../../mastodon-env/target";
import { targetOf } from "../../helpers/target";

/**
 * How the check reads the new media host's answers (cli/migrate/check.ts), against one loopback server playing
 * both buckets path style: `lab-media` (the new storage) and `old-media` (an S3 source).
 * - A 403 to an anonymous GET is what S3 answers for an absent key when the reader may not list (S3 API
 *   reference, GetObject), so it was always reported "missing", with "run the same command again"; a re-run
 *   skips the key (same size) and the pass failed forever. The writer's HeadObject now tells the two apart.
 * - A source Content-Type with a parameter (`text/plain; charset=utf-8`) was compared whole against the served
 *   type stripped of its parameters: "different" for the same value.
 */

const REFUSED = "media_attachments/files/000/000/001/original/refused.png";
const ABSENT = "media_attachments/files/000/000/002/original/absent.png";
const TEXT = "site_uploads/files/000/000/003/original/notes.txt";
const BODY = "some bytes";
const TEXT_TYPE = "text/plain; charset=utf-8";

let server: http.Server;
let destination: VerifyTarget;
let oldBucket: VerifyTarget;
let root: string;

function target(bucket: string, host: string): VerifyTarget {
  return targetOf({
    S3_ENABLED: "true",
    S3_BUCKET: bucket,
    S3_REGION: "us-east-1",
    S3_ENDPOINT: `http://${host}`,
    S3_HOSTNAME: host,
    S3_PROTOCOL: "http",
    S3_PERMISSION: "",
    AWS_ACCESS_KEY_ID: "AKIAOLDKEYOLDKEY0000",
    AWS_SECRET_ACCESS_KEY: "oldSecretOldSecretOldSecretOldSecret0000",
  });
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "check-answers-"));
  for (const key of [REFUSED, ABSENT]) {
    await mkdir(path.dirname(path.join(root, key)), { recursive: true });
    await writeFile(path.join(root, key), BODY);
  }
  server = http.createServer((request, response) => {
    request.resume();
    const url = new URL(request.url ?? "/", "http://x");
    const [, bucket = "", ...rest] = url.pathname.split("/");
    const key = rest.map(decodeURIComponent).join("/");
    const signed = request.headers.authorization !== undefined;
    const present =
      (bucket === "lab-media" && (key === REFUSED || key === TEXT)) || (bucket === "old-media" && key === TEXT);
    const type = key === TEXT ? TEXT_TYPE : "image/png";
    if (!present) {
      // S3 without public s3:ListBucket: an anonymous reader gets 403 for an absent key, the writer 404.
      response.writeHead(signed ? 404 : 403).end();
      return;
    }
    if (key === REFUSED && !signed) {
      response.writeHead(403).end();
      return;
    }
    response
      .writeHead(200, { "content-type": type, "content-length": String(BODY.length) })
      .end(request.method === "HEAD" ? undefined : BODY);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  destination = target("lab-media", host);
  oldBucket = target("old-media", host);
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(root, { recursive: true, force: true });
});

describe("the check's reading of the media host's answers", () => {
  it("tells a refused object (403, the writer finds it) from a missing one (403, the writer finds nothing)", async () => {
    const listed = [REFUSED, ABSENT].map((key) => ({ key, size: BODY.length }));
    // A local source that still holds both (so neither counts as deleted in the source).
    const report = await checkCopies({ kind: "local", root }, listed, destination, { byteBound: 0 });
    expect(report.missing).toEqual([ABSENT]);
    expect(report.different).toEqual([
      `${REFUSED}: the media host answers 403 for an object that is there (public read does not cover it: \`npm run verify\` names why)`,
    ]);
  });

  it("compares Content-Types by media type, so a source's charset parameter is not a difference", async () => {
    const report = await checkCopies(
      { kind: "s3", target: oldBucket },
      [{ key: TEXT, size: BODY.length }],
      destination,
      { byteBound: 1e6 },
    );
    expect(report.different).toEqual([]);
    expect(report.compared).toBe(1);
  });

  it("mediaType drops parameters and case", () => {
    expect(mediaType("Text/Plain; charset=UTF-8")).toBe("text/plain");
    expect(mediaType("image/png")).toBe("image/png");
  });
});
