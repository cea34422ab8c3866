#!/usr/bin/env bash
# Installs what is missing (Debian 12, as root), configures and builds labstore.
#   bash scripts/setup.sh [build-dir] [extra meson options...]
#   LABSTORE_EXTRA_PACKAGES="clang ..." bash scripts/setup.sh ...   # install these too
#   LABSTORE_TARGETS="test/labstore_tests" bash scripts/setup.sh ...  # build only these
#   bash scripts/setup.sh build -Dpython=enabled   # also the Python package and what it needs
# Options given for an existing build folder are applied with meson configure.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true

packages=(g++ pkg-config meson ninja-build
          librocksdb-dev libflatbuffers-dev flatbuffers-compiler libxxhash-dev libfmt-dev
          doctest-dev libsqlite3-dev sqlite3 libcli11-dev liblz4-dev libzstd-dev)
# shellcheck disable=SC2206  # a space-separated list
packages+=(${LABSTORE_EXTRA_PACKAGES:-})
# The Python package (python/): pybind11 and numpy to build it; pandas and
# pytest for its tests; pydantic 1, arrow and omegaconf to run machinable's suite.
case " $* " in
  *" -Dpython=enabled "*|*" -Dpython=auto "*)
    packages+=(python3-dev pybind11-dev python3-numpy python3-pandas python3-pytest
               python3-pydantic python3-arrow python3-omegaconf) ;;
esac
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: these Debian packages are missing and installing them needs root: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$@" >/dev/null
elif [ $# -gt 0 ]; then
  meson configure "$build" "$@" >/dev/null   # the same folder, other options
fi
# LABSTORE_TARGETS: build only these ninja targets (sanitizer builds).
# shellcheck disable=SC2086  # a space-separated list
ninja -C "$build" -j"$(nproc)" ${LABSTORE_TARGETS:-} >/dev/null
echo "setup: built in $build"
