import type { S3Client } from "@aws-sdk/client-s3";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cacheBust, cacheState } from "../../live-checks/checks/cache-bust";
import { CHECKS } from "../../live-checks/registry";
import type { CheckContext } from "../../live-checks/check";
import { httpRequest } from "../../live-checks/io/http";
import { ProbeRegistry } from "../../live-checks/probes";
import { targetOf } from "../helpers/target";
import { BASE_ENV } from "../helpers/verify-fakes";

/**
 * The cache-bust check against three edges on loopback, real HTTP servers in front of one in-memory bucket (the
 * writer's PutObject and DeleteObject land in it): an edge that caches and honours Mastodon's bust request (the
 * contract of components/cache-buster.ts), one that caches and ignores it, and a plain server without cache status
 * headers. The real nginx edge in front of Ceph RGW is in test/e2e/.
 */
const SECRET = "exampleBustSecretExampleBustSecret";
const bucket = new Map<string, Buffer>();
const seenBusts: { method: string; header?: string; ua?: string; encoding?: string }[] = [];

function edge(kind: "honours" | "ignores" | "plain") {
  const cache = new Map<string, { status: number; body: Buffer }>();
  return http.createServer((req, res) => {
    const key = decodeURIComponent((req.url ?? "/").slice(1));
    const origin = () => {
      const body = bucket.get(key);
      return body ? { status: 200, body } : { status: 404, body: Buffer.from("NoSuchKey") };
    };
    const bust = req.headers["mastodon-cache-buster"] !== undefined;
    if (bust)
      seenBusts.push({
        method: req.method ?? "",
        header: req.headers["mastodon-cache-buster"] as string,
        ua: req.headers["user-agent"],
        encoding: req.headers["accept-encoding"],
      });
    if (kind === "plain") {
      const answer = origin();
      res.writeHead(answer.status, { "content-type": "image/png" });
      res.end(answer.body);
      return;
    }
    const cached = cache.get(key);
    if (cached && !(kind === "honours" && req.headers["mastodon-cache-buster"] === SECRET)) {
      res.writeHead(cached.status, { "x-cache-status": "HIT" });
      res.end(cached.body);
      return;
    }
    const answer = origin();
    cache.set(key, answer);
    res.writeHead(answer.status, { "x-cache-status": bust ? "BYPASS" : "MISS" });
    res.end(answer.body);
  });
}

const servers = { honours: edge("honours"), ignores: edge("ignores"), plain: edge("plain") };
const ports: Record<string, number> = {};
beforeAll(async () => {
  for (const [name, server] of Object.entries(servers)) {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    ports[name] = (server.address() as AddressInfo).port;
  }
});
afterAll(async () => {
  for (const server of Object.values(servers)) await new Promise((resolve) => server.close(resolve));
});

function context(edgeName: keyof typeof servers, buster: Record<string, string>): CheckContext {
  const target = targetOf({
    ...BASE_ENV,
    S3_PROTOCOL: "http",
    S3_ALIAS_HOST: `127.0.0.1:${ports[edgeName]}`,
    ...buster,
  });
  const s3 = {
    send: async (command: { constructor: { name: string }; input: { Key: string; Body?: Buffer } }) => {
      if (command.constructor.name === "PutObjectCommand") bucket.set(command.input.Key, command.input.Body as Buffer);
      if (command.constructor.name === "DeleteObjectCommand") bucket.delete(command.input.Key);
      return {};
    },
  } as unknown as S3Client;
  return {
    target,
    origin: "https://social.example.com",
    io: { s3, http: httpRequest, tls: async () => Promise.reject(new Error("unused")) },
    probes: new ProbeRegistry("example-social-media", undefined),
    state: { mediaServed: true, probe: { key: "k", body: Buffer.from("x"), contentType: "text/plain" } },
    hints: { cacheBustWaitSeconds: 2 },
    signal: new AbortController().signal,
    redact: (text) => text,
  };
}

const ON = {
  LOCAL_DOMAIN: "social.example.com",
  CACHE_BUSTER_ENABLED: "true",
  CACHE_BUSTER_SECRET_HEADER: "Mastodon-Cache-Buster",
  CACHE_BUSTER_SECRET: SECRET,
  CACHE_BUSTER_HTTP_METHOD: "GET",
};

describe("cache-bust", () => {
  it("is registered, after the checks that establish the probe and before writer-delete", () => {
    const ids = CHECKS.map((check) => check.id);
    expect(ids).toContain("cache-bust");
    expect(ids.indexOf("cache-bust")).toBeLessThan(ids.indexOf("writer-delete"));
    expect(ids.indexOf("cache-bust")).toBeGreaterThan(ids.indexOf("public-read"));
  });

  it("passes where the edge drops the deleted file on Mastodon's bust request, sent as Mastodon sends it", async () => {
    seenBusts.length = 0;
    const ctx = context("honours", ON);
    const outcome = await cacheBust.run(ctx);
    expect(outcome.status).toBe("pass");
    expect(outcome.observed.join("\n")).toMatch(
      /GET 2: 200, x-cache-status: HIT[\s\S]*before the bust: 200, x-cache-status: HIT[\s\S]*GET after the bust: 404/,
    );
    expect(seenBusts).toEqual([
      {
        method: "GET",
        header: SECRET,
        ua: expect.stringMatching(/^Mastodon\/[0-9.]+ \(http\.rb\/[0-9.]+; \+https:\/\/social\.example\.com\/\)$/),
        encoding: "gzip",
      },
    ]);
    expect(outcome.observed.join("\n")).not.toContain(SECRET);
    expect(ctx.probes.pending().keys).toEqual([]);
  });

  it("fails where the edge ignores the bust and keeps serving the deleted file, retryable on a new probe (a new edge may lag)", async () => {
    const ctx = context("ignores", ON);
    const outcome = await cacheBust.run(ctx);
    expect(outcome.status).toBe("fail");
    expect(outcome.cause).toContain("kept serving the deleted file");
    expect([cacheBust.retry, outcome.transient]).toEqual(["deadline", true]);
    expect(outcome.observed.join("\n")).toContain("/cache-bust-1.png");
    expect((await cacheBust.run(ctx)).observed.join("\n")).toContain("/cache-bust-2.png");
  });

  it("fails where the env's secret is not the edge's", async () => {
    const outcome = await cacheBust.run(
      context("honours", { ...ON, CACHE_BUSTER_SECRET: "anotherSecretAnotherSecret" }),
    );
    expect(outcome.status).toBe("fail");
  });

  it("is inconclusive, never a pass, where the answers carry no cache status header", async () => {
    const outcome = await cacheBust.run(context("plain", ON));
    expect(outcome.status).toBe("inconclusive");
    expect(outcome.cause).toContain("no cache status header");
  });

  it("is skipped where Mastodon sends no bust with a secret", async () => {
    expect((await cacheBust.run(context("honours", {}))).status).toBe("skip");
    expect((await cacheBust.run(context("honours", { ...ON, CACHE_BUSTER_ENABLED: "True" }))).status).toBe("skip");
    expect((await cacheBust.run(context("honours", { ...ON, CACHE_BUSTER_SECRET: "" }))).status).toBe("skip");
  });

  it("reads each edge's cache status header", () => {
    const state = (headers: Record<string, string>) =>
      cacheState({ status: 200, headers, body: Buffer.alloc(0) }).state;
    expect([
      state({ "x-cache": "Hit from cloudfront" }),
      state({ "x-cache": "Miss from cloudfront" }),
      state({ "cf-cache-status": "HIT" }),
      state({ "cf-cache-status": "DYNAMIC" }),
      state({ "x-cache-status": "HIT" }),
      state({}),
    ]).toEqual(["hit", "miss", "hit", "miss", "hit", "none"]);
  });
});
