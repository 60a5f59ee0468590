#!/usr/bin/env bash
# npm run lab: a ready local media storage to try `verify` (and doctor, migrate) end to end, with nothing but this
# machine: a throwaway Ceph RGW on loopback (scripts/ceph-s3.sh; Debian's packages are installed when missing,
# which needs root), a bucket with the bucket policy and CORS rules the stacks plan, a writer with the planned
# writer policy, and an env file as the stack would render it.
#
# Usage: npm run lab [-- start]   start (or restart) the lab and write its env file
#        npm run lab -- stop      stop it and remove its state
# Env: LAB_DIR (state and env file; default ${TMPDIR:-/tmp}/mastodon-media-lab).
set -euo pipefail
cd "$(dirname "$0")/.."
LAB_DIR=${LAB_DIR:-${TMPDIR:-/tmp}/mastodon-media-lab}
command=${1:-start}

stop() {
  if [ -d "$LAB_DIR/rgw" ]; then S3LAB_DIR="$LAB_DIR/rgw" SIG=KILL bash scripts/ceph-s3.sh stop >/dev/null 2>&1 || true; fi
  rm -rf "$LAB_DIR"
}

case "$command" in
  stop)
    stop
    echo "lab stopped; $LAB_DIR removed"
    ;;
  start)
    stop
    mkdir -p "$LAB_DIR"
    chmod 700 "$LAB_DIR"
    bash scripts/ceph-s3.sh install
    # The first block of ports whose RGW and monitor ports are free (scripts/e2e.sh uses 40000-49999).
    base=$(bash scripts/ceph-s3.sh free-base 50000 59000 80 789 790)
    rand() { head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c "$1"; }
    ADMIN_AK=ADMIN$(rand 15 | tr a-f A-F)
    ADMIN_SK=$(rand 40)
    export ADMIN_AK ADMIN_SK
    S3LAB_DIR="$LAB_DIR/rgw" RGW_PORT=$((base + 80)) MON_PORT=$((base + 789)) MS_MIN=$((base + 800)) MS_MAX=$((base + 849)) \
      bash scripts/ceph-s3.sh start
    # The lab's one server stands in for both of the e2e's servers (scripts/lab.ts).
    E2E_RGW_ENDPOINT="http://127.0.0.1:$((base + 80))" E2E_RGW_DIR="$LAB_DIR/rgw" \
      E2E_OTHER_ENDPOINT="http://127.0.0.1:$((base + 80))" E2E_OTHER_DIR="$LAB_DIR/rgw" \
      E2E_ADMIN_AK="$ADMIN_AK" E2E_ADMIN_SK="$ADMIN_SK" LAB_ENV="$LAB_DIR/lab.env" \
      node --require ./cli/load-typescript.cjs scripts/lab.ts
    ;;
  *)
    echo "usage: npm run lab [-- start|stop]" >&2
    exit 2
    ;;
esac
