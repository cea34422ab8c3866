#!/usr/bin/env bash
# Sets up (see setup.sh), then runs every test. The doctest suites run last in
# one process so that the output ends with doctest's summary line.
#   bash scripts/test.sh            # normal mode (CI)
#   LABSTORE_LONG=1 bash scripts/test.sh   # long crash/soak/fuzz modes
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build
# Tests that are not doctest cases (installed-package consumer, ...).
meson test -C build --no-rebuild --print-errorlogs --suite consumer
# Every doctest suite, in one run.
./build/test/labstore_tests --duration=false
