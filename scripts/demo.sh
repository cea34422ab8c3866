#!/usr/bin/env bash
# Sets up (see setup.sh), then runs the main job: `labstore demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
# The library and the command only: no tests, no benchmarks (about a minute).
bash scripts/setup.sh build -Dtests=false -Dbench=false
exec ./build/tools/labstore demo "$@"
