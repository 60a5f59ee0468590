import { UserError } from "../components/errors";

/** How a purge back end waits and reports: injectable so that tests run the real code with short waits. */
export interface PurgeIo {
  /** Progress lines (standard error of the command). */
  say(text: string): void;
  sleep(ms: number): Promise<void>;
  now(): number;
}

export const REAL_IO: Omit<PurgeIo, "say"> = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
};

/** The longest a 429 may ask us to wait before we give up and say so (a takedown should not hang). */
export const MAX_RATE_LIMIT_WAIT_MS = 5 * 60 * 1000;

/** A CDN's API answered, but not with success: what it said (never the token). */
export class CdnRefused extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`HTTP ${status}: ${detail}`);
    this.name = "CdnRefused";
  }
}

/**
 * How long a 429 asks to wait, in ms: `Retry-After` in seconds or as an HTTP date (RFC 9110, section 10.2.3),
 * else DigitalOcean's `ratelimit-reset` (Unix time in seconds; DigitalOcean API reference, "Rate Limit"), else
 * `fallbackMs`.
 */
export function rateLimitWaitMs(headers: Headers, now: number, fallbackMs: number): number {
  const retryAfter = headers.get("retry-after")?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = headers.get("ratelimit-reset")?.trim();
  if (reset && /^\d+$/.test(reset)) return Math.max(0, Number(reset) * 1000 - now);
  return fallbackMs;
}

/**
 * Sends one API request; on 429 waits as the answer asks (at most MAX_RATE_LIMIT_WAIT_MS in all) and sends it
 * again. Returns the final response (any status but 429). A network failure is the user's to fix (a wrong API
 * URL, no route, a proxy): a UserError naming `what` and the host, never the token.
 */
export async function sendWithRateLimit(
  what: string,
  url: string,
  init: RequestInit,
  io: PurgeIo,
  fallbackWaitMs = 10_000,
): Promise<Response> {
  let waited = 0;
  for (;;) {
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).name;
      throw new UserError(
        `cannot reach ${what} at ${new URL(url).host} (${reason}): check the network and the API address`,
      );
    }
    if (response.status !== 429) return response;
    await response.arrayBuffer();
    const wait = rateLimitWaitMs(response.headers, io.now(), fallbackWaitMs);
    if (waited + wait > MAX_RATE_LIMIT_WAIT_MS)
      throw new CdnRefused(429, `${what} keeps answering 429 Too Many Requests; run the purge again later`);
    io.say(`${what}: 429 Too Many Requests, waiting ${Math.ceil(wait / 1000)} s as it asks`);
    waited += wait;
    await io.sleep(wait);
  }
}
