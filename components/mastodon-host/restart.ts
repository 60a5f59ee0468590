/**
 * How Mastodon is restarted after its env file changed: Mastodon reads .env.production only when a process
 * starts (docs.joinmastodon.org, "Installing from source": web, sidekiq and streaming are three systemd units;
 * the Docker setup's docker-compose.yml names the services web, streaming and sidekiq).
 */
export type RestartSpec =
  | { kind: "systemd"; units: string[] }
  | { kind: "docker-compose"; directory: string; services: string[] }
  | { kind: "none" }
  | { kind: "command"; command: string };

export const SYSTEMD_UNITS = ["mastodon-web", "mastodon-sidekiq", "mastodon-streaming"] as const;
export const COMPOSE_SERVICES = ["web", "sidekiq", "streaming"] as const;

/** Single-quotes a value for POSIX sh. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The systemd restart, as an admin types it. */
export function systemdRestartCommand(units: readonly string[] = SYSTEMD_UNITS): string {
  return `sudo systemctl restart ${units.join(" ")}`;
}

/**
 * The Docker Compose restart: `up -d --force-recreate`, because `docker compose restart` keeps the containers
 * and with them the environment they were created with (Docker docs, "docker compose restart": changes to
 * environment variables are not applied).
 */
export function composeRestartCommand(directory: string, services: readonly string[] = COMPOSE_SERVICES): string {
  return `cd ${shellQuote(directory)} && docker compose up -d --force-recreate ${services.join(" ")}`;
}

/** The restart as a line of the remote sh script (runs as the SSH user: sudo -n when not root). */
export function restartScript(restart: RestartSpec): string {
  switch (restart.kind) {
    case "systemd": {
      const units = restart.units.map(shellQuote).join(" ");
      return `if [ "$(id -u)" -eq 0 ]; then systemctl restart ${units}; else sudo -n systemctl restart ${units}; fi`;
    }
    case "docker-compose": {
      const services = restart.services.map(shellQuote).join(" ");
      return `cd ${shellQuote(restart.directory)} && if docker compose version >/dev/null 2>&1; then docker compose up -d --force-recreate ${services}; else docker-compose up -d --force-recreate ${services}; fi`;
    }
    case "command":
      return `sh -c ${shellQuote(restart.command)}`;
    case "none":
      return "";
  }
}
