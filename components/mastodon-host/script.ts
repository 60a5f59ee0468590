import { SECRET_MASK } from "../masks";
import { LOCATION_VARIABLES } from "./merge";
import { MERGE_AWK } from "./merge.awk";
import { restartScript, shellQuote, systemdRestartCommand, type RestartSpec } from "./restart";

export interface DeliveryScriptOptions {
  /** Absolute path of the env file Mastodon reads, e.g. /home/mastodon/live/.env.production. */
  envPath: string;
  restart: RestartSpec;
}

/** Values never shown in the printed diff: the writer's secret and a leftover session token. */
const MASKED = "AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN";

/**
 * The POSIX sh script run on the Mastodon host over SSH. It holds no secret: the rendered block (which holds
 * the writer's key) arrives on standard input, never in the command line. Steps:
 *   1. reads the block from stdin (refuses an empty one);
 *   2. merges it into a copy of the env file (merge.awk.ts, the rules of merge.ts);
 *   3. when something changed: checks that the restart can work (restart.ts `preflight`: the compose file's
 *      services, the systemd units), all before touching the file; backs the file up as
 *      FILE.bak-YYYYMMDDTHHMMSSZ (UTC), replaces it atomically (same owner and mode), prints the diff with
 *      secrets masked, restarts Mastodon and checks that its processes run (`restarted`);
 *   4. when the restart or its check fails: puts the previous file back (the backup stays), restarts Mastodon
 *      with it, and exits 1 saying so;
 *   5. when nothing changed: says so and restarts nothing.
 * Exit status 0 on success; 1 with one line on stderr naming the problem otherwise.
 */
export function deliveryScript(options: DeliveryScriptOptions): string {
  const restart = restartScript(options.restart);
  return `set -eu
umask 077
${restart}
env_path=${shellQuote(options.envPath)}
say() { printf 'mastodon-media: %s\\n' "$*"; }
die() { printf 'mastodon-media: %s\\n' "$*" >&2; exit 1; }
[ -f "$env_path" ] || die "$env_path does not exist: set mastodonHost.envPath to the env file Mastodon reads"
[ -r "$env_path" ] && [ -w "$env_path" ] || die "$env_path is not readable and writable by $(id -un)"
tmp=$(mktemp -d "\${TMPDIR:-/tmp}/mastodon-media.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/block"
grep -q '^S3_ENABLED=true' "$tmp/block" || die "no env block on standard input (expected the stack output envProduction)"
cat > "$tmp/merge.awk" <<'MASTODON_MEDIA_AWK'
${MERGE_AWK.trim()}
MASTODON_MEDIA_AWK
cp "$env_path" "$tmp/current"
last=$(tail -c 1 "$tmp/current" | od -An -tx1 | tr -d ' \\n')
if [ -n "$last" ] && [ "$last" != 0a ]; then
  first=$(head -n 1 "$tmp/current" | tail -c 2 | od -An -tx1 | tr -d ' \\n')
  if [ "$first" = 0d0a ]; then printf '\\r\\n' >> "$tmp/current"; else printf '\\n' >> "$tmp/current"; fi
fi
awk -v blockfile="$tmp/block" -v locations=${shellQuote(LOCATION_VARIABLES.join(" "))} -f "$tmp/merge.awk" "$tmp/current" > "$tmp/merged"
if cmp -s "$env_path" "$tmp/merged"; then
  say "$env_path already holds this block: nothing changed, nothing restarted"
  exit 0
fi
${restart ? "preflight || exit 1\n" : ""}backup="$env_path.bak-$(date -u +%Y%m%dT%H%M%SZ)"
[ ! -e "$backup" ] || backup="$backup-$$"
cp -p "$env_path" "$backup"
say "backed up $env_path to $backup"
new="$env_path.mastodon-media-$$"
cp -p "$env_path" "$new"
cat "$tmp/merged" > "$new"
mv -f "$new" "$env_path"
say "merged the storage block into $env_path (diff, secrets masked):"
diff -U0 "$backup" "$env_path" | sed -E 's/^([-+][ \\t]*(export[ \\t]+)?(${MASKED})[ \\t]*=).*$/\\1${SECRET_MASK}/' || true
${
  restart
    ? `say "restarting Mastodon"
if restart && restarted; then
  say "restarted"
  exit 0
fi
say "the restart with the new env failed: putting the previous env back"
cp -p "$backup" "$new"
mv -f "$new" "$env_path"
if restart && restarted; then
  die "the restart with the new env failed (see above); the previous env is back in $env_path and Mastodon was restarted with it (backup kept: $backup)"
fi
die "the restart failed with the new env and again with the previous one, which is back in $env_path (backup kept: $backup): Mastodon may be down"`
    : `say "restart: none. Restart Mastodon yourself, e.g. ${systemdRestartCommand()}"`
}
`;
}

/**
 * The command string given to the SSH session: the script under `sh -c`, so that it runs the same whatever the
 * SSH user's login shell is. Contains no secret (the env block comes on standard input).
 */
export function remoteCommand(options: DeliveryScriptOptions): string {
  return `sh -c ${shellQuote(deliveryScript(options))}`;
}
