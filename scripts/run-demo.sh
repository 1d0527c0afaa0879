#!/usr/bin/env bash
# Builds bangfu and runs the demo on a fresh SQLite file in ./demo-state with the example configuration:
# a household archived and one case taken through application -> review -> notice -> disbursement.
# Extra arguments go to `bangfu-db demo` (e.g. --json).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build --product bangfu-db 2>&1 | tail -n 1 >&2
exec "$(swift build --show-bin-path)/bangfu-db" demo --state-dir ./demo-state --config etc/bangfu.example.yaml --fresh "$@"
