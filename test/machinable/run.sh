#!/usr/bin/env bash
# Exports experiments made from C++ (module + config, no version) and looks
# them up with machinable 4.1 itself (check_get.py). Skipped (exit 77) when
# machinable (../shared/machinable beside the source tree) or Debian's python
# packages it needs are missing.
#   run.sh MAKE_STORE_EXE SOURCE_ROOT
set -euo pipefail
make_store=$1
root=$2
here="$root/test/machinable"
machinable="$root/../shared/machinable"
python=/usr/bin/python3
if [ ! -d "$machinable/src/machinable" ]; then
  echo "SKIP: machinable is not at $machinable"
  exit 77
fi
if ! "$python" -c 'import pydantic, arrow, omegaconf, numpy' 2>/dev/null; then
  echo "SKIP: $python lacks python3-pydantic, python3-arrow, python3-omegaconf or python3-numpy"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$make_store" "$tmp/store" "$tmp/export" > "$tmp/made"
cat "$tmp/made"
cd "$tmp"  # machinable may write next to the working directory
HOME="$tmp/home" PYTHONPATH="$machinable/shims:$machinable/src" \
  "$python" "$here/check_get.py" "$here/project" "$tmp/export" < "$tmp/made"
