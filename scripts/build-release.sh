#!/usr/bin/env bash
# The release build: `swift build -c release` with every function in its own section (Swift and C,
# the dependencies too), so that bangfud's link order (Sources/bangfud/link-order.txt) places code
# function by function. Arguments go on to swift build (--product, --scratch-path, --show-bin-path).
# A plain `swift build -c release` works as well; its idle daemon keeps about 1.5 MiB more resident.
set -euo pipefail
cd "$(dirname "$0")/.."
exec swift build -c release -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections "$@"
