#!/usr/bin/env bash
# Debian's OpenSSH server for the real-sshd test of the env delivery (test/e2e/deliver-sshd.test.ts).
# Usage: scripts/sshd.sh install   installs openssh-server (and the client) when missing (apt-get update first;
#                                  root or sudo). The package's own service is not started (RUNLEVEL=1): the test
#                                  starts its own sshd on a free loopback port with throwaway keys.
set -euo pipefail
PACKAGES=(openssh-server openssh-client)
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

install() {
  if [ -x /usr/sbin/sshd ] && command -v ssh >/dev/null && command -v ssh-keygen >/dev/null; then return 0; fi
  echo "installing OpenSSH from Debian's packages" >&2
  local log
  log=$(mktemp)
  if ! { as_root apt-get update -q && as_root env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 \
    apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends "${PACKAGES[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "installing ${PACKAGES[*]} failed (output above)" >&2
    return 1
  fi
  rm -f "$log"
}

case "${1:-}" in
  install) install ;;
  *) echo "usage: $0 install" >&2; exit 2 ;;
esac
