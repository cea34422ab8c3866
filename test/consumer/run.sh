#!/usr/bin/env bash
# Installs the build into a scratch prefix (meson install --destdir), then
# builds consumer.cc against the installed labstore.pc the way a packager's
# user would, and runs it:
#   1. shared: pkg-config --define-prefix (the .pc is relocatable), linked
#      against liblabstore.so.<soversion>;
#   2. static: pkg-config --define-prefix --static;
#   3. the README's example: the first ```cpp block after "## Example" in
#      README.md, compiled with -Wall -Wextra -Werror and run twice in a
#      scratch folder (the second run finds the finished experiment).
#   run.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
meson install -C "$build" --no-rebuild --quiet --destdir "$tmp/root" >/dev/null
pc=$(find "$tmp/root" -name labstore.pc | head -n 1)
[ -n "$pc" ] || { echo "labstore.pc was not installed"; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc")

libdir=$(pkg-config --define-prefix --variable=libdir labstore)
includedir=$(pkg-config --define-prefix --variable=includedir labstore)
case "$libdir" in
  "$tmp/root"/*) ;;
  *) echo "pkg-config --define-prefix gave libdir $libdir, outside the install at $tmp/root"; exit 1 ;;
esac
[ -f "$includedir/labstore/labstore.h" ] || { echo "no labstore/labstore.h under $includedir"; exit 1; }

so=$(find "$libdir" -name 'liblabstore.so.*.*' | head -n 1)
[ -n "$so" ] || { echo "no versioned liblabstore.so.* in $libdir"; exit 1; }
soname=$(readelf -d "$so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[[ "$soname" == liblabstore.so.[0-9]* ]] || { echo "liblabstore's soname is '$soname'"; exit 1; }

# shellcheck disable=SC2046  # pkg-config prints several flags
g++ -std=c++20 -o "$tmp/consumer_shared" "$src/consumer.cc" $(pkg-config --define-prefix --cflags --libs labstore)
readelf -d "$tmp/consumer_shared" | grep -q "NEEDED.*\[$soname\]" \
  || { echo "the shared consumer does not load $soname"; exit 1; }
out=$(LD_LIBRARY_PATH="$libdir" "$tmp/consumer_shared" "$tmp/store_shared")
echo "shared ($soname, $(stat -c %s "$tmp/consumer_shared") bytes): $out"
[[ "$out" == "consumer ok "* ]]

# shellcheck disable=SC2046
g++ -std=c++20 -o "$tmp/consumer_static" "$src/consumer.cc" \
  $(pkg-config --define-prefix --static --cflags labstore) "$libdir/liblabstore.a" \
  $(pkg-config --define-prefix --static --libs-only-other --libs-only-l labstore | sed 's/-llabstore//')
out=$("$tmp/consumer_static" "$tmp/store_static")
echo "static ($(stat -c %s "$tmp/consumer_static") bytes): $out"
[[ "$out" == "consumer ok "* ]]

readme="$src/../../README.md"
awk '/^## Example/ {in_section = 1} in_section && /^```cpp/ {in_block = 1; next}
     in_block && /^```/ {exit} in_block {print}' "$readme" > "$tmp/readme.cc"
[ -s "$tmp/readme.cc" ] || { echo "no \`\`\`cpp block after '## Example' in $readme"; exit 1; }
# shellcheck disable=SC2046
g++ -std=c++20 -Wall -Wextra -Wpedantic -Werror -o "$tmp/readme" "$tmp/readme.cc" \
  $(pkg-config --define-prefix --cflags --libs labstore)
mkdir "$tmp/run"
first=$(cd "$tmp/run" && LD_LIBRARY_PATH="$libdir" "$tmp/readme")
second=$(cd "$tmp/run" && LD_LIBRARY_PATH="$libdir" "$tmp/readme")
echo "README example, first run: $first"
echo "README example, second run: $second"
[ "$first" = "$second" ] || { echo "the README example printed different things on its two runs"; exit 1; }
[ -f "$tmp/run/storage/storage.sqlite" ] || { echo "the README example did not export ./storage"; exit 1; }
