/**
 * How Mastodon is restarted after its env file changed: Mastodon reads .env.production only when a process
 * starts (docs.joinmastodon.org, "Installing from source": web, sidekiq and streaming are three systemd units,
 * dist/mastodon-*.service). With Docker Compose the services are read from the compose file itself (compose.ts).
 */
import { composeRestartScript } from "./compose";
import { shellQuote } from "./shell";

export { shellQuote };

export type RestartSpec =
  | { kind: "systemd"; units: string[] }
  | { kind: "docker-compose"; directory: string; services?: string[] }
  | { kind: "none" }
  | { kind: "command"; command: string };

export const SYSTEMD_UNITS = ["mastodon-web", "mastodon-sidekiq", "mastodon-streaming"] as const;

/** The systemd restart, as an admin types it. */
export function systemdRestartCommand(units: readonly string[] = SYSTEMD_UNITS): string {
  return `sudo systemctl restart ${units.join(" ")}`;
}

/**
 * The Docker Compose restart, as an admin types it: `up -d --force-recreate`, because `docker compose restart`
 * keeps the containers and with them the environment they were created with (Docker docs, "docker compose
 * restart": changes to environment variables are not applied). The services are those of the compose file
 * that run Mastodon (compose.ts): `web streaming sidekiq` in docker-compose.yml, `web streaming sidekiq-1` in
 * Mastodon's dist/compose.yml.
 */
export function composeRestartCommand(directory: string): string {
  return `cd ${shellQuote(directory)} && docker compose up -d --force-recreate $(docker compose config --services | grep -E '^(web|streaming|sidekiq.*)$')`;
}

/**
 * The restart as sh functions for the delivery script (runs as the SSH user: sudo -n when not root):
 * - `preflight`: runs before the env file is touched, and dies when the restart cannot work (a compose file
 *   without Mastodon's services, a missing systemd unit);
 * - `restart`: restarts Mastodon;
 * - `restarted`: checks that the restarted processes run (systemctl is-active; compose ps status=running).
 * Each returns non-zero with a line on stderr on failure. Empty for `none`.
 */
export function restartScript(restart: RestartSpec): string {
  switch (restart.kind) {
    case "systemd": {
      const units = restart.units.map(shellQuote).join(" ");
      return `as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }
preflight() {
  for unit in ${units}; do
    state=$(systemctl show -p LoadState --value "$unit" 2>/dev/null) || state=unknown
    [ "$state" = loaded ] || { printf 'mastodon-media: systemd unit %s is %s on this host: set mastodonHost.restart to the way this Mastodon runs\\n' "$unit" "\${state:-unknown}" >&2; return 1; }
  done
}
restart() { as_root systemctl restart ${units}; }
restarted() {
  failed=""
  for unit in ${units}; do systemctl is-active --quiet "$unit" || failed="$failed $unit"; done
  [ -z "$failed" ] || { printf 'mastodon-media: not running after the restart:%s\\n' "$failed" >&2; return 1; }
}`;
    }
    case "docker-compose":
      return composeRestartScript(restart.directory, restart.services);
    case "command":
      return `preflight() { :; }
restart() { sh -c ${shellQuote(restart.command)}; }
restarted() { :; }`;
    case "none":
      return "";
  }
}
