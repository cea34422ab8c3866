#!/usr/bin/env bash
# Runs machinable 4.1's own test suite with every storage swapped for
# labstore.machinable (python/tests/machinable_swap.py), in a temporary copy
# of machinable's tree (its tests write ./storage).
#   bash scripts/machinable_tests.sh [build-dir] [pytest args...]
#   MACHINABLE_SRC=/path/to/machinable bash scripts/machinable_tests.sh
# Needs a build with -Dpython=enabled and Debian's python3-pydantic (1.x),
# python3-arrow, python3-omegaconf, python3-pandas, python3-pytest. Exits 77
# (meson: skipped) when machinable's tree is absent.
# Deselected: test_cli_installation (needs an installed `machinable` command)
# and the two tests that mount an experiment on a folder by hand
# (`_storage_id = str(tmp_path)`), which only the filesystem storage can do.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$(cd "${1:-build}" && pwd)
shift || true
src=${MACHINABLE_SRC:-$root/../shared/machinable}
if [ ! -d "$src/tests" ] || [ ! -d "$src/src/machinable" ]; then
  echo "machinable suite: SKIPPED: no machinable 4.1 tree at $src (set MACHINABLE_SRC)"
  exit 77
fi
if [ ! -d "$build/python/labstore" ]; then
  echo "machinable suite: $build/python/labstore is missing: configure with -Dpython=enabled" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src" "$work/machinable"
cd "$work/machinable"
start=$(date +%s)
status=0
HOME="$PWD/.home" PYTHONDONTWRITEBYTECODE=1 \
  PYTHONPATH="$build/python:$root/python/tests:$PWD/shims:$PWD/src" \
  /usr/bin/python3 -m pytest -q -p no:cacheprovider -p machinable_swap tests \
    --deselect tests/test_cli.py::test_cli_installation \
    --deselect tests/test_record.py::test_record \
    --deselect tests/test_experiment.py::test_experiment_interface "$@" || status=$?
echo "machinable suite: $(( $(date +%s) - start )) s"
exit $status
