#!/usr/bin/env bash
# Installs a Debian tool the project runs when its command is missing, the way scripts/ceph-s3.sh installs Ceph:
# apt-get update, then the package without recommends; needs root or passwordless sudo. Prints nothing when the
# command is already there.
#
# Usage: scripts/debian-tool.sh rclone | nginx
#   rclone  Debian's rclone (migrate copies media with it), with media-types: the /etc/mime.types it reads
#           Content-Type from for local files
#   nginx   Debian's nginx (the migration redirect snippet is tested with it)
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

case "${1:-}" in
  rclone) COMMAND=rclone PACKAGES=(rclone ca-certificates media-types) ;;
  nginx) COMMAND=nginx PACKAGES=(nginx-light) ;;
  *) echo "usage: scripts/debian-tool.sh rclone|nginx" >&2; exit 2 ;;
esac

# nginx lives in /usr/sbin, which a non-root PATH may lack.
if command -v "$COMMAND" >/dev/null || [ -x "/usr/sbin/$COMMAND" ]; then exit 0; fi
echo "installing $COMMAND from Debian's packages (${PACKAGES[*]})" >&2
log=$(mktemp)
if ! { as_root apt-get update -q -o DPkg::Lock::Timeout=600 && as_root env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${PACKAGES[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  echo "installing ${PACKAGES[*]} failed (output above)" >&2
  exit 1
fi
rm -f "$log"
