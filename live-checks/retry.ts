/**
 * Bounded retries for what legitimately lags: a fresh CDN or certificate (minutes), DNS, IAM propagation.
 * Waits grow 1, 2, 4, 8, then 15 s, and never run past the deadline.
 */

/** Upper bound of --retry-for: the self-check uses 900 s; an hour is already far past any CDN rollout. */
export const MAX_RETRY_SECONDS = 3600;

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

export const MAX_WAIT_MS = 15_000;

export function backoffMs(retry: number): number {
  return Math.min(1_000 * 2 ** retry, MAX_WAIT_MS);
}

export interface RetryProgress<T> {
  /** 1 for the first retry. */
  retry: number;
  waitMs: number;
  /** Time left before the deadline, after this wait. */
  leftMs: number;
  last: T;
}

export interface RetryOptions<T> {
  /** Epoch milliseconds after which no new attempt starts. */
  deadline: number;
  /** Whether this result is worth another attempt. */
  shouldRetry(result: T): boolean;
  onRetry?(progress: RetryProgress<T>): void;
  clock?: Clock;
  signal?: AbortSignal;
}

/** Runs `attempt` until it gives a result not worth retrying, or the next wait would pass the deadline. */
export async function retryUntil<T>(
  attempt: () => Promise<T>,
  options: RetryOptions<T>,
): Promise<{ result: T; attempts: number }> {
  const clock = options.clock ?? systemClock;
  let attempts = 0;
  for (;;) {
    const result = await attempt();
    attempts++;
    if (!options.shouldRetry(result)) return { result, attempts };
    const waitMs = backoffMs(attempts - 1);
    const leftMs = options.deadline - clock.now() - waitMs;
    if (leftMs < 0) return { result, attempts };
    options.onRetry?.({ retry: attempts, waitMs, leftMs, last: result });
    await clock.sleep(waitMs, options.signal);
  }
}
