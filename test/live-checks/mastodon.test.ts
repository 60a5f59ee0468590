import { inflateSync, crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { MastodonApi, MAX_RETRY_AFTER_MS, retryAfterMs } from "../../live-checks/mastodon/api";
import { diagnoseApi } from "../../live-checks/mastodon/diagnose";
import { idPartition, readMediaUrl } from "../../live-checks/mastodon/media-url";
import { readMastodonTarget } from "../../live-checks/mastodon/options";
import { isPng, storageCheckPng } from "../../live-checks/mastodon/png";
import { MASTODON_CACHE_CONTROL, servedProblems } from "../../live-checks/mastodon/served";
import type { CheckResult } from "../../live-checks/runner";
import type { VerifyTarget } from "../../mastodon-env/target";
import { targetOf } from "../helpers/target";
import { parseVerifyArgs } from "../../cli/verify/args";

const MASTODON_ENV = {
  S3_ENABLED: "true",
  S3_BUCKET: "media",
  S3_REGION: "eu-central-1",
  S3_HOSTNAME: "s3.eu-central-1.amazonaws.com",
  S3_ALIAS_HOST: "files.example.com",
  AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
  AWS_SECRET_ACCESS_KEY: "secret",
};
const target = (extra: Record<string, string | undefined> = {}): VerifyTarget =>
  targetOf({ ...MASTODON_ENV, ...extra });

describe("storageCheckPng", () => {
  it("is a valid PNG: signature, chunk CRCs, a 16x16 RGB image whose rows inflate to the right size", () => {
    const png = storageCheckPng();
    expect(isPng(png)).toBe(true);
    let offset = 8;
    const types: string[] = [];
    let idat: Buffer = Buffer.alloc(0);
    while (offset < png.length) {
      const length = png.readUInt32BE(offset);
      const type = png.toString("latin1", offset + 4, offset + 8);
      const data = png.subarray(offset + 8, offset + 8 + length);
      expect(png.readUInt32BE(offset + 8 + length)).toBe(crc32(png.subarray(offset + 4, offset + 8 + length)) >>> 0);
      if (type === "IDAT") idat = data;
      if (type === "IHDR")
        expect([data.readUInt32BE(0), data.readUInt32BE(4), data[8], data[9]]).toEqual([16, 16, 8, 2]);
      types.push(type);
      offset += 12 + length;
    }
    expect(types).toEqual(["IHDR", "tEXt", "IDAT", "IEND"]);
    expect(inflateSync(idat).length).toBe(16 * (1 + 16 * 3));
    expect(png.toString("latin1")).toContain("mastodon-media storage check");
  });

  it("is different on every run", () => {
    expect(storageCheckPng().equals(storageCheckPng())).toBe(false);
  });
});

describe("idPartition", () => {
  it("cuts the id zero-padded to 9 digits into groups of 3, as Paperclip does", () => {
    expect(idPartition("123")).toBe("000/000/123");
    expect(idPartition("109478225807324714")).toBe("109/478/225/807/324/714");
  });
});

describe("readMediaUrl", () => {
  const key = "media_attachments/files/109/478/225/807/324/714/original/0123456789abcdef.png";
  it("accepts a URL on S3_ALIAS_HOST and returns its key", () => {
    expect(readMediaUrl(target(), `https://files.example.com/${key}`, "social.example.com")).toEqual({ ok: true, key });
  });
  it("requires S3_KEY_PREFIX in the key", () => {
    const t = target({ S3_KEY_PREFIX: "social" });
    expect(readMediaUrl(t, `https://files.example.com/social/${key}`, "social.example.com")).toEqual({
      ok: true,
      key: `social/${key}`,
    });
    expect(readMediaUrl(t, `https://files.example.com/${key}`, "social.example.com")).toMatchObject({
      ok: false,
      problem: "wrong-prefix",
    });
  });
  it("tells another host from Mastodon's own disk", () => {
    expect(readMediaUrl(target(), `https://old-files.example.com/${key}`, "social.example.com")).toMatchObject({
      ok: false,
      problem: "wrong-host",
    });
    expect(readMediaUrl(target(), `https://social.example.com/system/${key}`, "social.example.com")).toMatchObject({
      ok: false,
      problem: "local-storage",
    });
    expect(readMediaUrl(target(), null, "social.example.com")).toMatchObject({ ok: false, problem: "missing" });
  });
  it("reads path-style URLs on S3_HOSTNAME when there is no alias", () => {
    const t = target({ S3_ALIAS_HOST: undefined });
    const key = "media_attachments/files/000/000/123/small/ab.png";
    expect(readMediaUrl(t, `https://s3.eu-central-1.amazonaws.com/media/${key}`, "social.example.com")).toEqual({
      ok: true,
      key,
    });
    expect(readMediaUrl(t, `https://s3.eu-central-1.amazonaws.com/other/${key}`, "social.example.com")).toMatchObject({
      ok: false,
      problem: "wrong-host",
    });
  });
});

describe("retryAfterMs", () => {
  it("reads delay-seconds, an HTTP-date and Mastodon's ISO reset time", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs("7", now)).toBe(7000);
    expect(retryAfterMs("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("2026-01-01T00:01:00.000000Z", now)).toBe(60_000);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

describe("servedProblems", () => {
  const good = {
    status: 200,
    headers: {
      "content-type": "image/png",
      "access-control-allow-origin": "*",
      "cache-control": MASTODON_CACHE_CONTROL,
    },
    body: Buffer.alloc(0),
  };
  it("accepts Mastodon's headers, in any order of the Cache-Control directives", () => {
    expect(servedProblems(good, "https://social.example.com")).toEqual([]);
    expect(
      servedProblems(
        { ...good, headers: { ...good.headers, "cache-control": "immutable, max-age=315576000, public" } },
        "x",
      ),
    ).toEqual([]);
  });
  it("names each missing piece", () => {
    const problems = servedProblems(
      {
        status: 200,
        headers: { "content-type": "application/octet-stream", "cache-control": "max-age=3600" },
        body: Buffer.alloc(0),
      },
      "https://social.example.com",
    );
    expect(problems).toHaveLength(3);
    expect(problems.join("\n")).toMatch(
      /not image\/\*[\s\S]*no Access-Control-Allow-Origin[\s\S]*Cache-Control is "max-age=3600"/,
    );
  });
});

describe("readMastodonTarget and --mastodon", () => {
  it("takes the token from MASTODON_ACCESS_TOKEN only", () => {
    expect(readMastodonTarget("https://social.example.com", { MASTODON_ACCESS_TOKEN: "abc" })).toEqual({
      target: { url: new URL("https://social.example.com"), token: "abc" },
      problems: [],
    });
    expect(readMastodonTarget("https://social.example.com", {}).problems).toEqual([
      "MASTODON_ACCESS_TOKEN is not set: export a Mastodon access token with the write:media scope (Preferences > Development > New application)",
    ]);
    expect(parseVerifyArgs(["--env", "x", "--mastodon", "https://social.example.com"])).toMatchObject({
      options: { mastodon: "https://social.example.com" },
    });
    expect(parseVerifyArgs(["--env", "x", "--token", "abc"])).toMatchObject({ problems: ["unknown option --token"] });
  });
  it("refuses plain http off loopback and paths", () => {
    expect(readMastodonTarget("http://social.example.com", { MASTODON_ACCESS_TOKEN: "a" }).problems[0]).toMatch(
      /must start with https/,
    );
    expect(readMastodonTarget("http://127.0.0.1:3000", { MASTODON_ACCESS_TOKEN: "a" }).problems).toEqual([]);
    expect(readMastodonTarget("https://social.example.com/api", { MASTODON_ACCESS_TOKEN: "a" }).problems[0]).toMatch(
      /without a path/,
    );
  });
});

describe("diagnoseApi", () => {
  const failedUpload = {
    id: "writer-upload",
    title: "",
    status: "fail",
    observed: [],
    attempts: 1,
    ms: 1,
  } as CheckResult;
  it("points a 500 at the failing storage checks when there are some", () => {
    const outcome = diagnoseApi(
      "POST /api/v2/media",
      { status: 500, error: "Media could not be stored", rateLimitedWaits: 0 },
      [failedUpload],
      "https://social.example.com",
    );
    expect(outcome.cause).toMatch(/storage checks above fail too \(writer-upload\)/);
  });
  it("says another env when the storage checks pass", () => {
    const outcome = diagnoseApi(
      "POST /api/v2/media",
      { status: 500, error: "Media could not be stored", rateLimitedWaits: 0 },
      [{ ...failedUpload, status: "pass" }],
      "https://social.example.com",
    );
    expect(outcome.cause).toMatch(/Mastodon runs with another env/);
  });
});

describe("MastodonApi", () => {
  const clock = () => {
    let now = 0;
    const slept: number[] = [];
    return { slept, now: () => now, sleep: async (ms: number) => void (slept.push(ms), (now += ms)) };
  };
  const answers = (list: Response[]) => {
    const sent: { url: string; init?: RequestInit }[] = [];
    const fetchImpl = (async (url: URL, init?: RequestInit) => (
      sent.push({ url: String(url), init }),
      list.shift() as Response
    )) as unknown as typeof fetch;
    return { sent, fetchImpl };
  };
  const limited = (after: string) =>
    new Response('{"error":"Too many requests"}', { status: 429, headers: { "retry-after": after } });

  it("waits out Retry-After, then returns the answer; the token only in the Authorization header", async () => {
    const c = clock();
    const { sent, fetchImpl } = answers([
      limited("2"),
      new Response('{"id":"1","type":"image","url":null,"preview_url":null}', { status: 202 }),
    ]);
    const api = new MastodonApi(
      new URL("https://social.example.com"),
      "TOKEN",
      new AbortController().signal,
      c,
      fetchImpl,
    );
    const answer = await api.upload(storageCheckPng(), "a.png", "d");
    expect(answer).toMatchObject({ status: 202, rateLimitedWaits: 1, body: { id: "1" } });
    expect(c.slept).toEqual([2000]);
    expect(sent.map((s) => s.url)).toEqual([
      "https://social.example.com/api/v2/media",
      "https://social.example.com/api/v2/media",
    ]);
    expect(
      sent.every(
        (s) => !s.url.includes("TOKEN") && (s.init?.headers as Record<string, string>).authorization === "Bearer TOKEN",
      ),
    ).toBe(true);
  });

  it("stops waiting once the waits would pass the bound", async () => {
    const c = clock();
    const { fetchImpl } = answers([limited("40"), limited("40")]);
    const api = new MastodonApi(new URL("https://social.example.com"), "T", new AbortController().signal, c, fetchImpl);
    expect(await api.get("1")).toMatchObject({ status: 429, retryAfterMs: 40_000, rateLimitedWaits: 1 });
    expect(c.slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(MAX_RETRY_AFTER_MS);
  });
});
