import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { refusalFor, type Refusal } from "./refusals";

/** How the front answers anonymous media requests, when it plays a media host (CDN) in front of RGW. */
export type MediaMode =
  /** Serves BUCKET at its root, as a CDN or custom domain does: GET /KEY -> RGW /BUCKET/KEY. */
  | { kind: "bucket-at-root"; bucket: string }
  /** Answers every GET with a permanent redirect to `target` + the path (a media host that moved). */
  | { kind: "redirect"; target: string };

export interface Front {
  /** http://127.0.0.1:PORT */
  url: string;
  host: string;
  /** Requests the front refused, as "STATUS CODE METHOD PATH". */
  refused: string[];
  /** How many requests reached the front. */
  requests: () => number;
  /** Requests that carried an ACL header (x-amz-acl, x-amz-grant-*), refused or not, as "METHOD PATH header". */
  aclHeaders: string[];
  close(): Promise<void>;
}

/**
 * A small fault-injection HTTP front before the real Ceph RGW: refusals as providers answer them (./refusals.ts),
 * everything else forwarded byte for byte with the client's Host header, so RGW checks the client's own signature.
 */
export async function startFront(
  upstream: string,
  options: { refusals?: Refusal[]; media?: MediaMode } = {},
): Promise<Front> {
  const target = new URL(upstream);
  const refused: string[] = [];
  const aclHeaders: string[] = [];
  let requests = 0;
  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    const method = req.method ?? "GET";
    requests++;
    for (const name of Object.keys(req.headers).filter((n) => n === "x-amz-acl" || n.startsWith("x-amz-grant-"))) {
      aclHeaders.push(`${method} ${url.split("?")[0]} ${name}`);
    }
    const refusal = refusalFor(options.refusals ?? [], method, url, req.headers);
    if (refusal) {
      refused.push(`${refusal.status} ${refusal.code} ${method} ${url.split("?")[0]}`);
      req.resume();
      const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${refusal.code}</Code><Message>${refusal.message}</Message></Error>`;
      res.writeHead(refusal.status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const media = options.media;
    if (media?.kind === "redirect") {
      req.resume();
      res.writeHead(301, { location: `${media.target}${url}` });
      res.end();
      return;
    }
    let path = url;
    const headers = { ...req.headers };
    if (media?.kind === "bucket-at-root") {
      path = `/${media.bucket}${url === "/" ? "/" : url}`;
      headers.host = target.host;
    }
    const forward = http.request({ host: target.hostname, port: target.port, method, path, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    refused,
    requests: () => requests,
    aclHeaders,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
