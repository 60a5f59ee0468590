#!/usr/bin/env bash
# npm test: the typecheck and both vitest projects (vitest.config.mts: `unit`, `program`) side by side, each
# reported in full, and the format check (prettier). Exit 0 only when all four pass.
# Why three processes: vitest runs one worker on a 2-core machine (its default is one fewer than the cores) and
# ran the two projects one after the other, leaving a core idle once the typecheck was done; two vitest processes
# and tsc keep both cores busy (measured with `npm run bench`, docs/performance.md).
# The typecheck is incremental: tsc keeps what it learned in node_modules/.cache/mastodon-media/tsc.tsbuildinfo
# (gone after `npm ci`, so a clean checkout checks everything) and re-checks only what changed since.
# Arguments go to both vitest runs, e.g. `npm test -- test/components/config/config.test.ts` (the project without that file
# finds nothing to run, which is fine).
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
program_log=$(mktemp)
format_log=$(mktemp)
trap 'rm -f "$typecheck_log" "$program_log" "$format_log"' EXIT

# One formatter for the whole tree (.prettierrc.json; `npm run format` rewrites, this only checks).
"$bin/prettier" --check --log-level warn . >"$format_log" 2>&1 &
format_pid=$!

"$bin/tsc" -p . --incremental --tsBuildInfoFile "$cache/tsc.tsbuildinfo" >"$typecheck_log" 2>&1 &
typecheck_pid=$!
"$bin/vitest" run --project program --passWithNoTests "$@" >"$program_log" 2>&1 &
program_pid=$!
"$bin/vitest" run --project unit --passWithNoTests "$@"
unit=$?
wait "$program_pid"
program=$?
wait "$typecheck_pid"
typecheck=$?
wait "$format_pid"
format=$?

echo
echo "== vitest project program (run beside the unit project above)"
cat "$program_log"
echo
if [ "$typecheck" -eq 0 ]; then
  echo "Typecheck (tsc -p .): passed"
else
  cat "$typecheck_log"
  echo "Typecheck (tsc -p .): FAILED"
fi
if [ "$format" -eq 0 ]; then
  echo "Format (prettier --check .): passed"
else
  cat "$format_log"
  echo "Format (prettier --check .): FAILED: run npm run format"
fi
[ "$unit" -eq 0 ] && [ "$program" -eq 0 ] && [ "$typecheck" -eq 0 ] && [ "$format" -eq 0 ]
