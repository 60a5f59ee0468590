#!/usr/bin/env bash
# npm run test:e2e: the live checks (`verify`) against two throwaway Ceph RGW servers on loopback.
#   1. installs Debian's Ceph packages, rclone, nginx, Ruby with aws-sdk-s3 and Chromium when missing (apt-get
#      update first; root or sudo), and fetches Debian unstable's rclone (and, in test/e2e/mastodon-s3-client.test.ts,
#      its aws-sdk-s3) into a cache folder (scripts/debian-unstable.sh; nothing installed)
#   2. starts the primary server (the test buckets) and a second one (an "other region": same users, no buckets)
#   3. runs the vitest e2e project (test/e2e), which applies the components' planned documents and runs verify,
#      with Debian 12's rclone 1.60; then the migrate files (test/e2e/migrate*) again with the current rclone
#      line first on PATH: the rclone matrix. E2E_RCLONE_MATRIX=0 leaves the second cell out.
#   4. stops both servers on every exit path (trap), and prints how long each phase (and each cell) took
# Arguments go to vitest (e.g. one file); the second cell runs when they name a migrate file, or when there are none.
set -euo pipefail
cd "$(dirname "$0")/.."

now_ms() { echo $(($(date +%s%N) / 1000000)); }
T0=$(now_ms)
PHASES=()
phase() { PHASES+=("$1 $(($(now_ms) - $2)) ms"); }

bash scripts/ceph-s3.sh install
# migrate's e2e tests copy with Debian's rclone and check the redirect snippet in Debian's nginx.
bash scripts/debian-tool.sh rclone
bash scripts/debian-tool.sh nginx
# Mastodon's own S3 client (Ruby's aws-sdk-s3, Debian 12's) and a real browser for the media host's CORS.
bash scripts/debian-tool.sh ruby-aws-sdk-s3
# (A machine without Debian's chromium package but with Google Chrome, like GitHub's Ubuntu runners, uses that:
# test/e2e/browser.test.ts; E2E_CHROMIUM names another browser binary.)
if [ -z "${E2E_CHROMIUM:-}" ] && ! command -v google-chrome >/dev/null; then bash scripts/debian-tool.sh chromium; fi
# The current rclone line beside Debian 12's (migrate works with both: cli/migrate/rclone-version.ts).
RCLONE_MATRIX=()
if [ "${E2E_RCLONE_MATRIX:-1}" != 0 ]; then
  if [ $# = 0 ]; then
    RCLONE_MATRIX=(test/e2e/migrate)
  else
    for arg in "$@"; do case "$arg" in *migrate*) RCLONE_MATRIX+=("$arg") ;; esac; done
  fi
fi
if [ ${#RCLONE_MATRIX[@]} -gt 0 ]; then
  RCLONE_CURRENT="$(bash scripts/debian-unstable.sh rclone)/usr/bin"
  "$RCLONE_CURRENT/rclone" version >/dev/null
fi
phase install "$T0"

E2E_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mastodon-media-e2e.XXXXXX")
# shellcheck disable=SC2317 # runs from the EXIT trap
cleanup() {
  local rc=$? t
  trap - EXIT INT TERM
  t=$(now_ms)
  for server in primary other; do
    if [ -d "$E2E_DIR/$server" ]; then
      S3LAB_DIR="$E2E_DIR/$server" SIG=KILL bash scripts/ceph-s3.sh stop >/dev/null 2>&1 || true
    fi
  done
  rm -rf "$E2E_DIR"
  phase stop "$t"
  echo "e2e timings: ${PHASES[*]}; total $(($(now_ms) - T0)) ms (exit $rc)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Both servers' ports (RGW, monitor v1 and v2) within one block of 1000, the first block whose ports are all free.
BASE=$(bash scripts/ceph-s3.sh free-base 40000 49000 80 81 789 790 791 792)

rand() { head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c "$1"; }
ADMIN_AK=ADMIN$(rand 15 | tr a-f A-F)
ADMIN_SK=$(rand 40)
export ADMIN_AK ADMIN_SK

t=$(now_ms)
S3LAB_DIR="$E2E_DIR/primary" RGW_PORT=$((BASE + 80)) MON_PORT=$((BASE + 789)) MS_MIN=$((BASE + 800)) MS_MAX=$((BASE + 849)) \
  bash scripts/ceph-s3.sh start
S3LAB_DIR="$E2E_DIR/other" RGW_PORT=$((BASE + 81)) MON_PORT=$((BASE + 791)) MS_MIN=$((BASE + 850)) MS_MAX=$((BASE + 899)) \
  bash scripts/ceph-s3.sh start
phase start "$t"

export E2E_RGW_ENDPOINT="http://127.0.0.1:$((BASE + 80))" E2E_RGW_DIR="$E2E_DIR/primary"
export E2E_OTHER_ENDPOINT="http://127.0.0.1:$((BASE + 81))" E2E_OTHER_DIR="$E2E_DIR/other"
export E2E_ADMIN_AK="$ADMIN_AK" E2E_ADMIN_SK="$ADMIN_SK"
# V8's compile cache (node >= 22.1) for vitest and every command the tests start, as scripts/test.sh does.
export NODE_COMPILE_CACHE="$PWD/node_modules/.cache/mastodon-media/v8"

t=$(now_ms)
status=0
echo "== e2e with $(rclone version | head -n1) (Debian 12)"
npx vitest run --project e2e "$@" || status=$?
phase "tests($(rclone version | head -n1 | cut -d' ' -f2))" "$t"
if [ ${#RCLONE_MATRIX[@]} -gt 0 ]; then
  t=$(now_ms)
  echo "== migrate e2e with $("$RCLONE_CURRENT/rclone" version | head -n1) (Debian unstable)"
  # The copy bench (test/e2e/migrate.test.ts) is a report: one round on this line is enough to compare it.
  PATH="$RCLONE_CURRENT:$PATH" MIGRATE_BENCH_ROUNDS="${MIGRATE_BENCH_ROUNDS:-1}" npx vitest run --project e2e "${RCLONE_MATRIX[@]}" || status=$?
  phase "migrate($("$RCLONE_CURRENT/rclone" version | head -n1 | cut -d' ' -f2))" "$t"
fi
exit "$status"
