#!/usr/bin/env bash
# npm test: the typecheck and the unit suite side by side (the typecheck is one core of work for most of the
# suite's length), and each reported in full. Exit 0 only when both pass.
# The typecheck is incremental: tsc keeps what it learned in node_modules/.cache/mastodon-media/tsc.tsbuildinfo
# (gone after `npm ci`, so a clean checkout checks everything) and re-checks only what changed since.
# Arguments go to vitest, e.g. `npm test -- test/unit/config.test.ts`.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=node_modules/.bin
cache=node_modules/.cache/mastodon-media
mkdir -p "$cache"
# V8's compile cache (node >= 22.1) for every node process of the run: tsc, vitest, its workers and the commands
# the tests spawn load the same large files (typescript.js, the Pulumi and AWS SDKs); the first load compiles
# them and stores the bytecode, the rest read it back. The same folder as cli/load-typescript.cjs uses. Node 20
# ignores the variable.
export NODE_COMPILE_CACHE="$PWD/$cache/v8"
typecheck_log=$(mktemp)
trap 'rm -f "$typecheck_log"' EXIT

"$bin/tsc" -p . --incremental --tsBuildInfoFile "$cache/tsc.tsbuildinfo" >"$typecheck_log" 2>&1 &
typecheck_pid=$!
"$bin/vitest" run --project unit --project program "$@"
tests=$?
wait "$typecheck_pid"
typecheck=$?

echo
if [ "$typecheck" -eq 0 ]; then
  echo "Typecheck (tsc -p .): passed"
else
  cat "$typecheck_log"
  echo "Typecheck (tsc -p .): FAILED"
fi
[ "$tests" -eq 0 ] && [ "$typecheck" -eq 0 ]
