import { errorCode } from "../io/http";
import { systemClock, type Clock } from "../retry";

/** The fields of Mastodon's MediaAttachment entity this check reads (docs.joinmastodon.org, "MediaAttachment"). */
export interface MediaAttachment {
  id: string;
  type: string;
  /** null while the upload is still being processed (POST /api/v2/media answered 202). */
  url: string | null;
  preview_url: string | null;
  description?: string | null;
}

/** One API answer: the status, the parsed JSON body, Mastodon's `error` text, and how many 429 waits it took. */
export interface ApiAnswer<T = unknown> {
  status: number;
  body?: T;
  /** The `error` field of Mastodon's error entity ({"error": "..."}), if any. */
  error?: string;
  /** On a 429 that was not retried: the wait the server asked for, in ms (Retry-After). */
  retryAfterMs?: number;
  /** 429 answers that were waited out before this answer. */
  rateLimitedWaits: number;
  /** Set instead of a status when no HTTP answer came (ENOTFOUND, ECONNREFUSED, a timeout...). */
  network?: string;
  /** Location of a redirect (3xx): verify does not follow redirects on the API. */
  location?: string;
}

/**
 * Upper bound on all Retry-After waits of a run, in ms. Mastodon limits media uploads to 30 per 30 minutes
 * (docs.joinmastodon.org, "Rate limits"): a wait longer than a minute is reported rather than sat through.
 */
export const MAX_RETRY_AFTER_MS = 60_000;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The four calls of the round trip, on plain fetch: each answer's status, `Retry-After` and error text are the
 * finding, which a client library would hide behind its own errors and polling. The token travels only in the
 * Authorization header, never in a URL.
 */
export class MastodonApi {
  private waitedMs = 0;

  constructor(
    private readonly base: URL,
    private readonly token: string,
    private readonly signal: AbortSignal,
    private readonly clock: Clock = systemClock,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** POST /api/v2/media (Mastodon 3.1.3+): 200 when processed at once, 202 with `url: null` while processing. */
  upload(file: Buffer, fileName: string, description: string): Promise<ApiAnswer<MediaAttachment>> {
    return this.request<MediaAttachment>("POST", "/api/v2/media", () => {
      const form = new FormData();
      form.append("file", new Blob([new Uint8Array(file)], { type: "image/png" }), fileName);
      form.append("description", description);
      return form;
    });
  }

  /**
   * GET /api/v2/instance (Mastodon 4.0+): the instance entity, whose `version` tells what the API offers
   * (version.ts). Public: the token is sent as for every call and ignored there.
   */
  instance(): Promise<ApiAnswer<{ version?: unknown }>> {
    return this.request<{ version?: unknown }>("GET", "/api/v2/instance");
  }

  /** GET /api/v1/media/:id: 206 while processing, 200 when done, 404 when it does not exist (or is not ours). */
  get(id: string): Promise<ApiAnswer<MediaAttachment>> {
    return this.request<MediaAttachment>("GET", `/api/v1/media/${encodeURIComponent(id)}`);
  }

  /**
   * DELETE /api/v1/media/:id (Mastodon 4.4+: version.ts): 200 `{}` when deleted (render_empty). Mastodon itself
   * refuses (422) to delete an attachment that a status uses, and this check only ever deletes the attachment it
   * uploaded in the same run. On 4.3: 404 `{"error":"Not Found"}` (no such route).
   */
  remove(id: string): Promise<ApiAnswer<MediaAttachment>> {
    return this.request<MediaAttachment>("DELETE", `/api/v1/media/${encodeURIComponent(id)}`);
  }

  private async request<T>(method: string, path: string, body?: () => FormData): Promise<ApiAnswer<T>> {
    let rateLimitedWaits = 0;
    for (;;) {
      let response: Response;
      try {
        response = await this.fetchImpl(new URL(path, this.base), {
          method,
          headers: { authorization: `Bearer ${this.token}`, accept: "application/json" },
          body: body?.(),
          redirect: "manual",
          signal: AbortSignal.any([this.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
        });
      } catch (error) {
        if (this.signal.aborted) throw error;
        const cause = (error as { cause?: unknown }).cause;
        return { status: 0, network: errorCode(cause ?? error), rateLimitedWaits };
      }
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      const error =
        typeof (parsed as { error?: unknown })?.error === "string" ? (parsed as { error: string }).error : undefined;
      if (response.status === 429) {
        // Retry-After when a proxy or a newer Mastodon sends it; Mastodon's own X-RateLimit-Reset otherwise.
        const waitMs =
          retryAfterMs(response.headers.get("retry-after"), this.clock.now()) ??
          retryAfterMs(response.headers.get("x-ratelimit-reset"), this.clock.now());
        if (waitMs !== undefined && this.waitedMs + waitMs <= MAX_RETRY_AFTER_MS) {
          this.waitedMs += waitMs;
          rateLimitedWaits++;
          await this.clock.sleep(waitMs, this.signal);
          continue;
        }
        return { status: 429, error, retryAfterMs: waitMs, rateLimitedWaits };
      }
      return {
        status: response.status,
        body: response.ok && parsed !== undefined ? (parsed as T) : undefined,
        error,
        location: response.headers.get("location") ?? undefined,
        rateLimitedWaits,
      };
    }
  }
}

/**
 * Reads `Retry-After` (RFC 9110, section 10.2.3: delay-seconds or an HTTP-date) or Mastodon's
 * `X-RateLimit-Reset` (an ISO 8601 time, docs.joinmastodon.org "Rate limits"). Returns ms to wait, or
 * undefined when absent or unreadable.
 */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
