#!/usr/bin/env bash
# Sets up (see setup.sh), then runs the main job: `labstore demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build
exec ./build/tools/labstore demo "$@"
