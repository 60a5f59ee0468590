import { shellQuote } from "./shell";

/**
 * The services of a Mastodon compose file that read `.env.production` and so must be recreated: Mastodon's
 * own processes. Their names differ between Mastodon's two compose files: docker-compose.yml (the repository
 * root, 4.3 to 4.7) has `web`, `streaming` and `sidekiq`; dist/compose.yml (main branch) has `web`,
 * `streaming`, `sidekiq-1` and, commented out, `sidekiq-2`. Both also define services that do not read it
 * (docker-compose.yml: db, redis, es, tor, privoxy), which are left running.
 */
export const MASTODON_SERVICE_PATTERN = "^(web|streaming|sidekiq.*)$";

/**
 * The Docker Compose restart as the delivery script's sh functions (restart.ts restartScript):
 * - preflight: finds `docker compose` (or the older `docker-compose`), reads the services from the compose
 *   file (`config --services`, which resolves anchors, `extends` and profiles as compose itself does), picks
 *   Mastodon's (MASTODON_SERVICE_PATTERN), or checks the configured `services` against them, and dies, naming
 *   the services found, when there is no `web` or no sidekiq: all before the env file is touched;
 * - restart: `up -d --force-recreate SERVICES` (restart.ts composeRestartCommand says why not `restart`);
 * - restarted: `ps --services --filter status=running` lists every recreated service.
 */
export function composeRestartScript(directory: string, configured?: readonly string[]): string {
  // Service names are checked by the config (components/config/mastodon-host.ts): no quoting inside.
  const wanted = configured?.length ? configured.join(" ") : "";
  return `compose_dir=${shellQuote(directory)}
compose() { (cd "$compose_dir" && if [ "$compose_v1" = 1 ]; then docker-compose "$@"; else docker compose "$@"; fi); }
preflight() {
  [ -d "$compose_dir" ] || { printf 'mastodon-media: %s is not a directory: set mastodonHost.restart.dockerCompose to the directory holding the compose file\\n' "$compose_dir" >&2; return 1; }
  compose_v1=0
  if ! (cd "$compose_dir" && docker compose version) >/dev/null 2>&1; then
    command -v docker-compose >/dev/null 2>&1 || { printf 'mastodon-media: neither docker compose nor docker-compose runs for %s\\n' "$(id -un)" >&2; return 1; }
    compose_v1=1
  fi
  all=$(compose config --services 2>"$tmp/compose.err") || { printf 'mastodon-media: docker compose config failed in %s: %s\\n' "$compose_dir" "$(head -c 300 "$tmp/compose.err")" >&2; return 1; }
  all=$(printf '%s\\n' "$all" | tr -s ' \\n' '  ')
  services=""
  for service in \${all}; do
    if printf '%s\\n' "$service" | grep -Eq ${shellQuote(MASTODON_SERVICE_PATTERN)}; then services="$services $service"; fi
  done
  wanted=${shellQuote(wanted)}
  if [ -n "$wanted" ]; then
    for service in $wanted; do
      case " $all " in *" $service "*) ;; *) printf 'mastodon-media: mastodonHost.restart.services names %s, which the compose file in %s does not define (services: %s)\\n' "$service" "$compose_dir" "$all" >&2; return 1 ;; esac
    done
    services=$wanted
  fi
  [ -n "$wanted" ] || case " $services " in *" web "*) ;; *) printf 'mastodon-media: the compose file in %s has no web service (services: %s): set mastodonHost.restart.services to the services that read .env.production\\n' "$compose_dir" "$all" >&2; return 1 ;; esac
  [ -n "$wanted" ] || case "$services" in *sidekiq*) ;; *) printf 'mastodon-media: the compose file in %s has no sidekiq service (services: %s): set mastodonHost.restart.services to the services that read .env.production\\n' "$compose_dir" "$all" >&2; return 1 ;; esac
  say "compose services to recreate:$services"
}
restart() { compose up -d --force-recreate $services; }
restarted() {
  running=" $(compose ps --services --filter status=running | tr -s ' \\n' '  ') "
  failed=""
  for service in $services; do case "$running" in *" $service "*) ;; *) failed="$failed $service" ;; esac; done
  [ -z "$failed" ] || { printf 'mastodon-media: not running after the restart:%s\\n' "$failed" >&2; return 1; }
}`;
}
