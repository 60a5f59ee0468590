#!/usr/bin/env bash
# Installs a Debian tool the project runs when its command is missing, the way scripts/ceph-s3.sh installs Ceph:
# apt-get update, then the package without recommends; needs root or passwordless sudo. Prints nothing when the
# command is already there.
#
# Usage: scripts/debian-tool.sh rclone | nginx | chromium | ruby-aws-sdk-s3
#   rclone           Debian's rclone (migrate copies media with it), with media-types: the /etc/mime.types it reads
#                    Content-Type from for local files
#   nginx            Debian's nginx (the migration redirect snippet is tested with it)
#   chromium         Debian's Chromium (test/e2e/browser.test.ts loads media in it, headless)
#   ruby-aws-sdk-s3  Ruby and Debian 12's aws-sdk-s3, Mastodon's S3 client (test/e2e/mastodon-s3-client.test.ts)
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

case "${1:-}" in
  rclone) COMMAND=rclone PACKAGES=(rclone ca-certificates media-types) ;;
  nginx) COMMAND=nginx PACKAGES=(nginx-light) ;;
  chromium) COMMAND=chromium PACKAGES=(chromium) ;;
  ruby-aws-sdk-s3) COMMAND=ruby PACKAGES=(ruby ruby-aws-sdk-s3) ;;
  *) echo "usage: scripts/debian-tool.sh rclone|nginx|chromium|ruby-aws-sdk-s3" >&2; exit 2 ;;
esac

present() {
  case "$1" in
    ruby-aws-sdk-s3) command -v ruby >/dev/null && ruby -e 'require "aws-sdk-s3"' 2>/dev/null ;;
    # nginx lives in /usr/sbin, which a non-root PATH may lack.
    *) command -v "$COMMAND" >/dev/null || [ -x "/usr/sbin/$COMMAND" ] ;;
  esac
}
if present "$1"; then exit 0; fi
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
