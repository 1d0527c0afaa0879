#!/usr/bin/env bash
# Builds everything and runs the whole test suite (Swift Testing, real SQLite files, real processes).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build --build-tests
swift test --skip-build --disable-xctest "$@"
