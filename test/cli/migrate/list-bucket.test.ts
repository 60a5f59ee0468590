import { afterEach, describe, expect, it } from "vitest";
import { listBucketStream, type ListCounter } from "../../../cli/migrate/listing";
import { listenOnLoopback } from "../../helpers/loopback-server";
import { loopbackS3Env, targetOf } from "../../helpers/target";

/**
 * listBucketStream against a loopback HTTP server answering ListObjectsV2 pages (S3 API reference,
 * ListObjectsV2: `IsTruncated`, `NextContinuationToken`), two keys a page: keys in order, pages counted, and
 * the next page asked for while the current one is consumed (issue #23: a million keys are a thousand round
 * trips, each 100 ms or more on a remote provider).
 */

const PAGES = [
  ["a.jpg", "b.jpg"],
  ["c.jpg", "d.jpg"],
  ["e.jpg", "f.jpg"],
];

interface Server {
  url: string;
  /** The continuation tokens asked for, in order ("" for the first page). */
  asked: string[];
  close: () => Promise<void>;
}

let server: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function listingServer(): Promise<Server> {
  const asked: string[] = [];
  const { url, close } = await listenOnLoopback((request, response) => {
    request.resume();
    const token = new URL(request.url ?? "/", "http://x").searchParams.get("continuation-token") ?? "";
    asked.push(token);
    const index = token ? Number(token.replace("page-", "")) : 0;
    const keys = PAGES[index]!;
    const last = index === PAGES.length - 1;
    response
      .writeHead(200, { "content-type": "application/xml" })
      .end(
        '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
          `<Name>lab-media</Name><Prefix>social/</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys>` +
          `<IsTruncated>${!last}</IsTruncated>${last ? "" : `<NextContinuationToken>page-${index + 1}</NextContinuationToken>`}` +
          keys
            .map(
              (key) =>
                `<Contents><Key>social/${key}</Key><Size>3</Size><ETag>&quot;0123456789abcdef0123456789abcdef&quot;</ETag></Contents>`,
            )
            .join("") +
          "</ListBucketResult>",
      );
  });
  return { url, asked, close };
}

function targetAt(url: string) {
  return targetOf(loopbackS3Env(url, { S3_KEY_PREFIX: "social" }));
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe("listBucketStream", () => {
  it("yields every key under the prefix in order, with sizes and unquoted ETags, and counts the pages", async () => {
    server = await listingServer();
    const counter: ListCounter = { pages: 0 };
    const keys: string[] = [];
    for await (const entry of listBucketStream(targetAt(server.url), counter)) {
      expect(entry).toMatchObject({ size: 3, etag: "0123456789abcdef0123456789abcdef" });
      keys.push(entry.key);
    }
    expect(keys).toEqual(PAGES.flat());
    expect(counter.pages).toBe(3);
    expect(server.asked).toEqual(["", "page-1", "page-2"]);
  });

  it("asks for the next page while the current one is consumed, one page ahead only", async () => {
    server = await listingServer();
    const listing = listBucketStream(targetAt(server.url));
    expect((await listing.next()).value).toMatchObject({ key: "a.jpg" });
    await settle();
    expect(server.asked).toEqual(["", "page-1"]);
    expect((await listing.next()).value).toMatchObject({ key: "b.jpg" });
    await settle();
    expect(server.asked).toEqual(["", "page-1"]);
    expect((await listing.next()).value).toMatchObject({ key: "c.jpg" });
    await settle();
    expect(server.asked).toEqual(["", "page-1", "page-2"]);
    await listing.return(undefined);
  });

  it("stops cleanly when the consumer stops with a page still on its way", async () => {
    server = await listingServer();
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", record);
    try {
      for await (const entry of listBucketStream(targetAt(server.url))) {
        if (entry.key === "a.jpg") break;
      }
      await settle();
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", record);
    }
  });
});
