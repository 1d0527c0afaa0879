#!/usr/bin/env bash
# The release build: `swift build -c release` with every function in its own section (Swift and C,
# the dependencies too), so that bangfud's link order (Sources/bangfud/link-order.txt) places code
# function by function. Arguments go on to swift build (--product, --scratch-path, --show-bin-path).
# A plain `swift build -c release` works as well, with coarser placement: its idle bangfud kept
# several MiB more of its code resident (39 against 33.5 MiB, measured once with an earlier list).
set -euo pipefail
cd "$(dirname "$0")/.."
flags=(-c release -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections)
case " $* " in *" --show-bin-path "*) exec swift build "${flags[@]}" "$@" ;; esac
bin=$(swift build "${flags[@]}" --show-bin-path "$@")
# Swift's incremental build does not notice a changed frontend flag: a release tree built without
# this one is built again, once.
stamp="$bin/.function-sections"
if [ -d "$bin" ] && [ ! -e "$stamp" ]; then
  echo "bangfu: rebuilding $bin with a section per function (once)" >&2
  rm -rf "$bin"
fi
swift build "${flags[@]}" "$@"
touch "$stamp"
