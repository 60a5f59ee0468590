import { randomBytes } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { parseEnvFile } from "../../mastodon-env/env-file";
import { publicObjectUrl } from "../../components/env";
import { writerClient } from "../../live-checks/io/s3";
import { readTarget, type VerifyTarget } from "../../mastodon-env/target";
import { idPartition } from "../../live-checks/mastodon/media-url";
import { MASTODON_CACHE_CONTROL } from "../../live-checks/mastodon/served";

/**
 * A stand-in for a Mastodon instance's media API, answering as the controllers of the version it plays do
 * (read at glitch-soc/mastodon tags v4.3.23, v4.4.22, v4.5.15, v4.6.5 and main, 4.7.0-alpha.2; the media API
 * is the same in all but the DELETE route):
 * - routing first (config/routes.rb, config/routes/api.rb): a path or method without a route falls to
 *   `match '*unmatched_route'` -> ApplicationController#raise_not_found -> 404, `{"error":"Not Found"}` for a
 *   JSON client (respond_with_error), HTML otherwise; before 4.4 that includes DELETE /api/v1/media/:id;
 * - GET /health: 200 `OK`, no token (HealthController); GET /api/v2/instance: the instance entity, no token;
 * - doorkeeper: 401 {"error":"The access token is invalid"}, 403 {"error":"This action is outside the
 *   authorized scopes"} (app/controllers/api/base_controller.rb);
 * - POST /api/v2/media stores the original synchronously and answers 202 with `url: null`; a storage error is
 *   not rescued by the controller, so Rails' PublicExceptions answers 500 {"status":500,"error":"Internal
 *   Server Error"}; a file that is not an image: 422 {"error":"Validation failed: ..."} (Api::ErrorHandling);
 *   over the limit, Rack::Attack's 429 {"error":"Too many requests"} with X-RateLimit-Reset (an ISO time) and
 *   no Retry-After (config/initializers/rack_attack.rb);
 * - GET /api/v1/media/:id: 206 while processing, then 200; 404 {"error":"Record not found"} when unknown;
 * - DELETE /api/v1/media/:id (4.4+): removes files and record, 200 `{}` (render_empty); unknown id:
 *   404 {"error":"Record not found"}.
 * Files go to the real local RGW with the headers Mastodon sends (Content-Type, Cache-Control, x-amz-acl from
 * S3_PERMISSION), under `[S3_KEY_PREFIX/]media_attachments/files/ID_PARTITION/original|small/NAME.png`.
 */

/** One release per line Mastodon 4.3 to 4.7 (glitch-soc's main names 4.7.0-alpha.2). */
export const MASTODON_VERSIONS = ["4.3.23", "4.4.22", "4.5.15", "4.6.5", "4.7.0-alpha.2"] as const;
/** The instance entity's `api_versions.mastodon` of each line (lib/mastodon/version.rb, Version.api_versions). */
const API_VERSIONS: Record<string, number> = { "4.3": 2, "4.4": 6, "4.5": 7, "4.6": 11, "4.7": 11 };
export interface FakeMastodonOptions {
  /** The .env.production the instance "runs with" (may differ from the one verify is given). */
  env: string;
  token: string;
  /** The token's scopes (default write:media). */
  scopes?: string[];
  /** How many GETs answer 206 before the upload is processed (default 2). */
  processingPolls?: number;
  /** The first N POSTs answer 429 with this Retry-After (seconds). */
  rateLimit?: { answers: number; retryAfterSeconds: number };
  /** Answer every upload 422 as when ImageMagick/libvips cannot read the file. */
  refuseFiles?: boolean;
  /** The version it plays (default the newest of MASTODON_VERSIONS); before 4.4 it has no DELETE route. */
  version?: string;
  /** Listen on this port (default: a free one), e.g. to start after verify did. */
  port?: number;
  /** GET /api/v2/instance answers 404 (a proxy that does not pass it): verify does not learn the version. */
  hideVersion?: boolean;
  /** The first N requests to /health answer 502, as nginx does while puma boots. */
  startingHealthChecks?: number;
}

interface Attachment {
  id: string;
  keys: { original: string; small: string };
  description: string;
  pollsLeft: number;
  bytes: Buffer;
  processed: boolean;
}

export interface FakeMastodon {
  url: string;
  /** Every request: method, path, status (for assertions about what verify did). */
  log: { method: string; path: string; status: number }[];
  /** Attachment ids still present. */
  attachments(): string[];
  close(): Promise<void>;
}

export async function startFakeMastodon(options: FakeMastodonOptions): Promise<FakeMastodon> {
  const parsed = parseEnvFile(options.env);
  const result = readTarget(parsed.values, parsed.malformed);
  if (!result.ok) throw new Error(`fake Mastodon env: ${result.problems.join("; ")}`);
  const target = result.target;
  const s3 = writerClient(target);
  const attachments = new Map<string, Attachment>();
  const log: FakeMastodon["log"] = [];
  let posts = 0;
  let healthChecks = 0;
  const version = options.version ?? MASTODON_VERSIONS[MASTODON_VERSIONS.length - 1];
  const [major, minor] = version.split(".").map(Number) as [number, number];
  const hasDelete = major > 4 || (major === 4 && minor >= 4);

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      handle(req, Buffer.concat(chunks))
        .catch((error: unknown) => ({ status: 500, body: { error: `fake Mastodon bug: ${String(error)}` } }) as Answer)
        .then((answer) => {
          log.push({ method: req.method ?? "", path: req.url ?? "", status: answer.status });
          res.writeHead(answer.status, { "content-type": "application/json; charset=utf-8", ...answer.headers });
          res.end(answer.raw ?? JSON.stringify(answer.body ?? {}));
        });
    });
  });

  type Answer = { status: number; body?: unknown; headers?: Record<string, string>; raw?: string };

  async function handle(req: http.IncomingMessage, body: Buffer): Promise<Answer> {
    const url = new URL(req.url ?? "/", "http://fake");
    const media = /^\/api\/v1\/media\/(\d+)$/.exec(url.pathname);
    const routed =
      (req.method === "GET" && (url.pathname === "/health" || url.pathname === "/api/v2/instance")) ||
      (req.method === "POST" && url.pathname === "/api/v2/media") ||
      (media !== null && (req.method === "GET" || req.method === "PUT" || (req.method === "DELETE" && hasDelete)));
    if (!routed) {
      // The catch-all route: ApplicationController#raise_not_found, rendered by respond_with_error(404).
      return /application\/json/.test(req.headers.accept ?? "")
        ? { status: 404, body: { error: "Not Found" } }
        : {
            status: 404,
            raw: "<!DOCTYPE html><html><body>The page you were looking for doesn't exist.</body></html>",
            headers: { "content-type": "text/html; charset=utf-8" },
          };
    }
    if (url.pathname === "/health") {
      if (++healthChecks <= (options.startingHealthChecks ?? 0)) {
        return {
          status: 502,
          raw: "<html><body><h1>502 Bad Gateway</h1></body></html>",
          headers: { "content-type": "text/html" },
        };
      }
      return { status: 200, raw: "OK", headers: { "content-type": "text/plain; charset=utf-8" } };
    }
    if (url.pathname === "/api/v2/instance" && options.hideVersion)
      return { status: 404, raw: "<html><body>404 Not Found</body></html>", headers: { "content-type": "text/html" } };
    if (url.pathname === "/api/v2/instance")
      return {
        status: 200,
        body: {
          domain: "social.example.com",
          title: "Mastodon",
          version,
          api_versions: { mastodon: API_VERSIONS[`${major}.${minor}`] ?? 0 },
        },
      };
    // app/controllers/api/base_controller.rb: doorkeeper answers 401 for a bad token, 403 for a missing scope.
    if (req.headers.authorization !== `Bearer ${options.token}`)
      return { status: 401, body: { error: "The access token is invalid" } };
    const scopes = options.scopes ?? ["write:media"];
    if (!scopes.some((scope) => scope === "write" || scope === "write:media")) {
      return { status: 403, body: { error: "This action is outside the authorized scopes" } };
    }
    if (req.method === "POST" && url.pathname === "/api/v2/media") {
      posts++;
      if (options.rateLimit && posts <= options.rateLimit.answers) {
        const reset = new Date(Date.now() + options.rateLimit.retryAfterSeconds * 1000).toISOString();
        return {
          status: 429,
          body: { error: "Too many requests" },
          headers: { "x-ratelimit-limit": "30", "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset },
        };
      }
      return upload(req, body);
    }
    const attachment = media ? attachments.get(media[1] as string) : undefined;
    if (!attachment) return { status: 404, body: { error: "Record not found" } };
    if (req.method === "GET") {
      if (attachment.pollsLeft > 0) {
        attachment.pollsLeft--;
        return { status: 206, body: entity(attachment, false) };
      }
      // "Processing" ends: the small version is written now, as sidekiq would.
      if (!attachment.processed) await put(s3, target, attachment.keys.small, attachment.bytes);
      attachment.processed = true;
      return { status: 200, body: entity(attachment, true) };
    }
    if (req.method === "DELETE") {
      for (const key of Object.values(attachment.keys))
        await s3.send(new DeleteObjectCommand({ Bucket: target.facts.bucket, Key: key }));
      attachments.delete(attachment.id);
      return { status: 200, body: {} };
    }
    return { status: 404, body: { error: "Record not found" } };
  }

  async function upload(req: http.IncomingMessage, body: Buffer): Promise<Answer> {
    const form = await new Request("http://fake/", {
      method: "POST",
      headers: { "content-type": req.headers["content-type"] ?? "" },
      body,
    }).formData();
    const file = form.get("file");
    if (!(file instanceof Blob)) return { status: 422, body: { error: "Validation failed: File can't be blank" } };
    const bytes = Buffer.from(await file.arrayBuffer());
    const png = bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    if (!png || options.refuseFiles)
      return { status: 422, body: { error: "Validation failed: File content type is invalid, File is invalid" } };
    // A snowflake-like id: milliseconds shifted left 16 bits plus a sequence (lib/mastodon/snowflake.rb).
    const id = ((BigInt(Date.now()) << 16n) | BigInt(randomBytes(2).readUInt16BE())).toString();
    const name = `${randomBytes(8).toString("hex")}.png`;
    const base = `${target.facts.keyPrefix ? `${target.facts.keyPrefix}/` : ""}media_attachments/files/${idPartition(id)}`;
    const attachment: Attachment = {
      id,
      keys: { original: `${base}/original/${name}`, small: `${base}/small/${name}` },
      description: String(form.get("description") ?? ""),
      pollsLeft: options.processingPolls ?? 2,
      bytes,
      processed: false,
    };
    try {
      await put(s3, target, attachment.keys.original, bytes);
    } catch {
      // The storage's error is not rescued by the controller: Rails' PublicExceptions renders it for JSON.
      return { status: 500, body: { status: 500, error: "Internal Server Error" } };
    }
    attachments.set(id, attachment);
    if (attachment.pollsLeft === 0) {
      await put(s3, target, attachment.keys.small, bytes);
      attachment.processed = true;
      return { status: 200, body: entity(attachment, true) };
    }
    return { status: 202, body: entity(attachment, false) };
  }

  function entity(attachment: Attachment, processed: boolean) {
    return {
      id: attachment.id,
      type: "image",
      url: processed ? publicObjectUrl(target.facts, attachment.keys.original) : null,
      preview_url: processed ? publicObjectUrl(target.facts, attachment.keys.small) : null,
      remote_url: null,
      preview_remote_url: null,
      text_url: null,
      meta: { original: { width: 16, height: 16 }, small: { width: 16, height: 16 } },
      description: attachment.description,
      blurhash: null,
    };
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    attachments: () => [...attachments.keys()],
    close: () =>
      new Promise<void>((resolve) => {
        s3.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** One upload with the headers Mastodon's Paperclip sends (config/initializers/paperclip.rb `s3_headers`, `s3_permissions`). */
async function put(s3: S3Client, target: VerifyTarget, key: string, body: Buffer): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: target.facts.bucket,
      Key: key,
      Body: body,
      ContentType: "image/png",
      CacheControl: MASTODON_CACHE_CONTROL,
      ...(target.uploadAcl ? { ACL: target.uploadAcl as "public-read" } : {}),
    }),
  );
}
