#!/usr/bin/env bash
# Rewrites Sources/bangfud/link-order.txt, the order bangfud's functions are linked in: a release
# build runs under callgrind (bangfu-bench --callgrind), which names every function bangfud ran
# while starting and idle, then in each kind of call; those go first, the rest after. Run it after
# work that renames or adds much code on the start-up or request path, and commit the file. A stale
# list costs memory, never correctness: names it no longer matches are skipped.
# Needs root (the bench connects as the sample uids) and valgrind (scripts/ensure-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
bash scripts/ensure-deps.sh
bash scripts/build-release.sh 2>&1 | tail -n 1 >&2
bin=$(bash scripts/build-release.sh --show-bin-path)
$SUDO "$bin/bangfu-bench" --callgrind 20 --link-order "$(pwd)/Sources/bangfud/link-order.txt" >&2
# The link does not notice the list changed: link again.
rm -f "$bin/bangfud"
bash scripts/build-release.sh --product bangfud 2>&1 | tail -n 1 >&2
wc -l Sources/bangfud/link-order.txt >&2
