#!/usr/bin/env bash
# A throwaway single-node Ceph RGW on 127.0.0.1: a real S3 server with IAM user policies, bucket policies and
# CORS, the way DigitalOcean Spaces (built on RGW) enforces them. One monitor, one memstore OSD (all data in
# RAM), one radosgw with the beast frontend; no manager. Used by `npm run test:e2e` and for trying `verify`.
#
# Usage: scripts/ceph-s3.sh install | start | stop | status | user UID ACCESS_KEY | free-base FIRST LAST OFFSET...
#   install  installs Debian's packages when one is missing (apt-get update first; needs root or sudo)
#   start    installs when needed, then starts a fresh server (any previous one in the same state dir is killed)
#   stop     stops the daemons this script started (their pid files, checked against their command line)
#   user     creates an S3 user that cannot create buckets (a Mastodon writer: its policy is set over IAM); its
#            secret key comes from the environment, S3_SECRET_KEY (a secret never goes into a process's argv)
#   free-base  prints the first base port (FIRST, FIRST+1000, ... LAST) whose base+OFFSET ports are all free
# Env: S3LAB_DIR (state dir, default ${TMPDIR:-/tmp}/mastodon-media-ceph), RGW_PORT (40080),
#      MON_PORT (40789; msgr2 uses +1), MS_MIN/MS_MAX (daemon ports, 40800-40899), ADMIN_AK/ADMIN_SK (the admin
#      user's keys, which may call the IAM API), SIG=KILL for a fast stop (the data is throwaway),
#      VERBOSE=1 for step timings.
set -euo pipefail

D=${S3LAB_DIR:-${TMPDIR:-/tmp}/mastodon-media-ceph}
RGW_PORT=${RGW_PORT:-40080}
MON_PORT=${MON_PORT:-40789}
MS_MIN=${MS_MIN:-40800}
MS_MAX=${MS_MAX:-40899}
ADMIN_AK=${ADMIN_AK:-ADMINACCESSKEY0000001}
ADMIN_SK=${ADMIN_SK:-adminsecretkey0000000000000000000000000}
CONF=$D/ceph.conf
MONADDR="[v2:127.0.0.1:$((MON_PORT + 1)),v1:127.0.0.1:$MON_PORT]"
PACKAGES=(ceph-mon ceph-osd radosgw ceph-common uuid-runtime curl)
COMMANDS=(ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool uuidgen curl)

now_ms() { echo $(($(date +%s%N) / 1000000)); }
T0=$(now_ms)
step() { if [ -n "${VERBOSE:-}" ]; then echo "  +$(($(now_ms) - T0)) ms $*" >&2; fi; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

install() {
  local missing=() c
  for c in "${COMMANDS[@]}"; do command -v "$c" >/dev/null || missing+=("$c"); done
  if [ ${#missing[@]} -eq 0 ]; then return 0; fi
  echo "installing Ceph RGW from Debian's packages (missing: ${missing[*]})" >&2
  local log
  log=$(mktemp)
  if ! { as_root apt-get update -q && as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "installing ${PACKAGES[*]} failed (output above)" >&2
    return 1
  fi
  rm -f "$log"
}

write_conf() {
  local fsid=$1
  cat >"$CONF" <<EOF
[global]
fsid = $fsid
mon host = $MONADDR
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
ms bind port min = $MS_MIN
ms bind port max = $MS_MAX
run dir = $D/run
admin socket = $D/run/\$name.asok
pid file = $D/run/\$name.pid
log file = $D/log/\$name.log
keyring = $D/keyring
crash dir = $D/crash
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data avail warn = 2
mon data avail crit = 1
# Every osdmap change (the OSD booting, each pool RGW creates) waits for a paxos round: 1 s by default, which
# makes start-up take ~11.5 s instead of ~1.6 s.
paxos propose interval = 0.05
paxos min wait = 0.01
[mon.a]
mon data = $D/mon.a
[osd.0]
osd data = $D/osd.0
osd objectstore = memstore
# The OSD's size, taken from RAM only as objects are written. The whole e2e suite (every file, then the migrate
# files again on the second rclone line, with the copy bench) passed 2 GiB: Ceph then marks the OSD and its
# pools full and blocks every write, so the later tests hang ("1 full osd(s); 7 pool(s) full" in ceph health).
memstore device bytes = 8589934592
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw data = $D/rgw
rgw dns name = localhost
rgw enable usage log = false
EOF
}

start() {
  install
  if ls "$D"/run/*.pid >/dev/null 2>&1; then SIG=KILL stop >/dev/null; fi
  rm -rf "$D"
  mkdir -p "$D"/{run,log,mon.a,osd.0,rgw,crash}
  local fsid osd_uuid osd_key ok=
  fsid=$(uuidgen)
  write_conf "$fsid"

  ceph-authtool --create-keyring "$D/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$D/keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
  monmaptool --create --clobber --fsid "$fsid" --addv a "$MONADDR" "$D/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$D/monmap" --keyring "$D/keyring"
  ceph-mon -c "$CONF" -i a
  step "monitor started"

  osd_uuid=$(uuidgen)
  osd_key=$(ceph-authtool --gen-print-key)
  echo "{\"cephx_secret\": \"$osd_key\"}" >"$D/osd.0/new.json"
  ceph -c "$CONF" osd new "$osd_uuid" -i "$D/osd.0/new.json" >/dev/null
  rm "$D/osd.0/new.json"
  printf '[osd.0]\n\tkey = %s\n' "$osd_key" >"$D/osd.0/keyring"
  ceph-osd -c "$CONF" -i 0 --mkfs --key "$osd_key" --osd-uuid "$osd_uuid" \
    --keyring "$D/osd.0/keyring" 2>>"$D/log/osd-mkfs.err"
  ceph-osd -c "$CONF" -i 0 --keyring "$D/osd.0/keyring" 2>>"$D/log/osd-start.err"
  step "osd started"

  ceph -c "$CONF" auth get-or-create client.rgw.a mon 'allow rw' osd 'allow rwx' mgr 'allow rw' >"$D/rgw/keyring"
  radosgw -c "$CONF" -n client.rgw.a --keyring "$D/rgw/keyring"
  for _ in $(seq 1 600); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$RGW_PORT/")" = 200 ]; then ok=1; break; fi
    sleep 0.1
  done
  [ -n "$ok" ] || { echo "radosgw did not answer on 127.0.0.1:$RGW_PORT within 60 s; see $D/log" >&2; exit 1; }
  step "radosgw answers"

  # The admin owns the test buckets and may call the IAM API (user-policy caps) to restrict writers.
  radosgw-admin -c "$CONF" user create --uid=admin --display-name=Admin \
    --access-key="$ADMIN_AK" --gen-secret >/dev/null 2>>"$D/log/radosgw-admin.err"
  S3_SECRET_KEY="$ADMIN_SK" set_secret admin "$ADMIN_AK"
  radosgw-admin -c "$CONF" caps add --uid=admin \
    --caps="users=*;buckets=*;user-policy=*;roles=*;metadata=*;usage=*" >/dev/null 2>>"$D/log/radosgw-admin.err"
  step "admin user created"
  echo "S3 endpoint http://127.0.0.1:$RGW_PORT ready in $(($(now_ms) - T0)) ms (state in $D)"
}

# A writer: RGW falls back to ACLs when no policy statement matches, so an allow-only user policy would still
# let it create buckets. max-buckets -1 disables bucket creation, as AWS denies it by default.
user() {
  local uid=${1:?usage: S3_SECRET_KEY=... user UID ACCESS_KEY} ak=${2:?access key}
  [ -n "${S3_SECRET_KEY:-}" ] || { echo "user: set S3_SECRET_KEY (the user's secret key) in the environment" >&2; exit 2; }
  radosgw-admin -c "$CONF" user create --uid="$uid" --display-name="$uid" \
    --access-key="$ak" --gen-secret --max-buckets=-1 >/dev/null 2>>"$D/log/radosgw-admin.err"
  set_secret "$uid" "$ak"
}

# radosgw-admin takes a chosen secret only as a command-line option, which any local user can read in the process's
# argv (/proc/PID/cmdline). So a user is created with a secret RGW generates (--gen-secret), and the chosen secret
# (env S3_SECRET_KEY) is written into the user's record with `metadata put`, which reads the record from stdin
# (radosgw-admin(8), "metadata get" / "metadata put": https://docs.ceph.com/en/pacific/man/8/radosgw-admin/).
set_secret() {
  local uid=$1 ak=$2
  radosgw-admin -c "$CONF" metadata get "user:$uid" 2>>"$D/log/radosgw-admin.err" |
    S3_ACCESS_KEY="$ak" python3 -c '
import json, os, sys
record = json.load(sys.stdin)
keys = [k for k in record["data"]["keys"] if k["access_key"] == os.environ["S3_ACCESS_KEY"]]
if len(keys) != 1:
    sys.exit("set_secret: the user record has no key " + os.environ["S3_ACCESS_KEY"])
keys[0]["secret_key"] = os.environ["S3_SECRET_KEY"]
json.dump(record, sys.stdout)
' |
    radosgw-admin -c "$CONF" metadata put "user:$uid" >/dev/null 2>>"$D/log/radosgw-admin.err"
}

# Gone: no longer there, or a zombie waiting for its parent to reap it.
alive() { [ -r "/proc/$1/stat" ] && ! awk '{exit ($3=="Z")?0:1}' "/proc/$1/stat" 2>/dev/null; }

stop() {
  local sig=${SIG:-TERM} n f pid t
  for n in client.rgw.a osd.0 mon.a; do
    f="$D/run/$n.pid"
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    t=$(now_ms)
    # Only signal the process if it still is the daemon this state dir started.
    if alive "$pid" && grep -qa -- "$CONF" "/proc/$pid/cmdline" 2>/dev/null; then
      kill -"$sig" "$pid" 2>/dev/null || true
      for _ in $(seq 1 200); do alive "$pid" || break; sleep 0.05; done
      if alive "$pid"; then echo "$n ($pid) still alive after 10 s: SIGKILL" >&2; kill -9 "$pid" 2>/dev/null || true; fi
      echo "stopped $n (pid $pid) in $(($(now_ms) - t)) ms"
    fi
  done
  rm -rf "$D"
}

# The first base port B of FIRST, FIRST+1000, ..., LAST for which every B+OFFSET is free on 127.0.0.1: a block of
# ports for one or more servers (scripts/e2e.sh, scripts/lab.sh), so that parallel runs do not collide.
free_base() {
  local first=$1 last=$2 base offset ok
  shift 2
  for ((base = first; base <= last; base += 1000)); do
    ok=1
    for offset in "$@"; do
      if (exec 3<>"/dev/tcp/127.0.0.1/$((base + offset))") 2>/dev/null; then ok=; break; fi
    done
    if [ -n "$ok" ]; then echo "$base"; return 0; fi
  done
  echo "no free block of ports between $first and $((last + 999)) on 127.0.0.1" >&2
  return 1
}

case "${1:-}" in
  free-base) shift; free_base "$@" ;;
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) ceph -c "$CONF" -s ;;
  user) shift; user "$@" ;;
  *) echo "usage: $0 install | start | stop | status | user UID ACCESS_KEY SECRET_KEY | free-base FIRST LAST OFFSET..." >&2; exit 2 ;;
esac
