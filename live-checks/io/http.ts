import * as http from "node:http";
import * as https from "node:https";

/** An anonymous request, as a browser or another server would make it: no credential, no redirect following. */
export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** At most MAX_BODY_BYTES: enough to compare a probe or recognise a listing. */
  body: Buffer;
}

export const MAX_BODY_BYTES = 1 << 20;

export function httpRequest(url: string, request: HttpRequest = {}): Promise<HttpResponse> {
  const target = new URL(url);
  const client = target.protocol === "https:" ? https : http;
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers = { ...request.headers, ...(body ? { "content-length": String(body.length) } : {}) };
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      { method: request.method ?? "GET", headers, agent: false, signal: request.signal },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          if (size >= MAX_BODY_BYTES) return;
          chunks.push(chunk);
          size += chunk.length;
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: flatten(res.headers),
            body: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES),
          }),
        );
        res.on("error", reject);
      },
    );
    req.setTimeout(request.timeoutMs ?? 15_000, () =>
      req.destroy(Object.assign(new Error(`no answer from ${target.host}`), { code: "ETIMEDOUT" })),
    );
    req.on("error", reject);
    req.end(body);
  });
}

function flatten(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

/** The network error code of a failed request (ENOTFOUND, ECONNREFUSED, a TLS code...). */
export function errorCode(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown } | null;
  if (e && typeof e.code === "string") return e.code;
  if (e && typeof e.name === "string" && e.name !== "Error") return e.name;
  return "UnknownError";
}

/** One line for the report: the status and the S3 error code in an XML body, if any. */
export function describeResponse(response: HttpResponse): string {
  const code = /<Code>([^<]{1,64})<\/Code>/.exec(response.body.toString("utf8", 0, 4096))?.[1];
  return code ? `${response.status} ${code}` : String(response.status);
}
