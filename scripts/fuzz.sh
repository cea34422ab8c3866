#!/usr/bin/env bash
# Runs the libFuzzer targets of test/fuzz/ (clang, ASan + UBSan) on a scratch
# copy of their seed corpora; exits non-zero on any crash, leak or timeout.
#   bash scripts/fuzz.sh                 # short: 10 s per target (what CI runs)
#   bash scripts/fuzz.sh 60              # 60 s per target
#   bash scripts/fuzz.sh --long          # 600 s per target (also LABSTORE_LONG=1)
# Crash inputs are kept in build-fuzz/artifacts/ (the path is printed);
# replay one with: ./build-fuzz/test/fuzz/<target>_fuzz <artifact>
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=10
[ "${LABSTORE_LONG:-0}" = 1 ] && seconds=600
for arg in "$@"; do
  case "$arg" in
    --long) seconds=600 ;;
    *[!0-9]*|'') echo "usage: scripts/fuzz.sh [--long] [seconds-per-target]" >&2; exit 2 ;;
    *) seconds=$arg ;;
  esac
done

targets=(py_json canonical records_line chunk)  # test/fuzz/<target>_fuzz.cc
ninja_targets=()
for t in "${targets[@]}"; do ninja_targets+=("test/fuzz/${t}_fuzz"); done

# setup.sh installs what is missing, clang and the libFuzzer runtime too; it
# builds the static library and the fuzz targets only.
LABSTORE_EXTRA_PACKAGES="clang libclang-rt-14-dev" CC=clang CXX=clang++ \
  LABSTORE_TARGETS="${ninja_targets[*]}" bash scripts/setup.sh build-fuzz -Dfuzz=true -Db_lundef=false -Dbench=false \
  -Doptimization=1 -Ddebug=false -Dcpp_args=-g1 -Dunity_lib=true

# Per target: the longest input worth trying (a chunk of a few rows, a records
# file of a few lines, a config).
declare -A max_len=([py_json]=4096 [canonical]=4096 [records_line]=8192 [chunk]=4096)
work=build-fuzz/fuzz-work-${seconds}s
artifacts=build-fuzz/artifacts
rm -rf "$work"
mkdir -p "$work" "$artifacts"
failed=0
for t in "${targets[@]}"; do
  corpus="$work/$t"
  cp -r "test/fuzz/corpus/$t" "$corpus"
  log="$work/$t.log"
  status=0
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "./build-fuzz/test/fuzz/${t}_fuzz" "$corpus" -max_total_time="$seconds" -max_len="${max_len[$t]}" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/$t-" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  echo "fuzz: $t: ${execs:-?} executions in ${seconds} s, corpus $(ls "$corpus" | wc -l) inputs"
  if [ $status -ne 0 ]; then
    failed=1
    echo "fuzz: $t FAILED (exit $status); log $log" >&2
    grep -E "ERROR: |fuzz check failed|SUMMARY|Test unit written to" "$log" | head -20 >&2 || true
  fi
done
exit $failed
