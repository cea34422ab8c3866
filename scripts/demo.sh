#!/usr/bin/env bash
# Sets up (see setup.sh), then runs the main job: `labstore demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
# Only what the demo needs: the command and the static library it links (no
# shared library, tests or benchmarks), at -O1 without debug information
# (assertions stay on), the library and the command each compiled as one unity
# file (-Dunity_lib=true, meson.build). A cold build takes about 55 CPU-seconds
# instead of about 475 for the debugoptimized shared and static library and
# command it built before (the library's unity file needs about 1.2 GB of
# memory to compile), and the demo runs as fast as at -O2. These options stay
# in build/ until changed: scripts/test.sh sets its own buildtype;
# `meson configure build -Dunity_lib=false` undoes the rest.
LABSTORE_TARGETS=tools/labstore bash scripts/setup.sh build -Dtests=false -Dbench=false \
  -Doptimization=1 -Ddebug=false -Dunity_lib=true
exec ./build/tools/labstore demo "$@"
