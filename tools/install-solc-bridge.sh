#!/usr/bin/env bash
# Install the solc-js bridge as `solc-v<version>` where py-solc-x looks for compilers:
# $SOLCX_BINARY_PATH when set, else ~/.solcx. Rewrites the launcher only when it changed,
# so running it again is free. Usage: tools/install-solc-bridge.sh <version>
set -euo pipefail
version="${1:?usage: install-solc-bridge.sh <solc version>}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
node_bin="$(command -v node || true)"
[ -n "$node_bin" ] || { echo "install-solc-bridge: node is not on PATH (Node 20 is required)" >&2; exit 1; }
dest_dir="${SOLCX_BINARY_PATH:-$HOME/.solcx}"
dest="$dest_dir/solc-v$version"
mkdir -p "$dest_dir"
launcher="#!/bin/sh
# ballast solc-js bridge (tools/install-solc-bridge.sh); compiler from $repo/node_modules/solc
exec \"$node_bin\" \"$repo/tools/solc-bridge.cjs\" \"\$@\"
"
if [ ! -f "$dest" ] || [ "$(cat "$dest")" != "${launcher%$'\n'}" ]; then
  printf '%s' "$launcher" > "$dest"
  chmod +x "$dest"
  echo "installed solc bridge: $dest"
fi
actual="$("$dest" --version | sed -n 's/^Version: \([0-9.]*\)+.*/\1/p')"
if [ "$actual" != "$version" ]; then
  echo "install-solc-bridge: $dest reports solc '$actual', expected '$version' (run npm ci)" >&2
  exit 1
fi
