import { fail, pass, type CheckOutcome } from "../check";
import type { MastodonApi } from "./api";
import { diagnoseApi } from "./diagnose";
import { stillStarting, waitForMastodon, type ReadyOptions } from "./ready";
import { parseMastodonVersion, type MastodonVersion } from "./version";

/**
 * The round trip's first check, `mastodon-ready`: waits for `GET /health` (ready.ts), then reads the version
 * from `GET /api/v2/instance` (version.ts). An unreadable version is no failure: the delete is then judged by
 * its answer. Returns the outcome and, when Mastodon answered, the version (undefined when unknown).
 */
export async function readyCheck(
  instance: URL,
  api: MastodonApi,
  options: ReadyOptions,
): Promise<{ outcome: CheckOutcome; ready: boolean; version?: MastodonVersion }> {
  const result = await waitForMastodon(instance, options);
  const observed = [...result.observed];
  if (!result.ok) {
    const last = result.last ?? {};
    if (stillStarting(last)) {
      const outcome = fail(
        [...observed, `still no answer after ${Math.round(result.waitedMs / 1000)} s`],
        "Mastodon did not come up: it is still starting, or its web process stops at start (a malformed line in .env.production, a database it cannot reach)",
        "look at `systemctl status mastodon-web` and `journalctl -u mastodon-web` (Docker: `docker compose ps` and `docker compose logs web`), then run verify again",
      );
      return { outcome, ready: false };
    }
    if (last.network)
      return {
        outcome: diagnoseApi(
          "GET /health",
          { status: 0, network: last.network, rateLimitedWaits: 0 },
          [],
          instance.origin,
        ),
        ready: false,
      };
    const outcome = fail(
      observed,
      "the --mastodon URL does not answer like Mastodon: Mastodon's GET /health answers 200 OK (config/routes.rb, HealthController), also without a token",
      "pass the instance's own address (https://your.instance) and make the reverse proxy pass every path to Mastodon",
    );
    return { outcome, ready: false };
  }
  const answer = await api.instance();
  const version = answer.status === 200 ? parseMastodonVersion(answer.body) : undefined;
  observed.push(
    version
      ? `GET /api/v2/instance: 200, version ${version.text}`
      : `GET /api/v2/instance: ${answer.network ? `no answer (${answer.network})` : answer.status}, version unknown (the delete is judged by its answer)`,
  );
  return { outcome: pass(...observed), ready: true, version };
}
