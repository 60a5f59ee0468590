#!/usr/bin/env bash
# Fetches packages from Debian unstable with apt's own client and unpacks them into a cache folder, so that the
# tests can run the current upstream line of a tool beside Debian 12's (rclone, Ruby's aws-sdk-s3). Nothing is
# installed system-wide: apt-get runs with a sources list, state and cache of its own (Dir::Etc::SourceList,
# Dir::State, Dir::Cache: apt.conf(5)), `apt-get download` only fetches the .deb files (apt-get(8)), and
# `dpkg -x` (dpkg-deb(1)) unpacks each into ROOT. The index is refreshed when it is older than a day.
# Root is not needed (the package files are signed; apt checks them against Debian's archive keyring).
#
# Usage: scripts/debian-unstable.sh PACKAGE...
#   prints ROOT (the folder the packages are unpacked into; e.g. ROOT/usr/bin/rclone) on stdout, and
#   ROOT/versions holds one "PACKAGE VERSION" line per package. The set of packages names the folder, so that
#   each set is unpacked on its own.
# Environment: MASTODON_MEDIA_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/mastodon-media).
set -euo pipefail

if [ $# = 0 ]; then echo "usage: scripts/debian-unstable.sh PACKAGE..." >&2; exit 2; fi
CACHE=${MASTODON_MEDIA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mastodon-media}/debian-unstable
APT="$CACHE/apt"
mkdir -p "$APT/etc/preferences.d" "$APT/state/lists/partial" "$APT/cache/archives/partial" "$CACHE/debs"
: >"$APT/state/status"

# The mirror of the machine's own Debian sources (deb.debian.org unless its sources name another).
MIRROR=$(grep -rhoE '^(URIs: *|deb +)https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
  | grep -oE 'https?://[^ ]+' | head -n1 || true)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
if [ ! -f "$KEYRING" ]; then
  # Not a Debian machine (an Ubuntu CI runner): Debian's archive keys come in a package there too.
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
  echo "installing debian-archive-keyring (the keys Debian unstable's index is signed with)" >&2
  as_root apt-get update -q -o DPkg::Lock::Timeout=600 >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends debian-archive-keyring >/dev/null
fi
echo "deb [signed-by=$KEYRING] ${MIRROR%/} unstable main" >"$APT/etc/sources.list"

arch=$(dpkg --print-architecture)
apt_opts=(
  -o "Dir::Etc::SourceList=$APT/etc/sources.list" -o "Dir::Etc::SourceParts=-"
  -o "Dir::Etc::Preferences=$APT/etc/preferences" -o "Dir::Etc::PreferencesParts=$APT/etc/preferences.d"
  -o "Dir::State=$APT/state" -o "Dir::State::status=$APT/state/status" -o "Dir::Cache=$APT/cache"
  -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" -o "Acquire::Languages=none"
  -o "Debug::NoLocking=1" -q
)
# apt drops to the _apt user for downloads, which cannot write into a folder in root's home.
if [ "$(id -u)" = 0 ]; then apt_opts+=(-o "APT::Sandbox::User=root"); fi
# apt gives the index files the archive's dates, so a stamp of our own says when the index was fetched.
if [ -z "$(find "$APT/updated" -mmin -1440 2>/dev/null)" ]; then
  echo "apt-get update (Debian unstable, $MIRROR)" >&2
  log=$(mktemp)
  if ! apt-get "${apt_opts[@]}" update >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; echo "apt-get update for Debian unstable failed (output above)" >&2; exit 1
  fi
  rm -f "$log"
  touch "$APT/updated"
fi

ROOT="$CACHE/root-$(printf '%s\n' "$@" | sort | tr '\n' '+' | sed 's/+$//')"
# Unpacked after the last index refresh: nothing newer to look up.
if [ -f "$ROOT/versions" ] && [ "$ROOT/versions" -nt "$APT/updated" ]; then echo "$ROOT"; exit 0; fi
versions=()
for package in "$@"; do
  version=$(apt-cache "${apt_opts[@]}" show --no-all-versions "$package" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
  if [ -z "$version" ]; then echo "Debian unstable has no package $package" >&2; exit 1; fi
  versions+=("$package $version")
done
if [ -f "$ROOT/versions" ] && [ "$(cat "$ROOT/versions")" = "$(printf '%s\n' "${versions[@]}")" ]; then
  touch "$ROOT/versions"; echo "$ROOT"; exit 0
fi
rm -rf "$ROOT.tmp"; mkdir -p "$ROOT.tmp"
for line in "${versions[@]}"; do
  package=${line%% *}
  if ! ls "$CACHE/debs/${package}_"*.deb >/dev/null 2>&1 || \
    [ "$(dpkg-deb -f "$(ls "$CACHE/debs/${package}_"*.deb | head -n1)" Version)" != "${line#* }" ]; then
    rm -f "$CACHE/debs/${package}_"*.deb
    echo "apt-get download $package (${line#* }, Debian unstable)" >&2
    (cd "$CACHE/debs" && apt-get "${apt_opts[@]}" download "$package" >/dev/null)
  fi
  dpkg -x "$(ls "$CACHE/debs/${package}_"*.deb | head -n1)" "$ROOT.tmp"
done
printf '%s\n' "${versions[@]}" >"$ROOT.tmp/versions"
rm -rf "$ROOT"; mv "$ROOT.tmp" "$ROOT"
echo "$ROOT"
