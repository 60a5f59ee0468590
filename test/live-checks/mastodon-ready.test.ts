import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { stillStarting, waitForMastodon } from "../../live-checks/mastodon/ready";
import { hasMediaDelete, notFoundKind, parseMastodonVersion } from "../../live-checks/mastodon/version";

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve)))),
  );
});

function listen(port: number, handler: http.RequestListener): Promise<http.Server> {
  const server = http.createServer(handler);
  servers.push(server);
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

async function freePort(): Promise<number> {
  const server = await listen(0, () => undefined);
  const { port } = server.address() as AddressInfo;
  servers.splice(servers.indexOf(server), 1);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("waitForMastodon against a real server that starts late", () => {
  it("waits through refused connections and the proxy's 502, then passes on /health OK", async () => {
    const port = await freePort();
    const progress: string[] = [];
    let proxy502 = 3;
    // Nothing listens for 600 ms (puma not forked yet), then "nginx" answers 502 three times, then Mastodon.
    setTimeout(() => {
      void listen(port, (req, res) => {
        if (req.url !== "/health") res.writeHead(404).end();
        else if (proxy502-- > 0) res.writeHead(502, { "content-type": "text/html" }).end("<h1>502 Bad Gateway</h1>");
        else res.writeHead(200, { "content-type": "text/plain" }).end("OK");
      });
    }, 600);
    const result = await waitForMastodon(new URL(`http://127.0.0.1:${port}`), {
      signal: AbortSignal.timeout(20_000),
      pollMs: 150,
      maxMs: 15_000,
      progress: (line) => progress.push(line),
    });
    expect(result.ok).toBe(true);
    expect(result.observed).toEqual([
      expect.stringMatching(/^GET \/health: no answer \(ECONNREFUSED\) \(x\d+\)$/),
      "GET /health: 502 (x3)",
      "GET /health: 200",
    ]);
    expect(result.waitedMs).toBeGreaterThanOrEqual(500);
    expect(progress[0]).toMatch(
      /^ {2}waiting for Mastodon to start \(GET \/health: no answer \(ECONNREFUSED\)\); \d+ s left$/,
    );
    expect(progress.some((line) => line.includes("GET /health: 502"))).toBe(true);
  });

  it("gives up at its bound, saying what it saw", async () => {
    const server = await listen(0, (_req, res) => res.writeHead(503).end());
    const { port } = server.address() as AddressInfo;
    const result = await waitForMastodon(new URL(`http://127.0.0.1:${port}`), {
      signal: AbortSignal.timeout(10_000),
      pollMs: 100,
      maxMs: 700,
    });
    expect(result.ok).toBe(false);
    expect(result.observed).toEqual([expect.stringMatching(/^GET \/health: 503 \(x\d+\)$/)]);
    expect(result.last).toEqual({ status: 503 });
    expect(result.waitedMs).toBeLessThan(2_000);
  });

  it("stops at once on an answer that is not a restart (404: not Mastodon's /health)", async () => {
    const server = await listen(0, (_req, res) => res.writeHead(404).end("nope"));
    const { port } = server.address() as AddressInfo;
    const progress: string[] = [];
    const result = await waitForMastodon(new URL(`http://127.0.0.1:${port}`), {
      signal: AbortSignal.timeout(10_000),
      pollMs: 100,
      progress: (l) => progress.push(l),
    });
    expect(result).toMatchObject({ ok: false, observed: ["GET /health: 404"], last: { status: 404 } });
    expect(progress).toEqual([]);
  });

  it("counts 502, 503, 504 and refused or reset connections as still starting, nothing else", () => {
    for (const status of [502, 503, 504]) expect(stillStarting({ status })).toBe(true);
    for (const status of [200, 301, 404, 500]) expect(stillStarting({ status })).toBe(false);
    expect(stillStarting({ network: "ECONNREFUSED" })).toBe(true);
    expect(stillStarting({ network: "ECONNRESET" })).toBe(true);
    expect(stillStarting({ network: "ENOTFOUND" })).toBe(false);
  });
});

describe("Mastodon's version", () => {
  it("reads MAJOR.MINOR from the instance entity, with pre-release and build suffixes", () => {
    expect(parseMastodonVersion({ version: "4.3.8" })).toEqual({ text: "4.3.8", major: 4, minor: 3 });
    expect(parseMastodonVersion({ version: "4.5.0-beta.1" })).toMatchObject({ major: 4, minor: 5 });
    expect(parseMastodonVersion({ version: "4.4.2+glitch" })).toMatchObject({ major: 4, minor: 4 });
    expect(parseMastodonVersion({ version: "unknown" })).toBeUndefined();
    expect(parseMastodonVersion(undefined)).toBeUndefined();
  });

  it("has DELETE /api/v1/media/:id from 4.4 on", () => {
    const at = (text: string) => hasMediaDelete(parseMastodonVersion({ version: text })!);
    expect([at("4.3.23"), at("4.4.0"), at("4.5.15"), at("4.7.0-alpha.2"), at("5.0.0")]).toEqual([
      false,
      true,
      true,
      true,
      true,
    ]);
  });

  it("tells the catch-all route's 404 from an unknown record's", () => {
    expect(notFoundKind("Not Found")).toBe("no-route");
    expect(notFoundKind("Record not found")).toBe("no-record");
    expect(notFoundKind(undefined)).toBe("not-mastodon");
  });
});
