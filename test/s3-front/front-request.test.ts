import { getCanonicalQuery } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { upstreamOf } from "../../s3-front/acl-front";
import {
  canonicalPath,
  forwardHeaders,
  isAclHeader,
  parseAmzDate,
  parseAuthorization,
  parseQuery,
  parseRequestHead,
  serializeRequestHead,
  upstreamRequest,
  type Upstream,
} from "../../s3-front/front-request";
import type { VerifyTarget } from "../../mastodon-env/target";
import { targetOf } from "../helpers/target";

const R2_ENV = {
  S3_ENABLED: "true",
  S3_BUCKET: "example-media",
  S3_REGION: "auto",
  S3_ENDPOINT: "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
  S3_ALIAS_HOST: "files.example.com",
  S3_PERMISSION: "",
  AWS_ACCESS_KEY_ID: "writer-key",
  AWS_SECRET_ACCESS_KEY: "writer-secret",
};
const target = (extra: Record<string, string | undefined>): VerifyTarget => targetOf({ ...R2_ENV, ...extra });

describe("isAclHeader", () => {
  it.each(["x-amz-acl", "X-Amz-Acl", "x-amz-grant-read", "x-amz-grant-full-control", "X-Amz-Grant-Write-Acp"])(
    "%s sets an ACL",
    (name) => {
      expect(isAclHeader(name)).toBe(true);
    },
  );
  it.each(["x-amz-acl-extra", "x-amz-meta-acl", "x-amz-content-sha256", "cache-control", "x-amz-granted"])(
    "%s does not",
    (name) => {
      expect(isAclHeader(name)).toBe(false);
    },
  );
});

describe("forwardHeaders", () => {
  const put = {
    host: "127.0.0.1:40123",
    authorization:
      "AWS4-HMAC-SHA256 Credential=MIGRATEFRONT/20261201/auto/s3/aws4_request, SignedHeaders=host, Signature=00",
    "x-amz-date": "20261201T020304Z",
    "x-amz-acl": "private",
    "x-amz-grant-read": "uri=http://acs.amazonaws.com/groups/global/AllUsers",
    "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
    "x-amz-meta-mtime": "1764554584.5",
    "content-md5": "1B2M2Y8AsgTpgAmY7PhCfg==",
    "content-type": "image/jpeg",
    "cache-control": "public, max-age=315576000, immutable",
    "content-length": "123",
    "user-agent": "rclone/v1.60.1-DEV",
    expect: "100-Continue",
    connection: "keep-alive, x-trace",
    "x-trace": "hop",
    "accept-encoding": "gzip",
  };

  it("drops the ACL headers, the client's signature and hop-by-hop headers, and keeps what the object is made of", () => {
    const { headers, droppedAcl } = forwardHeaders("PUT", put, "bucket.s3.eu-central-1.amazonaws.com");
    expect(droppedAcl).toEqual(["x-amz-acl", "x-amz-grant-read"]);
    expect(headers).toEqual({
      host: "bucket.s3.eu-central-1.amazonaws.com",
      "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
      "x-amz-meta-mtime": "1764554584.5",
      "content-md5": "1B2M2Y8AsgTpgAmY7PhCfg==",
      "content-type": "image/jpeg",
      "cache-control": "public, max-age=315576000, immutable",
      "content-length": "123",
      "user-agent": "rclone/v1.60.1-DEV",
      expect: "100-Continue",
      "accept-encoding": "gzip",
    });
  });

  it("asks the server to close when the client did, and only then", () => {
    expect(forwardHeaders("GET", { host: "h", connection: "close" }, "up").headers).toEqual({
      host: "up",
      connection: "close",
    });
    expect(forwardHeaders("GET", { host: "h", connection: "keep-alive" }, "up").headers).toEqual({ host: "up" });
  });

  it("gives a bodyless POST (CreateMultipartUpload) a zero length, so it is not sent chunked; GET stays without one", () => {
    expect(forwardHeaders("POST", { host: "h", "x-amz-acl": "private" }, "up").headers).toEqual({
      host: "up",
      "content-length": "0",
    });
    expect(forwardHeaders("GET", { host: "h" }, "up").headers).toEqual({ host: "up" });
    expect(forwardHeaders("PUT", { host: "h", "transfer-encoding": "chunked" }, "up").headers).toEqual({ host: "up" });
  });

  it("keeps a header without ACL in its name untouched and reports nothing dropped", () => {
    const { headers, droppedAcl } = forwardHeaders("HEAD", { host: "h", "x-amz-meta-acl": "notes" }, "up");
    expect(droppedAcl).toEqual([]);
    expect(headers["x-amz-meta-acl"]).toBe("notes");
  });
});

describe("parseRequestHead and serializeRequestHead", () => {
  it("reads rclone's request head: method, origin-form target, headers in lower case, repeated ones joined", () => {
    const head = parseRequestHead(
      "PUT /media/a%20b.jpg?x-id=PutObject HTTP/1.1\r\nHost: 127.0.0.1:4000\r\nContent-Length: 12\r\nX-Amz-Meta-A: 1\r\nx-amz-meta-a:  2 \r\nX-Amz-Acl: private",
    );
    expect(head).toEqual({
      method: "PUT",
      target: "/media/a%20b.jpg?x-id=PutObject",
      headers: { host: "127.0.0.1:4000", "content-length": "12", "x-amz-meta-a": "1, 2", "x-amz-acl": "private" },
    });
  });

  it.each([
    ["GET http://evil.example/ HTTP/1.1\r\nHost: a", "malformed request line"],
    ["CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: a", "malformed request line"],
    ["GET / HTTP/2\r\nHost: a", "malformed request line"],
    ["GET / HTTP/1.1\r\nHost a", "malformed header line"],
    ["GET / HTTP/1.1\r\nHost: a\r\n folded", "malformed header line"],
    ["GET / HTTP/1.1\r\nBad Name: a", "malformed header name"],
  ])("refuses %j", (text, problem) => {
    expect(parseRequestHead(text)).toEqual({ problem });
  });

  it("writes a head that reads back the same", () => {
    const text = serializeRequestHead("GET", "/media/k?list-type=2", {
      host: "up:9000",
      "x-amz-date": "20261201T020304Z",
    });
    expect(text).toBe("GET /media/k?list-type=2 HTTP/1.1\r\nhost: up:9000\r\nx-amz-date: 20261201T020304Z\r\n\r\n");
    expect(parseRequestHead(text.slice(0, -4))).toEqual({
      method: "GET",
      target: "/media/k?list-type=2",
      headers: { host: "up:9000", "x-amz-date": "20261201T020304Z" },
    });
  });
});

describe("parseQuery and the canonical query", () => {
  it("decodes once and re-encodes as SigV4 does: spaces, +, unicode, slashes, valueless parameters", () => {
    const query = parseQuery(
      "list-type=2&prefix=social%2Fmy%20avatar%2Bx%2F%E6%97%A5&delimiter=&uploads&encoding-type=url",
    );
    expect(query).toEqual({
      "list-type": "2",
      prefix: "social/my avatar+x/日",
      delimiter: "",
      uploads: "",
      "encoding-type": "url",
    });
    expect(getCanonicalQuery({ query } as Parameters<typeof getCanonicalQuery>[0])).toBe(
      "delimiter=&encoding-type=url&list-type=2&prefix=social%2Fmy%20avatar%2Bx%2F%E6%97%A5&uploads=",
    );
  });

  it("reads + as a space (form encoding), repeated names as a list, and an empty query as nothing", () => {
    expect(parseQuery("prefix=a+b")).toEqual({ prefix: "a b" });
    expect(parseQuery("k=1&k=2")).toEqual({ k: ["1", "2"] });
    expect(parseQuery("")).toEqual({});
  });

  it("refuses a malformed escape", () => {
    expect(() => parseQuery("prefix=%E6%97")).toThrow(URIError);
  });
});

describe("canonicalPath", () => {
  it.each([
    ["/media/accounts/avatars/my%20avatar.png", "/media/accounts/avatars/my%20avatar.png"],
    ["/media/a+b=c.jpg", "/media/a%2Bb%3Dc.jpg"],
    ["/media/caf%C3%A9_blobcat.png", "/media/caf%C3%A9_blobcat.png"],
    ["/media/日本語 ファイル.jpg", "/media/%E6%97%A5%E6%9C%AC%E8%AA%9E%20%E3%83%95%E3%82%A1%E3%82%A4%E3%83%AB.jpg"],
    ["/media/a(b)!'*~.png", "/media/a%28b%29%21%27%2A~.png"],
    ["/media/slash%2Finside", "/media/slash%2Finside"],
    ["/media/", "/media/"],
  ])("%s -> %s", (raw, canonical) => {
    expect(canonicalPath(raw)).toBe(canonical);
  });

  it("refuses a malformed escape", () => {
    expect(() => canonicalPath("/media/%E6%97")).toThrow(URIError);
  });
});

describe("upstreamRequest", () => {
  const pathStyle: Upstream = {
    origin: new URL("https://acc.r2.cloudflarestorage.com"),
    virtualHosted: false,
    bucket: "media",
  };
  const virtual: Upstream = {
    origin: new URL("https://s3.eu-central-1.amazonaws.com"),
    virtualHosted: true,
    bucket: "media",
  };

  it("keeps path style as path style, with the endpoint's host", () => {
    expect(upstreamRequest("/media/social/a%20b.jpg", pathStyle)).toEqual({
      hostname: "acc.r2.cloudflarestorage.com",
      port: "",
      host: "acc.r2.cloudflarestorage.com",
      path: "/media/social/a%20b.jpg",
    });
  });

  it("moves the bucket into the host name for a virtual-hosted target; the bucket's root is /", () => {
    expect(upstreamRequest("/media/social/x.jpg", virtual)).toMatchObject({
      hostname: "media.s3.eu-central-1.amazonaws.com",
      host: "media.s3.eu-central-1.amazonaws.com",
      path: "/social/x.jpg",
    });
    expect(upstreamRequest("/media", virtual)).toMatchObject({ path: "/" });
    expect(upstreamRequest("/media/", virtual)).toMatchObject({ path: "/" });
  });

  it("keeps a non-default port in the Host header", () => {
    const local: Upstream = { origin: new URL("http://127.0.0.1:9000"), virtualHosted: false, bucket: "media" };
    expect(upstreamRequest("/media/k", local)).toEqual({
      hostname: "127.0.0.1",
      port: "9000",
      host: "127.0.0.1:9000",
      path: "/media/k",
    });
  });

  it.each(["/other/key", "/mediax/key", "/", "/other"])(
    "refuses %s: the front serves the run's bucket only",
    (path) => {
      expect(upstreamRequest(path, pathStyle)).toEqual({ problem: "this front serves the bucket media only" });
    },
  );
});

describe("upstreamOf keeps rclone's choice of addressing style", () => {
  it("AWS without S3_ENDPOINT: the regional endpoint, virtual-hosted", () => {
    const aws = upstreamOf(target({ S3_ENDPOINT: undefined, S3_REGION: "eu-central-1" }));
    expect([aws.origin.origin, aws.virtualHosted]).toEqual(["https://s3.eu-central-1.amazonaws.com", true]);
  });
  it("AWS with a dotted bucket name: path style (the wildcard certificate does not cover it)", () => {
    expect(
      upstreamOf(target({ S3_ENDPOINT: undefined, S3_REGION: "eu-central-1", S3_BUCKET: "media.example.com" }))
        .virtualHosted,
    ).toBe(false);
  });
  it("S3_ENDPOINT present (R2, MinIO): path style, as Mastodon", () => {
    const r2 = upstreamOf(target({}));
    expect([r2.origin.origin, r2.virtualHosted]).toEqual([
      "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
      false,
    ]);
  });
  it("S3_OVERRIDE_PATH_STYLE=true with an endpoint: virtual-hosted", () => {
    expect(upstreamOf(target({ S3_OVERRIDE_PATH_STYLE: "true" })).virtualHosted).toBe(true);
  });
});

describe("parseAuthorization and parseAmzDate", () => {
  const signature = "a".repeat(64);
  it("reads the header rclone (aws-sdk-go) writes", () => {
    expect(
      parseAuthorization(
        `AWS4-HMAC-SHA256 Credential=MIGRATEFRONTAB/20261201/auto/s3/aws4_request, SignedHeaders=content-md5;host;x-amz-acl;x-amz-date, Signature=${signature}`,
      ),
    ).toEqual({
      accessKeyId: "MIGRATEFRONTAB",
      date: "20261201",
      region: "auto",
      service: "s3",
      signedHeaders: ["content-md5", "host", "x-amz-acl", "x-amz-date"],
      signature,
    });
  });
  it.each([
    undefined,
    "",
    `AWS AKID:${signature}`,
    `AWS4-HMAC-SHA256 Credential=K/20261201/auto/s3/aws4_request, SignedHeaders=host, Signature=abc`,
    `AWS4-ECDSA-P256-SHA256 Credential=K/20261201/s3/aws4_request, SignedHeaders=host, Signature=${signature}`,
  ])("refuses %s", (value) => {
    expect(parseAuthorization(value)).toBeUndefined();
  });
  it("reads x-amz-date, and nothing of another shape", () => {
    expect(parseAmzDate("20261201T020304Z")?.toISOString()).toBe("2026-12-01T02:03:04.000Z");
    expect(parseAmzDate("Tue, 01 Dec 2026 02:03:04 GMT")).toBeUndefined();
    expect(parseAmzDate(undefined)).toBeUndefined();
  });
});
