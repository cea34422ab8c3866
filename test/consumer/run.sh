#!/usr/bin/env bash
# Installs the build into a scratch prefix, builds consumer.cc against the
# installed labstore.pc with pkg-config, and runs it.
#   run.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
meson install -C "$build" --no-rebuild --quiet --destdir "$tmp/root" >/dev/null
pc=$(find "$tmp/root" -name labstore.pc | head -n 1)
[ -n "$pc" ] || { echo "labstore.pc was not installed"; exit 1; }
prefix=$(sed -n 's/^prefix=//p' "$pc")
export PKG_CONFIG_PATH=$(dirname "$pc")
flags=$(pkg-config --define-variable=prefix="$tmp/root$prefix" --static --cflags --libs labstore)
g++ -std=c++20 -o "$tmp/consumer" "$src/consumer.cc" $flags
out=$("$tmp/consumer" "$tmp/store")
echo "$out"
[[ "$out" == "consumer ok "* ]]
