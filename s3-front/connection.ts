import type * as net from "node:net";
import type { AclFront } from "./acl-front";
import { MAX_HEAD_BYTES, parseRequestHead } from "./front-request";

/** A request the front answers itself, as S3 would: status, S3 error code, message. */
export type Refusal = { status: number; code: string; message: string };

const REASONS: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  431: "Request Header Fields Too Large",
  501: "Not Implemented",
  502: "Bad Gateway",
};
const HEAD_END = Buffer.from("\r\n\r\n");

/**
 * One client connection through the front (./acl-front.ts), with its own connection to the real endpoint.
 * Request heads are read and rewritten by the front; request bodies (Content-Length bytes) and everything the
 * server answers (100 Continue, status, headers, body) pass through as bytes, unparsed. The first request must
 * carry a valid signature of the run's key; later ones must name the run's key.
 */
export class FrontConnection {
  private server: net.Socket | undefined;
  /** Bytes read from the client and not yet passed on. */
  private pending: Buffer = Buffer.alloc(0);
  /** Body bytes of the current request still to pass on. */
  private bodyLeft = 0;
  /** The first request carried a valid signature of the run's key. */
  private verified = false;
  /** A head is being rewritten (or the connection was refused): nothing more is read until it is done. */
  private working = false;

  constructor(
    private readonly client: net.Socket,
    private readonly front: AclFront,
  ) {
    front.track(client);
    client.setNoDelay(true);
    client.on("data", (chunk: Buffer) => {
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      this.pump();
    });
    client.on("end", () => this.server?.end());
    client.on("error", () => this.server?.destroy());
    client.on("close", () => this.server?.destroy());
  }

  /** Passes on what the client sent: body bytes first, then each complete head, rewritten. */
  private pump(): void {
    while (!this.working) {
      if (!this.forwardBody() || this.bodyLeft > 0) return;
      const end = this.pending.indexOf(HEAD_END);
      if (end < 0) {
        if (this.pending.length > MAX_HEAD_BYTES)
          this.refuse({ status: 431, code: "RequestHeaderSectionTooLarge", message: "request head too large" });
        return;
      }
      const parsed = parseRequestHead(this.pending.subarray(0, end).toString("latin1"));
      this.pending = this.pending.subarray(end + HEAD_END.length);
      if ("problem" in parsed) return this.refuse({ status: 400, code: "BadRequest", message: parsed.problem });
      this.working = true;
      this.client.pause();
      this.front.rewrite(parsed, this.verified).then(
        (result) => ("status" in result ? this.refuse(result) : this.send(result.head, result.bodyBytes)),
        (error: unknown) =>
          this.refuse({
            status: 400,
            code: "BadRequest",
            message: error instanceof Error ? error.message : String(error),
          }),
      );
    }
  }

  /** Passes on the body bytes already read; false when the server must drain first (then pumping resumes). */
  private forwardBody(): boolean {
    if (this.bodyLeft === 0 || this.pending.length === 0) return true;
    const chunk = this.pending.subarray(0, Math.min(this.bodyLeft, this.pending.length));
    this.pending = this.pending.subarray(chunk.length);
    this.bodyLeft -= chunk.length;
    if (this.server!.write(chunk)) return true;
    this.client.pause();
    this.server!.once("drain", () => (this.client.resume(), this.pump()));
    return false;
  }

  /** Sends a rewritten head (and the body bytes already read after it) to the real endpoint. */
  private send(head: string, bodyBytes: number): void {
    this.verified = true;
    const server = this.server ?? this.openUpstream();
    // Head and the body bytes already read leave in one write (one syscall instead of two per upload).
    server.cork();
    server.write(head, "latin1");
    this.bodyLeft = bodyBytes;
    this.working = false;
    this.client.resume();
    this.pump();
    server.uncork();
  }

  /** The connection to the real endpoint: its answers go back as they come; when it closes, the client's ends after them. */
  private openUpstream(): net.Socket {
    const server = this.front.connectUpstream();
    this.server = server;
    this.front.track(server);
    server.pipe(this.client);
    let answered = false;
    server.once("data", () => (answered = true));
    // Unreachable before any answer (DNS, refused, TLS): rclone's error then names the cause.
    server.on("error", (error) =>
      answered
        ? this.client.destroy()
        : this.refuse({
            status: 502,
            code: "BadGateway",
            message: `the front could not reach ${this.front.upstream.origin.host}: ${error.message}`,
          }),
    );
    return server;
  }

  /** Answers the client with an S3 error and closes the connection; nothing more is read from it. */
  private refuse(refusal: Refusal): void {
    this.front.stats.refused++;
    this.client.end(refusalResponse(refusal));
    this.server?.destroy();
    this.working = true;
  }
}

/** The HTTP answer of a refusal: S3's XML error document, and the connection closed. */
export function refusalResponse(refusal: Refusal): string {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${escapeXml(refusal.message)}</Message></Error>`;
  return `HTTP/1.1 ${refusal.status} ${REASONS[refusal.status] ?? "Error"}\r\ncontent-type: application/xml\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
