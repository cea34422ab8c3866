#!/usr/bin/env bash
# Sets up (see setup.sh), then runs every test:
#   1. the normal build (build/): release, warnings as errors, tests and
#      benchmarks compiled — what users build, checked strictly;
#   2. the whole doctest suite under AddressSanitizer + UndefinedBehaviorSanitizer
#      (build-asan/: the test binaries and the children they run, no benchmarks);
#   3. the concurrency tests under ThreadSanitizer (build-tsan/: only their
#      binary, labstore_concurrency_tests, and the command);
#   4. the libFuzzer targets for 20 s each (build-fuzz/, scripts/fuzz.sh);
#   5. the tests that are not doctest cases: the installed-package consumer and
#      the README example; the Python package's pytest suite; machinable 4.1's
#      own suite on labstore.machinable (skipped where ../shared/machinable is absent);
#   6. the whole doctest suite in the normal build, last, so that the output
#      ends with doctest's summary line.
# Each stage prints its time; the total comes last but one.
#
#   bash scripts/test.sh                         # what CI runs
#   LABSTORE_SANITIZERS=0 bash scripts/test.sh   # skip 2-4 (quick local run)
#   LABSTORE_LONG=1 bash scripts/test.sh         # long crash/soak/fuzz modes
# (Sanitizer builds use -Dwerror=false: g++ 12 reports false -Wrestrict
# warnings in libstdc++ under -fsanitize.)
set -euo pipefail
cd "$(dirname "$0")/.."

start_all=$SECONDS
stage_start=$SECONDS
stage() {  # prints the time of the stage that ended, then the next stage's name
  [ -n "${stage_name:-}" ] && echo "== ($stage_name: $((SECONDS - stage_start)) s)"
  stage_name=$1
  stage_start=$SECONDS
  echo "== $1"
}

stage "build (release, -Werror)"
# python3-numpy: the .npy round trip against numpy itself (test/data/npy_test.cc).
# -Dpython=enabled: the Python package, its pytest suite and machinable's own suite on it (5.).
LABSTORE_EXTRA_PACKAGES="python3-numpy ${LABSTORE_EXTRA_PACKAGES:-}" \
  bash scripts/setup.sh build -Dbuildtype=release -Dwerror=true -Dtests=true -Dbench=true -Dpython=enabled

if [ "${LABSTORE_SANITIZERS:-1}" != 0 ]; then
  stage "AddressSanitizer + UndefinedBehaviorSanitizer: every suite"
  bash scripts/setup.sh build-asan \
    -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=false -Dbench=false -Ddefault_library=static
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ./build-asan/test/labstore_tests --duration=false --minimal

  stage "ThreadSanitizer: concurrency tests"
  LABSTORE_TARGETS="test/labstore_concurrency_tests tools/labstore test/tool/slow_writer" \
    bash scripts/setup.sh build-tsan -Db_sanitize=thread -Db_lundef=false -Dwerror=false -Dbench=false \
    -Ddefault_library=static
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/scripts/tsan.supp" \
    ./build-tsan/test/labstore_concurrency_tests --duration=false --minimal --test-case='*thread*,*concurren*'

  stage "libFuzzer: each fuzz target for a short while (scripts/fuzz.sh)"
  bash scripts/fuzz.sh
fi

stage "consumer: programs built against the installed labstore.pc (shared and static)"
meson test -C build --no-rebuild --print-errorlogs --suite consumer
stage "Python: pytest (python/tests), then machinable 4.1's own suite on labstore (skipped without it)"
meson test -C build --no-rebuild --print-errorlogs --suite python --suite machinable
echo "== (total before the last stage: $((SECONDS - start_all)) s)"
stage "every doctest suite"
./build/test/labstore_tests --duration=false
