import type { IncomingHttpHeaders } from "node:http";
import { escapeUri } from "@smithy/core/protocols";

/**
 * The pure rules of migrate's ACL-dropping front (./acl-front.ts): which request headers go on to the real
 * endpoint, where a request goes, and how its path and query are written so that the signature the front makes
 * is the one the server checks (AWS docs, "Create a canonical request for Signature Version 4").
 */

/** Where the front sends requests: the target's API endpoint, and whether the bucket goes in the host name. */
export interface Upstream {
  /** `https://s3.eu-central-1.amazonaws.com`, `https://ACCOUNT.r2.cloudflarestorage.com`: origin only. */
  origin: URL;
  /** Virtual-hosted style (`BUCKET.HOST/KEY`) instead of path style (`HOST/BUCKET/KEY`). */
  virtualHosted: boolean;
  bucket: string;
}

/** One request as the front sends it on: host to connect to, Host header, path (canonical encoding). */
export interface UpstreamRequest {
  hostname: string;
  port: string;
  /** The Host header: `hostname[:port]`. */
  host: string;
  path: string;
}

/**
 * The headers that set an object's ACL: `x-amz-acl` (canned) and the `x-amz-grant-*` family (S3 API Reference,
 * PutObject and CreateMultipartUpload, "Request Syntax"). Cloudflare R2 answers any of them with 501
 * NotImplemented (R2 docs, "S3 API compatibility": ACL headers are not implemented).
 */
export function isAclHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === "x-amz-acl" || lower.startsWith("x-amz-grant-");
}

/**
 * Headers that belong to one connection, not to the request (RFC 9110 section 7.6.1, "Connection"). `expect`
 * goes on: the server's `100 Continue` comes back through the front like the rest of its answer.
 */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);
/** What the signer writes anew for the real endpoint (or what would carry rclone's per-run identity). */
const RESIGNED = new Set(["authorization", "x-amz-date", "date", "x-amz-security-token"]);

/** Methods whose requests S3 expects a Content-Length on. */
const BODY_METHODS = new Set(["PUT", "POST", "PATCH"]);

/**
 * The headers the front sends on, before signing: the client's, without ACL headers, hop-by-hop headers (and
 * those the Connection header names) and its own signature, with `host` set to the real endpoint's;
 * `connection: close` when the client asked for it (each client connection has its own server connection). A
 * bodyless PUT/POST (no Content-Length, no Transfer-Encoding: RFC 9112 section 6.3) gets `content-length: 0`,
 * which S3 asks of every PUT (411 MissingContentLength otherwise). `x-amz-content-sha256` stays as the client sent it (the payload's hash or
 * UNSIGNED-PAYLOAD): the body is streamed, never read. Returns the headers and the ACL header names dropped.
 */
export function forwardHeaders(
  method: string,
  incoming: IncomingHttpHeaders,
  host: string,
): { headers: Record<string, string>; droppedAcl: string[] } {
  const connectionNamed = new Set(
    String(incoming.connection ?? "")
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
  const headers: Record<string, string> = {};
  const droppedAcl: string[] = [];
  for (const [name, value] of Object.entries(incoming)) {
    const lower = name.toLowerCase();
    if (
      value === undefined ||
      lower === "host" ||
      HOP_BY_HOP.has(lower) ||
      RESIGNED.has(lower) ||
      connectionNamed.has(lower)
    )
      continue;
    if (isAclHeader(lower)) {
      droppedAcl.push(lower);
      continue;
    }
    headers[lower] = Array.isArray(value) ? value.join(", ") : value;
  }
  headers.host = host;
  if (connectionNamed.has("close")) headers.connection = "close";
  if (
    BODY_METHODS.has(method.toUpperCase()) &&
    incoming["content-length"] === undefined &&
    incoming["transfer-encoding"] === undefined
  ) {
    headers["content-length"] = "0";
  }
  return { headers, droppedAcl };
}

/**
 * A query string as decoded parameters: `list-type=2&prefix=a%20b` -> `{ "list-type": "2", prefix: "a b" }`;
 * a parameter without `=` (`?uploads`) has the value "" (SigV4 signs it as `uploads=`); a `+` is a space (form
 * encoding, as S3 decodes queries). Repeated names become arrays. Throws URIError on a malformed escape.
 */
export function parseQuery(raw: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const part of raw.split("&")) {
    if (!part) continue;
    const equals = part.indexOf("=");
    const name = decodeComponent(equals < 0 ? part : part.slice(0, equals));
    const value = equals < 0 ? "" : decodeComponent(part.slice(equals + 1));
    const existing = query[name];
    query[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return query;
}

function decodeComponent(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, "%20"));
}

/**
 * A request path in SigV4's canonical form for S3: each segment decoded once and encoded once with RFC 3986's
 * unreserved characters left as they are (`a b+c` -> `a%20b%2Bc`, `café` -> `caf%C3%A9`), `/` kept (AWS docs,
 * "Create a canonical request": S3 URIs are encoded once, not normalized). Throws URIError on a malformed escape.
 */
export function canonicalPath(rawPath: string): string {
  const path = rawPath.startsWith("/") ? rawPath : `/${rawPath}`;
  return path
    .split("/")
    .map((segment) => escapeUri(decodeURIComponent(segment)))
    .join("/");
}

/**
 * Where a path-style request to the front (`/BUCKET/KEY`) goes: the same bucket and key at the real endpoint,
 * virtual-hosted (`BUCKET.HOST/KEY`) or path style as the target uses, path in canonical form. Only the run's
 * own bucket is served: any other path gives `{ problem }`.
 */
export function upstreamRequest(rawPath: string, upstream: Upstream): UpstreamRequest | { problem: string } {
  const path = canonicalPath(rawPath);
  const bucketSegment = `/${escapeUri(upstream.bucket)}`;
  if (path !== bucketSegment && !path.startsWith(`${bucketSegment}/`)) {
    return { problem: `this front serves the bucket ${upstream.bucket} only` };
  }
  const { hostname, port } = upstream.origin;
  if (!upstream.virtualHosted) return { hostname, port, host: upstream.origin.host, path };
  const rest = path.slice(bucketSegment.length) || "/";
  const virtualHost = `${upstream.bucket}.${hostname}`;
  return { hostname: virtualHost, port, host: port ? `${virtualHost}:${port}` : virtualHost, path: rest };
}

/** The parts of a SigV4 Authorization header (AWS docs, "Authenticating Requests: Using the Authorization Header"). */
export interface SigV4Authorization {
  accessKeyId: string;
  /** YYYYMMDD of the credential scope. */
  date: string;
  region: string;
  service: string;
  /** Lower-case header names, in the order given. */
  signedHeaders: string[];
  /** 64 hex digits. */
  signature: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 +Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request, *SignedHeaders=([a-z0-9;-]+), *Signature=([0-9a-f]{64})$/;

/** The Authorization header's parts, or undefined when it is not a SigV4 header signature. */
export function parseAuthorization(value: string | undefined): SigV4Authorization | undefined {
  const match = AUTHORIZATION.exec(value?.trim() ?? "");
  if (!match) return undefined;
  return {
    accessKeyId: match[1]!,
    date: match[2]!,
    region: match[3]!,
    service: match[4]!,
    signedHeaders: match[5]!.split(";"),
    signature: match[6]!,
  };
}

/** `20261201T020304Z` (x-amz-date) as a Date, or undefined when it has another shape. */
export function parseAmzDate(value: string | undefined): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? "");
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
}

/** A request's head as read off the connection: request line and headers (names in lower case). */
export interface RequestHead {
  method: string;
  /** The request target as sent (origin form: `/BUCKET/KEY?QUERY`). */
  target: string;
  /** Repeated headers joined with ", " (RFC 9110 section 5.3). */
  headers: Record<string, string>;
}

/** The longest request head the front reads (headers of S3 requests are a few hundred bytes). */
export const MAX_HEAD_BYTES = 64 * 1024;

/**
 * Parses the head of an HTTP/1.1 request (RFC 9112 sections 3 and 5), given the bytes before the blank line,
 * as latin1 text. Returns `{ problem }` for anything else: a request line that is not `METHOD TARGET HTTP/1.x`,
 * a target that is not origin form, a header line without a colon, obsolete line folding.
 */
export function parseRequestHead(text: string): RequestHead | { problem: string } {
  const lines = text.split("\r\n");
  const requestLine = /^([A-Z]+) (\/\S*) HTTP\/1\.[01]$/.exec(lines[0] ?? "");
  if (!requestLine) return { problem: "malformed request line" };
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0 || /^[ \t]/.test(line)) return { problem: "malformed header line" };
    const name = line.slice(0, colon).toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) return { problem: "malformed header name" };
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { method: requestLine[1]!, target: requestLine[2]!, headers };
}

/** The head the front writes upstream: request line, headers, blank line (latin1 text, as HTTP/1.1 sends it). */
export function serializeRequestHead(method: string, target: string, headers: Record<string, string>): string {
  let head = `${method} ${target} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  return `${head}\r\n`;
}
