import type { S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { corsAfterCache, IMAGE_PROBE, IMAGE_PROBE_TYPE } from "../../live-checks/checks/cors-after-cache";
import { httpsRedirect, stackControlsPlainHttp } from "../../live-checks/checks/https-redirect";
import { CHECKS } from "../../live-checks/registry";
import type { CheckContext } from "../../live-checks/check";
import type { HttpRequest, HttpResponse } from "../../live-checks/io/http";
import { ProbeRegistry } from "../../live-checks/probes";
import { targetOf } from "../helpers/target";
import { BASE_ENV } from "../helpers/verify-fakes";

const AWS_ENV = BASE_ENV;
const R2_ENV = {
  ...AWS_ENV,
  S3_REGION: "auto",
  S3_ENDPOINT: "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
  S3_HOSTNAME: "0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
};
const SPACES_ENV = {
  ...AWS_ENV,
  S3_REGION: "nyc3",
  S3_ENDPOINT: "https://nyc3.digitaloceanspaces.com",
  S3_HOSTNAME: "nyc3.digitaloceanspaces.com",
};
const ORIGIN = "https://social.example.com";
const PROBE = {
  key: "media_attachments/mastodon-media-verify/run/probe.txt",
  body: Buffer.from("probe\n"),
  contentType: "text/plain",
};

const response = (status: number, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers,
  body: Buffer.alloc(0),
});

/**
 * A context over fake I/O. `http` answers like a CDN that caches by URL and ignores Vary when `cacheIgnoresVary`:
 * the first answer for a URL is kept and served to everyone, with or without Origin.
 */
function context(env: Record<string, string>, http: (url: string, request: HttpRequest) => HttpResponse | Error) {
  const target = targetOf(env);
  const puts: Record<string, unknown>[] = [];
  const s3 = {
    send: async (command: { input: Record<string, unknown> }) => void puts.push(command.input),
  } as unknown as S3Client;
  const requests: string[] = [];
  const ctx: CheckContext = {
    target,
    origin: ORIGIN,
    io: {
      s3,
      http: async (url, request = {}) => {
        requests.push(
          `${request.method ?? "GET"} ${url}${request.headers?.origin ? ` Origin: ${request.headers.origin}` : ""}`,
        );
        const answer = http(url, request);
        if (answer instanceof Error) throw answer;
        return answer;
      },
      tls: async () => {
        throw new Error("unused");
      },
    },
    probes: new ProbeRegistry("example-social-media", undefined),
    state: { probe: PROBE, mediaServed: true },
    signal: new AbortController().signal,
    redact: (text) => text,
  };
  return { ctx, puts, requests };
}

/** R2 behind Cloudflare's cache: CORS only when the request has Origin; `edgeCors` stands for the transform rule. */
function r2Cdn(edgeCors: boolean) {
  const cache = new Map<string, HttpResponse>();
  return (url: string, request: HttpRequest): HttpResponse => {
    const hit = cache.get(url);
    const fromOrigin = response(
      200,
      request.headers?.origin ? { "access-control-allow-origin": "*", vary: "Origin" } : {},
    );
    const served = hit
      ? { ...hit, headers: { ...hit.headers, "cf-cache-status": "HIT" } }
      : { ...fromOrigin, headers: { ...fromOrigin.headers, "cf-cache-status": "MISS" } };
    if (!hit) cache.set(url, fromOrigin);
    return edgeCors ? { ...served, headers: { ...served.headers, "access-control-allow-origin": "*" } } : served;
  };
}

describe("cors-after-cache", () => {
  it("runs after the CORS check, among the live checks", () => {
    const ids = CHECKS.map((check) => check.id);
    expect(ids.indexOf("cors-after-cache")).toBe(ids.indexOf("cors") + 1);
    expect(ids).toContain("https-redirect");
  });

  it("uploads its image through the writer's upload path: without a checksum header writer-upload found refused, multipart at the threshold", async () => {
    const refused = context(R2_ENV, r2Cdn(true));
    const whenRequired: Record<string, unknown>[] = [];
    refused.ctx.io.s3WhenRequired = {
      send: async (command: { input: Record<string, unknown> }) => void whenRequired.push(command.input),
    } as unknown as S3Client;
    refused.ctx.state.checksumRejected = true;
    expect((await corsAfterCache.run(refused.ctx)).status).toBe("pass");
    expect(refused.puts).toEqual([]);
    expect(whenRequired).toHaveLength(1);
    expect(refused.ctx.probes.created).toBe(1);

    // S3_MULTIPART_THRESHOLD=50 (bytes): the 67-byte PNG goes multipart, as Mastodon's upload would.
    const multipart = context({ ...R2_ENV, S3_MULTIPART_THRESHOLD: "50" }, r2Cdn(true));
    await corsAfterCache.run(multipart.ctx);
    expect(multipart.puts[0]).toMatchObject({
      ContentType: IMAGE_PROBE_TYPE,
      Key: expect.stringMatching(/probe\.png$/),
    });
    expect(multipart.puts[0]).not.toHaveProperty("Body");
  });

  it("uploads an image the way Mastodon does, fetches it twice without Origin, then with it", async () => {
    const { ctx, puts, requests } = context(R2_ENV, r2Cdn(true));
    const outcome = await corsAfterCache.run(ctx);
    expect(outcome.status).toBe("pass");
    expect(puts).toEqual([
      {
        Bucket: "example-social-media",
        Key: expect.stringMatching(/^media_attachments\/mastodon-media-verify\/.+\/probe\.png$/),
        Body: IMAGE_PROBE,
        ContentType: IMAGE_PROBE_TYPE,
        CacheControl: "public, max-age=315576000, immutable",
        ACL: undefined,
      },
    ]);
    const url = `https://files.example.com/${String(puts[0]?.Key)}`;
    expect(requests).toEqual([`GET ${url}`, `GET ${url}`, `GET ${url} Origin: ${ORIGIN}`]);
    expect(outcome.observed.at(-1)).toBe(
      `then GET with Origin: ${ORIGIN}: 200, cf-cache-status: HIT, Access-Control-Allow-Origin: *`,
    );
    expect(ctx.probes.pending().keys).toEqual([puts[0]?.Key]);
  });

  it("fails when the cache serves the copy made without Origin to a browser (R2 behind Cloudflare, no edge CORS)", async () => {
    const { ctx } = context(R2_ENV, r2Cdn(false));
    const outcome = await corsAfterCache.run(ctx);
    expect(outcome.status).toBe("fail");
    expect(outcome.observed.at(-1)).toBe(
      `then GET with Origin: ${ORIGIN}: 200, cf-cache-status: HIT, Access-Control-Allow-Origin: (none)`,
    );
    expect(outcome.cause).toContain("ignores Vary");
  });

  it("uploads the image once even when it is retried", async () => {
    const { ctx, puts } = context(R2_ENV, r2Cdn(false));
    await corsAfterCache.run(ctx);
    await corsAfterCache.run(ctx);
    expect(puts).toHaveLength(1);
  });
});

describe("https-redirect", () => {
  const secure = `https://files.example.com/${PROBE.key}`;
  const plain = `http://files.example.com/${PROBE.key}`;

  it("knows where the stack sets plain HTTP: CloudFront and R2, not Spaces", () => {
    const of = (env: Record<string, string>) => stackControlsPlainHttp(targetOf(env));
    expect([of(AWS_ENV), of(R2_ENV), of(SPACES_ENV)]).toEqual([true, true, false]);
  });

  it("passes on a permanent redirect to the same URL over HTTPS", async () => {
    const { ctx, requests } = context(R2_ENV, () => response(301, { location: secure }));
    expect(await httpsRedirect.run(ctx)).toEqual({ status: "pass", observed: [`GET ${plain}: 301 to ${secure}`] });
    expect(requests).toEqual([`GET ${plain}`]);
  });

  it("fails when the media host serves media over plain HTTP on a stack that controls it", async () => {
    const { ctx } = context(R2_ENV, () => response(200));
    const outcome = await httpsRedirect.run(ctx);
    expect(outcome.status).toBe("fail");
    expect(outcome.cause).toContain("serves media over plain HTTP");
  });

  it("only reports plain HTTP where the stack does not set it, and never calls that a pass", async () => {
    const { ctx } = context(SPACES_ENV, () => response(200));
    expect(await httpsRedirect.run(ctx)).toEqual({
      status: "skip",
      observed: [`GET ${plain}: 200; plain HTTP on this provider's media host is not set by this stack`],
    });
  });

  it("counts a closed port 80 as no plain HTTP", async () => {
    const { ctx } = context(AWS_ENV, () => Object.assign(new Error("refused"), { code: "ECONNREFUSED" }));
    expect((await httpsRedirect.run(ctx)).status).toBe("pass");
  });
});
