import { errorCode } from "../io/http";
import { systemClock, type Clock } from "../retry";

/**
 * How long verify waits for a restarted Mastodon to answer, in ms. `systemctl restart mastodon-web` returns once
 * puma is forked (the units in Mastodon's dist/mastodon-web.service are Type=simple) and `docker compose up -d`
 * once the containers start; puma then loads Rails, which takes seconds to a minute on a small host. Three
 * minutes covers a slow host without hiding a Mastodon that does not come up at all.
 */
export const MAX_START_MS = 180_000;
/** Pause between two looks at /health, in ms. */
export const START_POLL_MS = 2_000;
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * What "still starting" looks like from outside: the reverse proxy (nginx in Mastodon's dist/nginx.conf) answers
 * 502 while puma does not listen yet and 503 when it is overloaded or in maintenance; without a proxy, or while
 * the proxy itself restarts, the connection is refused or reset.
 */
export function stillStarting(answer: { status?: number; network?: string }): boolean {
  if (answer.network)
    return answer.network === "ECONNREFUSED" || answer.network === "ECONNRESET" || answer.network === "UND_ERR_SOCKET";
  return answer.status === 502 || answer.status === 503 || answer.status === 504;
}

export interface ReadyResult {
  ok: boolean;
  /** One line per distinct answer seen, in order ("GET /health: 502 (x3)"). */
  observed: string[];
  /** How long it took, in ms. */
  waitedMs: number;
  /** The last answer when not ok. */
  last?: { status?: number; network?: string };
}

export interface ReadyOptions {
  signal: AbortSignal;
  clock?: Clock;
  fetchImpl?: typeof fetch;
  maxMs?: number;
  pollMs?: number;
  /** A progress line while waiting, e.g. "waiting for Mastodon to start (GET /health: 502); 170 s left". */
  progress?(line: string): void;
}

/**
 * Waits until `GET {instance}/health` answers 200 (Mastodon's HealthController renders plain `OK`; it needs no
 * token and touches neither database nor storage), treating the answers of `stillStarting` as a Mastodon that is
 * still starting, for at most `maxMs`. Any other answer ends the wait at once: it is not a restart.
 */
export async function waitForMastodon(instance: URL, options: ReadyOptions): Promise<ReadyResult> {
  const clock = options.clock ?? systemClock;
  const fetchImpl = options.fetchImpl ?? fetch;
  const maxMs = options.maxMs ?? MAX_START_MS;
  const pollMs = options.pollMs ?? START_POLL_MS;
  const started = clock.now();
  const seen: { line: string; count: number }[] = [];
  const note = (line: string) => {
    const last = seen.at(-1);
    if (last?.line === line) last.count++;
    else seen.push({ line, count: 1 });
  };
  const observed = () => seen.map(({ line, count }) => (count > 1 ? `${line} (x${count})` : line));
  for (;;) {
    const answer = await health(instance, fetchImpl, options.signal);
    const line = answer.network ? `GET /health: no answer (${answer.network})` : `GET /health: ${answer.status}`;
    note(line);
    const waitedMs = clock.now() - started;
    if (answer.status === 200) return { ok: true, observed: observed(), waitedMs };
    if (!stillStarting(answer) || waitedMs + pollMs > maxMs)
      return { ok: false, observed: observed(), waitedMs, last: answer };
    options.progress?.(`  waiting for Mastodon to start (${line}); ${Math.round((maxMs - waitedMs) / 1000)} s left`);
    await clock.sleep(pollMs, options.signal);
  }
}

async function health(
  instance: URL,
  fetchImpl: typeof fetch,
  signal: AbortSignal,
): Promise<{ status?: number; network?: string }> {
  try {
    const response = await fetchImpl(new URL("/health", instance), {
      redirect: "manual",
      signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
    });
    await response.arrayBuffer().catch(() => undefined);
    return { status: response.status };
  } catch (error) {
    if (signal.aborted) throw error;
    const cause = (error as { cause?: unknown }).cause;
    return { network: errorCode(cause ?? error) };
  }
}
