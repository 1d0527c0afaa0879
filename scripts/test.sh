#!/usr/bin/env bash
# Builds everything and runs the whole test suite (Swift Testing, real SQLite files, real processes,
# the real daemon, and a real systemd in systemd-nspawn).
# Suites run one after another: many of them start daemons, processes and containers, and on a
# 2-core machine a serial run (about 80 s) is the predictable one.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build --build-tests
swift test --skip-build --disable-xctest --no-parallel "$@"
