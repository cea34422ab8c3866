#!/usr/bin/env bash
# Sets up (see setup.sh), then runs every test:
#   1. the whole doctest suite under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/);
#   2. the concurrency tests under ThreadSanitizer (build-tsan/), then the
#      libFuzzer targets for 20 s each (build-fuzz/, scripts/fuzz.sh);
#   3. the tests that are not doctest cases (installed-package consumer);
#   4. the whole doctest suite in the normal build (build/), last, so that the
#      output ends with doctest's summary line.
#
#   bash scripts/test.sh                      # what CI runs
#   LABSTORE_SANITIZERS=0 bash scripts/test.sh   # skip 1 and 2 (quick local run)
# (Sanitizer builds use -Dwerror=false: g++ 12 reports false -Wrestrict
# warnings in libstdc++ under -fsanitize.)
#   LABSTORE_LONG=1 bash scripts/test.sh      # long crash/soak/fuzz modes
set -euo pipefail
cd "$(dirname "$0")/.."
# python3-numpy: the .npy round trip against numpy itself (test/data/npy_test.cc).
# -Dpython=enabled: the Python package, its pytest suite and machinable's own suite on it (5.).
LABSTORE_EXTRA_PACKAGES="python3-numpy ${LABSTORE_EXTRA_PACKAGES:-}" bash scripts/setup.sh build -Dpython=enabled

if [ "${LABSTORE_SANITIZERS:-1}" != 0 ]; then
  echo "== AddressSanitizer + UndefinedBehaviorSanitizer: every suite"
  bash scripts/setup.sh build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=false -Dbench=false
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ./build-asan/test/labstore_tests --duration=false --minimal
  echo "== ThreadSanitizer: concurrency tests"
  bash scripts/setup.sh build-tsan -Db_sanitize=thread -Db_lundef=false -Dwerror=false -Dbench=false
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/scripts/tsan.supp" \
    ./build-tsan/test/labstore_tests --duration=false --minimal --test-case='*thread*,*concurren*'
  echo "== libFuzzer: each fuzz target for a short while (scripts/fuzz.sh)"
  bash scripts/fuzz.sh
fi

echo "== consumer: build a program against the installed labstore.pc"
meson test -C build --no-rebuild --print-errorlogs --suite consumer
echo "== Python: pytest (python/tests), then machinable 4.1's own suite on labstore (skipped without it)"
meson test -C build --no-rebuild --print-errorlogs --suite python --suite machinable
echo "== every doctest suite"
./build/test/labstore_tests --duration=false
