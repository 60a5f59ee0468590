import { randomBytes, timingSafeEqual } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { Sha256 } from "@smithy/core/checksum";
import { getCanonicalQuery, SignatureV4 } from "@smithy/signature-v4";
import type { VerifyTarget } from "../verify/target";
import { forwardHeaders, parseAmzDate, parseAuthorization, parseQuery, responseHeaders, upstreamRequest, type Upstream } from "./front-request";
import { usesPathStyle } from "./rclone";

/**
 * migrate's ACL-dropping front. Debian's rclone 1.60 sends `x-amz-acl` on every upload, even with `acl` unset
 * (it becomes `private`); Cloudflare R2 refuses every ACL header (501 NotImplemented, R2 docs "S3 API
 * compatibility"), and an AWS bucket with ACLs disabled refuses all but bucket-owner-full-control. In no-ACL
 * mode (S3_PERMISSION empty) rclone therefore talks to this front on 127.0.0.1, which drops the ACL headers,
 * signs each request anew (SigV4, @smithy/signature-v4) with the writer's real credentials, and streams
 * body and answer through. The real credentials stay in this process; rclone gets per-run ones that only this
 * front accepts (their signature is checked: another local user cannot use the front without them).
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
  const agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const stats = { forwarded: 0, aclHeadersDropped: 0, refused: 0 };

  const refuse = (res: http.ServerResponse, status: number, code: string, message: string) => {
    stats.refused++;
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`;
    res.writeHead(status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
    res.end(body);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const method = req.method ?? "GET";
    const url = req.url ?? "/";
    const question = url.indexOf("?");
    const rawPath = question < 0 ? url : url.slice(0, question);
    let query: Record<string, string | string[]>;
    try {
      query = parseQuery(question < 0 ? "" : url.slice(question + 1));
    } catch {
      return refuse(res, 400, "InvalidURI", "malformed escape in the query string");
    }
    const auth = parseAuthorization(req.headers.authorization);
    const signingDate = parseAmzDate(header(req.headers["x-amz-date"]));
    if (!auth || auth.accessKeyId !== accessKeyId || !signingDate) {
      return refuse(res, 403, "AccessDenied", "this front accepts only requests signed with the migrate run's own key");
    }
    const signedHeaders: Record<string, string> = {};
    for (const name of auth.signedHeaders) {
      const value = header(req.headers[name]);
      if (value === undefined) return refuse(res, 403, "AccessDenied", `signed header ${name} is missing`);
      signedHeaders[name] = value;
    }
    const expected = await inbound.sign(
      { method, protocol: "http:", hostname: "127.0.0.1", path: rawPath, query, headers: signedHeaders },
      { signingDate, signingRegion: auth.region, signingService: auth.service, signableHeaders: new Set(auth.signedHeaders) },
    );
    const computed = parseAuthorization(expected.headers.authorization)?.signature ?? "";
    if (computed.length !== auth.signature.length || !timingSafeEqual(Buffer.from(computed), Buffer.from(auth.signature))) {
      return refuse(res, 403, "SignatureDoesNotMatch", "the request's signature does not match the migrate run's key");
    }
    if (/^STREAMING-/.test(header(req.headers["x-amz-content-sha256"]) ?? "")) {
      // Chunk signatures chain off the seed signature, which the front replaces (rclone 1.60 does not send these).
      return refuse(res, 501, "NotImplemented", "aws-chunked payloads cannot be re-signed by this front");
    }
    let target;
    try {
      target = upstreamRequest(rawPath, upstream);
    } catch {
      return refuse(res, 400, "InvalidURI", "malformed escape in the path");
    }
    if ("problem" in target) return refuse(res, 403, "AccessDenied", target.problem);

    const { headers, droppedAcl } = forwardHeaders(method, req.headers, target.host);
    stats.aclHeadersDropped += droppedAcl.length;
    const signed = await outbound.sign({ method, protocol: upstream.origin.protocol, hostname: target.hostname, path: target.path, query, headers });
    const queryString = getCanonicalQuery({ query } as Parameters<typeof getCanonicalQuery>[0]);
    stats.forwarded++;
    const forward = (secure ? https : http).request({
      agent,
      hostname: target.hostname,
      port: target.port || undefined,
      method,
      path: queryString ? `${target.path}?${queryString}` : target.path,
      headers: signed.headers,
    });
    forward.on("response", (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, responseHeaders(answer.rawHeaders));
      answer.pipe(res);
    });
    forward.on("error", (error) => {
      if (res.headersSent) return void res.destroy(error);
      refuse(res, 502, "BadGateway", `the front could not reach ${upstream.origin.host}: ${error.message}`);
    });
    res.on("close", () => {
      if (!res.writableFinished) forward.destroy();
    });
    req.pipe(forward);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      refuse(res, 500, "InternalError", error instanceof Error ? error.message : String(error));
    });
  });
  // rclone keeps connections open between requests, and a large upload may take longer than Node's 5-minute
  // request timeout: idle connections are closed by rclone first, and no request is cut short by the front.
  server.keepAliveTimeout = 120_000;
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accessKeyId,
    secretAccessKey,
    stats,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
