import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Miniflare, Response as MiniflareResponse, type Request as MiniflareRequest } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CACHE_BUSTER_HEADER } from "../../../components/cache-buster";
import {
  BINDING_NAMES,
  cacheBusterWorkerSource,
  WORKER_COMPATIBILITY_DATE,
  WORKER_MAIN_MODULE,
} from "../../../providers/cloudflare/cache-buster-worker";

/**
 * The cache buster Worker in the real Workers runtime (workerd, through miniflare), with its outbound requests
 * sent to two local HTTP servers: one standing in for Cloudflare's API (it checks the purge request: method,
 * path, token, body) and one for the media host's origin (the R2 custom domain behind the zone's cache).
 */
const SECRET = "Q7mZ0pX3vB9sK2dL5nR8tY1wE4gH6jC0aF3kM5qS7uV9xZ2b";
const TOKEN = "mock-cache-purge-token-EXAMPLE";
const ZONE = "fedcba9876543210fedcba9876543210";
const MEDIA_URL = "https://files.example.com/media_attachments/files/109/348/795/826/151/409/original/0a1b2c3d4e5f.png";

interface Seen {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function recordingServer(seen: Seen[], answer: (request: Seen) => { status: number; body: string }): Server {
  return createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const entry = { method: request.method ?? "", path: request.url ?? "", headers: request.headers, body };
      seen.push(entry);
      const { status, body: text } = answer(entry);
      response.writeHead(status, { "content-type": "application/json" });
      response.end(text);
    });
  });
}

const listen = (server: Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );

describe("the cache buster Worker (workerd via miniflare, local Cloudflare API and origin)", () => {
  const api: Seen[] = [];
  const origin: Seen[] = [];
  let apiStatus = 200;
  const apiServer = recordingServer(api, () => ({
    status: apiStatus,
    body: JSON.stringify({
      success: apiStatus === 200,
      errors: [],
      messages: [],
      result: { id: "9a7806061c88ada191ed06f989cc3dac" },
    }),
  }));
  const originServer = recordingServer(origin, () => ({ status: 200, body: "the cached image" }));
  let mf: Miniflare;

  beforeAll(async () => {
    const [apiPort, originPort] = await Promise.all([listen(apiServer), listen(originServer)]);
    mf = new Miniflare({
      modules: [{ type: "ESModule", path: WORKER_MAIN_MODULE, contents: cacheBusterWorkerSource() }],
      compatibilityDate: WORKER_COMPATIBILITY_DATE,
      bindings: {
        [BINDING_NAMES.header]: CACHE_BUSTER_HEADER,
        [BINDING_NAMES.secret]: SECRET,
        [BINDING_NAMES.zoneId]: ZONE,
        [BINDING_NAMES.token]: TOKEN,
      },
      // Every subrequest of the Worker: Cloudflare's API to its stand-in, everything else to the origin.
      outboundService: async (request: MiniflareRequest) => {
        const url = new URL(request.url);
        const port = url.hostname === "api.cloudflare.com" ? apiPort : originPort;
        const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.text();
        const headers = new Headers([...request.headers]);
        headers.set("x-original-url", request.url);
        const response = await fetch(`http://127.0.0.1:${port}${url.pathname}${url.search}`, {
          method: request.method,
          headers,
          body,
        });
        return new MiniflareResponse(await response.text(), {
          status: response.status,
          headers: [...response.headers],
        });
      },
    });
    await mf.ready;
  });
  afterAll(async () => {
    await mf?.dispose();
    await Promise.all([apiServer, originServer].map((server) => new Promise((resolve) => server.close(resolve))));
  });

  const request = (headers: Record<string, string> = {}) => mf.dispatchFetch(MEDIA_URL, { headers });

  it("passes an ordinary media request through to the origin, untouched, and calls no API", async () => {
    api.length = 0;
    origin.length = 0;
    const response = await request({ "user-agent": "Mastodon/4.5", origin: "https://social.example.com" });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("the cached image");
    expect(api).toEqual([]);
    expect(origin).toHaveLength(1);
    expect(origin[0]?.headers["x-original-url"]).toBe(MEDIA_URL);
    expect(origin[0]?.headers.origin).toBe("https://social.example.com");
  });

  it("treats a wrong secret (other value, other length) as an ordinary request", async () => {
    api.length = 0;
    origin.length = 0;
    for (const value of [SECRET.replace(/.$/, "X"), SECRET.slice(2), ""]) {
      const response = await request({ [CACHE_BUSTER_HEADER]: value });
      expect(await response.text()).toBe("the cached image");
    }
    expect(api).toEqual([]);
    expect(origin).toHaveLength(3);
  });

  it("purges the URL of Mastodon's bust request through the API, with the zone's purge token, and never serves the cached copy", async () => {
    api.length = 0;
    origin.length = 0;
    const response = await request({ [CACHE_BUSTER_HEADER]: SECRET, "user-agent": "Mastodon/4.5" });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(origin).toEqual([]);
    expect(api).toHaveLength(1);
    expect(api[0]).toMatchObject({ method: "POST", path: `/client/v4/zones/${ZONE}/purge_cache` });
    expect(api[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(api[0]?.body ?? "")).toEqual({ files: [MEDIA_URL] });
  });

  it("answers 502 when Cloudflare refuses the purge (a token without Cache Purge)", async () => {
    apiStatus = 403;
    try {
      const response = await request({ [CACHE_BUSTER_HEADER]: SECRET });
      expect(response.status).toBe(502);
    } finally {
      apiStatus = 200;
    }
  });
});
