#!/usr/bin/env bash
# Sets up (see setup.sh), then runs every test:
#   0. a style check: no C++ line over 120 columns (.clang-format);
#   1. the normal build (build/): release, warnings as errors, tests and
#      benchmarks compiled — what users build, checked strictly; then the
#      demo's build (build-demo/: the command only, its library as one unity
#      file, as scripts/demo.sh builds it) and a short demo run;
#   2. every doctest suite but slow under AddressSanitizer + UndefinedBehaviorSanitizer
#      (build-asan/: only the test binary, the command and the children its
#      cases run, at -O1 -g1 with the library as one unity file; no
#      benchmarks, no Python; the cases as two halves at once);
#   3. the concurrency tests under ThreadSanitizer (build-tsan/: only their
#      binary, labstore_concurrency_tests, the command and slow_writer; built
#      as the ASan build is);
#   4. the libFuzzer targets for 10 s each (build-fuzz/, scripts/fuzz.sh);
#   5. the tests that are not doctest cases: the installed-package consumer and
#      the README example; the Python package's pytest suite; machinable 4.1's
#      own suite on labstore.machinable (skipped where ../shared/machinable is absent);
#   6. the whole doctest suite in the normal build, slow suite included (its
#      only run: the long kill -9, corruption, large-file and concurrency cases,
#      test/meson.build), last, so that the output ends with doctest's summary line.
# Each stage prints its wall time and its CPU time (user + system, compilers and
# tests included); the total comes last but one.
#
#   bash scripts/test.sh                         # what CI runs
#   LABSTORE_SANITIZERS=0 bash scripts/test.sh   # skip 2-4 (quick local run)
#   LABSTORE_LONG=1 bash scripts/test.sh         # long crash/soak/fuzz modes
# (Sanitizer builds use -Dwerror=false: g++ 12 reports false -Wrestrict
# warnings in libstdc++ under -fsanitize.)
set -euo pipefail
cd "$(dirname "$0")/.."

times_file=$(mktemp)
trap 'rm -f "$times_file"' EXIT
cpu_now() {  # sets cpu: user + system CPU seconds of this shell and of the children it waited for
  times >"$times_file"  # the builtin, run in this shell (in a subshell it would time the subshell)
  # Two lines, "XmY.YYYs XmY.YYYs": this shell's user and system time, then its children's.
  cpu=$(tr 'ms' '  ' <"$times_file" | awk '{ for (i = 1; i < NF; i += 2) t += 60 * $i + $(i + 1) }
                                          END { printf "%d", t }')
}
start_all=$SECONDS
stage_start=$SECONDS
cpu_now
stage_cpu=$cpu
stage() {  # prints the wall and CPU time of the stage that ended, then the next stage's name
  cpu_now
  [ -n "${stage_name:-}" ] && echo "== ($stage_name: $((SECONDS - stage_start)) s wall, $((cpu - stage_cpu)) s CPU)"
  stage_name=$1
  stage_start=$SECONDS
  stage_cpu=$cpu
  echo "== $1"
}

# Runs a doctest binary's matching cases as two processes at once, each half of
# them (the cases wait on fsync, children and sleeps more than on the CPU).
# Fails when either half fails; each half prints its own summary.
doctest_halves() {
  local bin=$1
  shift
  local n
  n=$("$bin" --count "$@" | sed -n 's/.*passing the current filters: *//p')
  if [ -z "$n" ] || [ "$n" -lt 2 ]; then
    "$bin" "$@"
    return
  fi
  local half=$((n / 2)) first=0 second=0
  "$bin" "$@" --first=1 --last="$half" &
  local pid=$!
  "$bin" "$@" --first=$((half + 1)) --last="$n" || second=$?
  wait "$pid" || first=$?
  [ "$first" = 0 ] && [ "$second" = 0 ]
}

stage "style: no C++ line over 120 columns (.clang-format)"
long_lines=$(LC_ALL=C.UTF-8 grep -rn --include='*.cc' --include='*.h' '.\{121,\}' include lib tools test bench python/src \
  || true)
if [ -n "$long_lines" ]; then
  echo "$long_lines"
  echo "test.sh: these lines are over 120 columns (clang-format them: .clang-format)" >&2
  exit 1
fi

stage "build (release, -Werror)"
# python3-numpy: the .npy round trip against numpy itself (test/data/npy_test.cc).
# -Dpython=enabled: the Python package, its pytest suite and machinable's own suite on it (5.).
LABSTORE_EXTRA_PACKAGES="python3-numpy ${LABSTORE_EXTRA_PACKAGES:-}" \
  bash scripts/setup.sh build -Dbuildtype=release -Dwerror=true -Dtests=true -Dbench=true -Dpython=enabled \
  -Dunity_lib=false

# The Quick start's first command builds the library as one unity file
# (scripts/demo.sh): a name clash between .cc files shows only there.
stage "demo build (as scripts/demo.sh: -O1, unity) and a short demo run"
LABSTORE_TARGETS=tools/labstore bash scripts/setup.sh build-demo -Dtests=false -Dbench=false \
  -Doptimization=1 -Ddebug=false -Dunity_lib=true
demo_dir=$(mktemp -d)
./build-demo/tools/labstore --store "$demo_dir/store" demo --rows 20000 --export "$demo_dir/storage" >/dev/null
rm -rf "$demo_dir"

if [ "${LABSTORE_SANITIZERS:-1}" != 0 ]; then
  # test-programs (test/meson.build): the test binary, the command and the
  # children the cases start. The slow suite runs once, in 6.
  stage "AddressSanitizer + UndefinedBehaviorSanitizer: every suite but slow"
  # -O1 with line tables only (-g1) and the library as one unity file: about
  # 2.6x less compiling than -O2 -g (1,020 against 2,645 CPU-s cold), and still
  # file:line in every report.
  LABSTORE_TARGETS=test-programs \
    bash scripts/setup.sh build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=false \
    -Dbench=false -Dpython=disabled -Ddefault_library=static \
    -Doptimization=1 -Ddebug=false -Dcpp_args=-g1 -Dunity_lib=true
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    doctest_halves ./build-asan/test/labstore_tests --duration=false --minimal --test-suite-exclude=slow

  stage "ThreadSanitizer: concurrency tests"
  LABSTORE_TARGETS=concurrency-test-programs \
    bash scripts/setup.sh build-tsan -Db_sanitize=thread -Db_lundef=false -Dwerror=false -Dbench=false \
    -Dpython=disabled -Ddefault_library=static -Doptimization=1 -Ddebug=false -Dcpp_args=-g1 -Dunity_lib=true
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
stage "every doctest suite, slow included"
./build/test/labstore_tests --duration=false
