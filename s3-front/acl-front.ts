import { randomBytes, timingSafeEqual } from "node:crypto";
import * as net from "node:net";
import * as tls from "node:tls";
import { Sha256 } from "@smithy/core/checksum";
import { getCanonicalQuery, SignatureV4 } from "@smithy/signature-v4";
import {
  forwardHeaders,
  MAX_HEAD_BYTES,
  parseAmzDate,
  parseAuthorization,
  parseQuery,
  parseRequestHead,
  serializeRequestHead,
  upstreamRequest,
  type RequestHead,
  type Upstream,
} from "./front-request";
import { usesPathStyle, type VerifyTarget } from "../mastodon-env/target";
import { trustedCertificates } from "./trusted-ca";

/**
 * migrate's ACL-dropping front. Debian's rclone 1.60 sends `x-amz-acl` on every upload, even with `acl` unset
 * (it becomes `private`); Cloudflare R2 refuses every ACL header (501 NotImplemented, R2 docs "S3 API
 * compatibility"), and an AWS bucket with ACLs disabled refuses all but bucket-owner-full-control. In no-ACL
 * mode (S3_PERMISSION empty) rclone therefore talks to this front on 127.0.0.1, which drops the ACL headers,
 * signs each request anew (SigV4, @smithy/signature-v4) with the writer's real credentials, and passes body
 * and answer through as bytes. The real credentials stay in this process; rclone gets per-run ones that only
 * this front accepts.
 *
 * Each client connection gets its own connection to the real endpoint: request heads are read and rewritten,
 * bodies (Content-Length bytes) and everything the server answers (100 Continue, status, headers, body) are
 * passed on unchanged, without parsing. That keeps the hop cheap: a first version on Node's http.Server and
 * http.request took about 1.5 times the CPU, and the copy about twice as long over bare rclone, in the migrate e2e
 * bench (docs/performance.md). The first request of a connection must carry a valid signature of the run's key;
 * later ones must name the run's key (another local user cannot write into an established TCP connection).
 */
export interface AclFront {
  /** `http://127.0.0.1:PORT`: rclone's DST endpoint (path style). */
  endpoint: string;
  /** Per-run credentials for rclone (never the writer's). */
  accessKeyId: string;
  secretAccessKey: string;
  /** Requests forwarded, ACL headers dropped, requests refused (bad or foreign signature, other bucket). */
  stats: { forwarded: number; aclHeadersDropped: number; refused: number };
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** Where the front sends `target`'s requests: its API endpoint, path or virtual-hosted style as rclone would. */
export function upstreamOf(target: VerifyTarget): Upstream {
  return { origin: new URL(target.apiEndpoint.origin), virtualHosted: !usesPathStyle(target), bucket: target.facts.bucket };
}

type Refusal = { status: number; code: string; message: string };

const REASONS: Record<number, string> = { 400: "Bad Request", 403: "Forbidden", 431: "Request Header Fields Too Large", 501: "Not Implemented", 502: "Bad Gateway" };
const HEAD_END = Buffer.from("\r\n\r\n");

/** Starts the front for `target` on 127.0.0.1, on a free port the system picks. */
export async function startAclFront(target: VerifyTarget): Promise<AclFront> {
  const accessKeyId = `MIGRATEFRONT${randomBytes(8).toString("hex").toUpperCase()}`;
  const secretAccessKey = randomBytes(30).toString("base64url");
  const upstream = upstreamOf(target);
  const region = target.facts.region;
  // uriEscapePath false: S3 paths are encoded once (the canonical path is sent as it is signed).
  const inbound = new SignatureV4({ credentials: { accessKeyId, secretAccessKey }, region, service: "s3", sha256: Sha256, uriEscapePath: false, applyChecksum: false });
  const outbound = new SignatureV4({
    credentials: { accessKeyId: target.facts.accessKeyId, secretAccessKey: target.facts.secretAccessKey },
    region,
    service: "s3",
    sha256: Sha256,
    uriEscapePath: false,
  });
  const secure = upstream.origin.protocol === "https:";
  const ca = secure ? trustedCertificates() : undefined;
  const stats = { forwarded: 0, aclHeadersDropped: 0, refused: 0 };
  const sockets = new Set<net.Socket>();

  /** The signature check of a connection's first request: the run's key, over what rclone signed. */
  const signatureProblem = async (head: RequestHead, path: string, query: Record<string, string | string[]>): Promise<Refusal | undefined> => {
    const auth = parseAuthorization(head.headers.authorization);
    const signingDate = parseAmzDate(head.headers["x-amz-date"]);
    if (!auth || auth.accessKeyId !== accessKeyId || !signingDate) return { status: 403, code: "AccessDenied", message: "this front accepts only requests signed with the migrate run's own key" };
    const signed: Record<string, string> = {};
    for (const name of auth.signedHeaders) {
      const value = head.headers[name];
      if (value === undefined) return { status: 403, code: "AccessDenied", message: `signed header ${name} is missing` };
      signed[name] = value;
    }
    const expected = await inbound.sign(
      { method: head.method, protocol: "http:", hostname: "127.0.0.1", path, query, headers: signed },
      { signingDate, signingRegion: auth.region, signingService: auth.service, signableHeaders: new Set(auth.signedHeaders) },
    );
    const computed = Buffer.from(parseAuthorization(expected.headers.authorization)?.signature ?? "");
    if (computed.length !== auth.signature.length || !timingSafeEqual(computed, Buffer.from(auth.signature))) {
      return { status: 403, code: "SignatureDoesNotMatch", message: "the request's signature does not match the migrate run's key" };
    }
    return undefined;
  };

  /** The rewritten head for the real endpoint, or the refusal. */
  const rewrite = async (head: RequestHead, verified: boolean): Promise<{ head: string; bodyBytes: number } | Refusal> => {
    if (head.headers["transfer-encoding"] !== undefined) return { status: 501, code: "NotImplemented", message: "chunked request bodies are not passed on by this front" };
    // Chunk signatures chain off the seed signature, which the front replaces (rclone 1.60 does not send these).
    if (/^STREAMING-/.test(head.headers["x-amz-content-sha256"] ?? "")) return { status: 501, code: "NotImplemented", message: "aws-chunked payloads cannot be re-signed by this front" };
    const bodyBytes = Number(head.headers["content-length"] ?? "0");
    if (!Number.isSafeInteger(bodyBytes) || bodyBytes < 0) return { status: 400, code: "BadRequest", message: "invalid Content-Length" };
    const question = head.target.indexOf("?");
    const rawPath = question < 0 ? head.target : head.target.slice(0, question);
    let query: Record<string, string | string[]>;
    let request;
    try {
      query = parseQuery(question < 0 ? "" : head.target.slice(question + 1));
      request = upstreamRequest(rawPath, upstream);
    } catch {
      return { status: 400, code: "InvalidURI", message: "malformed escape in the request target" };
    }
    if (verified) {
      if (parseAuthorization(head.headers.authorization)?.accessKeyId !== accessKeyId) return { status: 403, code: "AccessDenied", message: "this front accepts only requests signed with the migrate run's own key" };
    } else {
      const problem = await signatureProblem(head, rawPath, query);
      if (problem) return problem;
    }
    if ("problem" in request) return { status: 403, code: "AccessDenied", message: request.problem };
    const { headers, droppedAcl } = forwardHeaders(head.method, head.headers, request.host);
    stats.aclHeadersDropped += droppedAcl.length;
    const signed = await outbound.sign({ method: head.method, protocol: upstream.origin.protocol, hostname: request.hostname, path: request.path, query, headers });
    const queryString = getCanonicalQuery({ query } as Parameters<typeof getCanonicalQuery>[0]);
    stats.forwarded++;
    return { head: serializeRequestHead(head.method, queryString ? `${request.path}?${queryString}` : request.path, signed.headers), bodyBytes };
  };

  const connectUpstream = (): net.Socket => {
    const { hostname } = upstreamRequest(`/${upstream.bucket}`, upstream) as { hostname: string };
    const port = Number(upstream.origin.port || (secure ? 443 : 80));
    const socket = secure
      ? tls.connect({ host: hostname, port, servername: net.isIP(hostname) ? undefined : hostname, ALPNProtocols: ["http/1.1"], ca })
      : net.connect({ host: hostname, port });
    socket.setNoDelay(true);
    return socket;
  };

  const serve = (client: net.Socket) => {
    sockets.add(client);
    client.setNoDelay(true);
    let server: net.Socket | undefined;
    let pending: Buffer = Buffer.alloc(0);
    let bodyLeft = 0;
    let verified = false;
    let working = false;
    const refuse = (refusal: Refusal) => {
      stats.refused++;
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${escapeXml(refusal.message)}</Message></Error>`;
      client.end(`HTTP/1.1 ${refusal.status} ${REASONS[refusal.status] ?? "Error"}\r\ncontent-type: application/xml\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
      server?.destroy();
      working = true; // nothing more is read from this connection
    };
    const forwardBody = (): boolean => {
      if (bodyLeft === 0 || pending.length === 0) return true;
      const chunk = pending.subarray(0, Math.min(bodyLeft, pending.length));
      pending = pending.subarray(chunk.length);
      bodyLeft -= chunk.length;
      if (server!.write(chunk)) return true;
      client.pause();
      server!.once("drain", () => (client.resume(), pump()));
      return false;
    };
    const pump = () => {
      while (!working) {
        if (!forwardBody() || bodyLeft > 0) return;
        const end = pending.indexOf(HEAD_END);
        if (end < 0) {
          if (pending.length > MAX_HEAD_BYTES) refuse({ status: 431, code: "RequestHeaderSectionTooLarge", message: "request head too large" });
          return;
        }
        const parsed = parseRequestHead(pending.subarray(0, end).toString("latin1"));
        pending = pending.subarray(end + HEAD_END.length);
        if ("problem" in parsed) return refuse({ status: 400, code: "BadRequest", message: parsed.problem });
        working = true;
        client.pause();
        rewrite(parsed, verified).then(
          (result) => {
            if ("status" in result) return refuse(result);
            verified = true;
            if (!server) {
              server = connectUpstream();
              sockets.add(server);
              // The server's answers go back as they come; when it closes, the client's connection ends after them.
              server.pipe(client);
              let answered = false;
              server.once("data", () => (answered = true));
              // Unreachable before any answer (DNS, refused, TLS): rclone's error then names the cause.
              server.on("error", (error) => (answered ? client.destroy() : refuse({ status: 502, code: "BadGateway", message: `the front could not reach ${upstream.origin.host}: ${error.message}` })));
              server.on("close", () => sockets.delete(server!));
            }
            // Head and the body bytes already read leave in one write (one syscall instead of two per upload).
            server.cork();
            server.write(result.head, "latin1");
            bodyLeft = result.bodyBytes;
            working = false;
            client.resume();
            pump();
            server.uncork();
          },
          (error: unknown) => refuse({ status: 400, code: "BadRequest", message: error instanceof Error ? error.message : String(error) }),
        );
      }
    };
    client.on("data", (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      pump();
    });
    client.on("end", () => server?.end());
    client.on("error", () => server?.destroy());
    client.on("close", () => (sockets.delete(client), server?.destroy()));
  };

  const listener = net.createServer(serve);
  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(0, "127.0.0.1", resolve);
  });
  const { port } = listener.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accessKeyId,
    secretAccessKey,
    stats,
    close: () =>
      new Promise((resolve) => {
        listener.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
