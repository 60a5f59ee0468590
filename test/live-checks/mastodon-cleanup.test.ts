import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { CheckContext } from "../../live-checks/check";
import { MastodonRoundTrip } from "../../live-checks/mastodon/round-trip";

/**
 * The round trip's cleanup (after an interrupted run) against a real loopback server playing a Mastodon whose
 * version verify could not read: which DELETE answers mean "gone", "left to Mastodon's vacuum" or "left".
 */
const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve)))),
  );
});

async function mastodon(deleteAnswer: { status: number; body: string; type?: string }): Promise<URL> {
  const server = http.createServer((req, res) => {
    if (req.url === "/health") return void res.writeHead(200, { "content-type": "text/plain" }).end("OK");
    if (req.url === "/api/v2/instance")
      return void res.writeHead(404, { "content-type": "text/html" }).end("<h1>blocked</h1>");
    if (req.method === "POST" && req.url === "/api/v2/media") {
      req.resume();
      return void res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          id: "113",
          type: "image",
          url: "https://files.example.com/a.png",
          preview_url: "https://files.example.com/b.png",
        }),
      );
    }
    if (req.method === "DELETE" && req.url === "/api/v1/media/113") {
      return void res
        .writeHead(deleteAnswer.status, { "content-type": deleteAnswer.type ?? "application/json" })
        .end(deleteAnswer.body);
    }
    res.writeHead(404, { "content-type": "application/json" }).end('{"error":"Not Found"}');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

/** Runs mastodon-ready and mastodon-upload, then the cleanup an interrupted run does. */
async function uploadThenCleanUp(url: URL) {
  const roundTrip = new MastodonRoundTrip({ url, token: "token-for-the-test" }, () => []);
  const context = { signal: new AbortController().signal } as CheckContext;
  const [ready, upload] = roundTrip.checks();
  expect((await ready!.run(context)).status).toBe("pass");
  expect((await upload!.run(context)).status).toBe("pass");
  const leftover = await roundTrip.cleanup(AbortSignal.timeout(5_000));
  return { leftover, handedOver: roundTrip.handedOver() };
}

describe("MastodonRoundTrip.cleanup", () => {
  it("reports the upload as left to Mastodon's vacuum on the catch-all route's 404 'Not Found' (4.3), not as gone", async () => {
    const result = await uploadThenCleanUp(await mastodon({ status: 404, body: '{"error":"Not Found"}' }));
    expect(result.leftover).toEqual([]);
    expect(result.handedOver).toEqual([
      expect.stringMatching(/^Mastodon media attachment 113 \(unattached\): Mastodon's daily vacuum/),
    ]);
  });

  it("counts 404 'Record not found' as gone", async () => {
    expect(await uploadThenCleanUp(await mastodon({ status: 404, body: '{"error":"Record not found"}' }))).toEqual({
      leftover: [],
      handedOver: [],
    });
  });

  it("lists the upload as left, with the answer, on a 404 that is not Mastodon's (HTML) and on a 5xx", async () => {
    const html = await uploadThenCleanUp(
      await mastodon({ status: 404, body: "<h1>Not Found</h1>", type: "text/html" }),
    );
    expect(html).toEqual({
      leftover: [
        expect.stringMatching(
          /^Mastodon media attachment 113 \(unattached; DELETE \/api\/v1\/media\/113 answered 404\): /,
        ),
      ],
      handedOver: [],
    });
    const error = await uploadThenCleanUp(
      await mastodon({ status: 500, body: '{"status":500,"error":"Internal Server Error"}' }),
    );
    expect(error.leftover).toEqual([expect.stringContaining('answered 500 "Internal Server Error"')]);
  });
});
