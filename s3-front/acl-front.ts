import { randomBytes, timingSafeEqual } from "node:crypto";
import * as net from "node:net";
import * as tls from "node:tls";
import { Sha256 } from "@smithy/core/checksum";
import { getCanonicalQuery, SignatureV4 } from "@smithy/signature-v4";
import { FrontConnection, type Refusal } from "./connection";
import {
  forwardHeaders,
  parseAmzDate,
  parseAuthorization,
  parseQuery,
  serializeRequestHead,
  upstreamRequest,
  type RequestHead,
  type Upstream,
} from "./front-request";
import { usesPathStyle, type VerifyTarget } from "../mastodon-env/target";
import { trustedCertificates } from "./trusted-ca";

export interface FrontStats {
  /** Requests forwarded. */
  forwarded: number;
  /** ACL headers dropped. */
  aclHeadersDropped: number;
  /** Requests refused (bad or foreign signature, other bucket, a body the front cannot pass on). */
  refused: number;
}

/** Where the front sends `target`'s requests: its API endpoint, path or virtual-hosted style as rclone would. */
export function upstreamOf(target: VerifyTarget): Upstream {
  return {
    origin: new URL(target.apiEndpoint.origin),
    virtualHosted: !usesPathStyle(target),
    bucket: target.facts.bucket,
  };
}

const FOREIGN_KEY: Refusal = {
  status: 403,
  code: "AccessDenied",
  message: "this front accepts only requests signed with the migrate run's own key",
};

/**
 * migrate's ACL-dropping front. Debian's rclone 1.60 sends `x-amz-acl` on every upload, even with `acl` unset
 * (it becomes `private`); Cloudflare R2 refuses every ACL header (501 NotImplemented, R2 docs "S3 API
 * compatibility"), and an AWS bucket with ACLs disabled refuses all but bucket-owner-full-control. In no-ACL
 * mode (S3_PERMISSION empty) rclone therefore talks to this front on 127.0.0.1, which drops the ACL headers,
 * signs each request anew (SigV4, @smithy/signature-v4) with the writer's real credentials, and passes body
 * and answer through as bytes. The real credentials stay in this process; rclone gets per-run ones that only
 * this front accepts.
 *
 * Each client connection (./connection.ts) gets its own connection to the real endpoint: request heads are read and rewritten,
 * bodies (Content-Length bytes) and everything the server answers (100 Continue, status, headers, body) are
 * passed on unchanged, without parsing. That keeps the hop cheap: a first version on Node's http.Server and
 * http.request took about 1.5 times the CPU, and the copy about twice as long over bare rclone, in the migrate e2e
 * bench (docs/performance.md). The first request of a connection must carry a valid signature of the run's key;
 * later ones must name the run's key (another local user cannot write into an established TCP connection).
 */
export class AclFront {
  /** Per-run credentials for rclone (never the writer's). */
  readonly accessKeyId = `MIGRATEFRONT${randomBytes(8).toString("hex").toUpperCase()}`;
  readonly secretAccessKey = randomBytes(30).toString("base64url");
  readonly stats: FrontStats = { forwarded: 0, aclHeadersDropped: 0, refused: 0 };
  readonly upstream: Upstream;
  /** Checks rclone's signatures (the run's key). uriEscapePath false: S3 paths are encoded once, as signed. */
  private readonly inbound: SignatureV4;
  /** Signs for the real endpoint with the writer's credentials, which stay in this process. */
  private readonly outbound: SignatureV4;
  private readonly secure: boolean;
  /** One secure context for every connection: the trusted certificates (hundreds) parsed once, not per connection. */
  private readonly secureContext: tls.SecureContext | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly listener = net.createServer((client) => new FrontConnection(client, this));
  private port = 0;

  /** Starts the front for `target` on 127.0.0.1, on a free port the system picks. */
  static async start(target: VerifyTarget): Promise<AclFront> {
    const front = new AclFront(target);
    await new Promise<void>((resolve, reject) => {
      front.listener.once("error", reject);
      front.listener.listen(0, "127.0.0.1", resolve);
    });
    front.port = (front.listener.address() as net.AddressInfo).port;
    return front;
  }

  private constructor(target: VerifyTarget) {
    const region = target.facts.region;
    this.upstream = upstreamOf(target);
    this.inbound = new SignatureV4({
      credentials: { accessKeyId: this.accessKeyId, secretAccessKey: this.secretAccessKey },
      region,
      service: "s3",
      sha256: Sha256,
      uriEscapePath: false,
      applyChecksum: false,
    });
    this.outbound = new SignatureV4({
      credentials: { accessKeyId: target.facts.accessKeyId, secretAccessKey: target.facts.secretAccessKey },
      region,
      service: "s3",
      sha256: Sha256,
      uriEscapePath: false,
    });
    this.secure = this.upstream.origin.protocol === "https:";
    this.secureContext = this.secure ? tls.createSecureContext({ ca: trustedCertificates() }) : undefined;
  }

  /** `http://127.0.0.1:PORT`: rclone's DST endpoint (path style). */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Tracks a socket (client or upstream) so that `close` ends it. */
  track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
  }

  /**
   * The head rewritten for the real endpoint (ACL headers dropped, signed anew), with the body length that
   * follows it, or the refusal. `verified`: this connection's first request already carried a valid signature.
   */
  async rewrite(head: RequestHead, verified: boolean): Promise<{ head: string; bodyBytes: number } | Refusal> {
    if (head.headers["transfer-encoding"] !== undefined)
      return { status: 501, code: "NotImplemented", message: "chunked request bodies are not passed on by this front" };
    // Chunk signatures chain off the seed signature, which the front replaces (rclone 1.60 does not send these).
    if (/^STREAMING-/.test(head.headers["x-amz-content-sha256"] ?? ""))
      return { status: 501, code: "NotImplemented", message: "aws-chunked payloads cannot be re-signed by this front" };
    const bodyBytes = Number(head.headers["content-length"] ?? "0");
    if (!Number.isSafeInteger(bodyBytes) || bodyBytes < 0)
      return { status: 400, code: "BadRequest", message: "invalid Content-Length" };
    const question = head.target.indexOf("?");
    const rawPath = question < 0 ? head.target : head.target.slice(0, question);
    let query: Record<string, string | string[]>;
    let request;
    try {
      query = parseQuery(question < 0 ? "" : head.target.slice(question + 1));
      request = upstreamRequest(rawPath, this.upstream);
    } catch {
      return { status: 400, code: "InvalidURI", message: "malformed escape in the request target" };
    }
    if (verified) {
      if (parseAuthorization(head.headers.authorization)?.accessKeyId !== this.accessKeyId) return FOREIGN_KEY;
    } else {
      const problem = await this.signatureProblem(head, rawPath, query);
      if (problem) return problem;
    }
    if ("problem" in request) return { status: 403, code: "AccessDenied", message: request.problem };
    const { headers, droppedAcl } = forwardHeaders(head.method, head.headers, request.host);
    this.stats.aclHeadersDropped += droppedAcl.length;
    const signed = await this.outbound.sign({
      method: head.method,
      protocol: this.upstream.origin.protocol,
      hostname: request.hostname,
      path: request.path,
      query,
      headers,
    });
    const queryString = getCanonicalQuery({ query } as Parameters<typeof getCanonicalQuery>[0]);
    this.stats.forwarded++;
    return {
      head: serializeRequestHead(
        head.method,
        queryString ? `${request.path}?${queryString}` : request.path,
        signed.headers,
      ),
      bodyBytes,
    };
  }

  /** A new connection to the real endpoint (TLS with the trusted CAs when it is https). */
  connectUpstream(): net.Socket {
    const { hostname } = upstreamRequest(`/${this.upstream.bucket}`, this.upstream) as { hostname: string };
    const port = Number(this.upstream.origin.port || (this.secure ? 443 : 80));
    const socket = this.secure
      ? tls.connect({
          host: hostname,
          port,
          servername: net.isIP(hostname) ? undefined : hostname,
          ALPNProtocols: ["http/1.1"],
          secureContext: this.secureContext,
        })
      : net.connect({ host: hostname, port });
    socket.setNoDelay(true);
    return socket;
  }

  /** Stops listening and closes every connection. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.listener.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  /** The signature check of a connection's first request: the run's key, over what rclone signed. */
  private async signatureProblem(
    head: RequestHead,
    path: string,
    query: Record<string, string | string[]>,
  ): Promise<Refusal | undefined> {
    const auth = parseAuthorization(head.headers.authorization);
    const signingDate = parseAmzDate(head.headers["x-amz-date"]);
    if (!auth || auth.accessKeyId !== this.accessKeyId || !signingDate) return FOREIGN_KEY;
    const signed: Record<string, string> = {};
    for (const name of auth.signedHeaders) {
      const value = head.headers[name];
      if (value === undefined)
        return { status: 403, code: "AccessDenied", message: `signed header ${name} is missing` };
      signed[name] = value;
    }
    const expected = await this.inbound.sign(
      { method: head.method, protocol: "http:", hostname: "127.0.0.1", path, query, headers: signed },
      {
        signingDate,
        signingRegion: auth.region,
        signingService: auth.service,
        signableHeaders: new Set(auth.signedHeaders),
      },
    );
    const computed = Buffer.from(parseAuthorization(expected.headers.authorization)?.signature ?? "");
    if (computed.length !== auth.signature.length || !timingSafeEqual(computed, Buffer.from(auth.signature))) {
      return {
        status: 403,
        code: "SignatureDoesNotMatch",
        message: "the request's signature does not match the migrate run's key",
      };
    }
    return undefined;
  }
}
