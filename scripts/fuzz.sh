#!/usr/bin/env bash
# Fuzzes with libFuzzer, each target from its seed corpus in Tests/Fuzz (copied, so the repository
# is not changed):
#   varlink  framing, JSON decoding and request dispatch, for VARLINK_SECONDS (default 60);
#   daemon   bangfud's real handlers on a throwaway store in /dev/shm, every method by granted and
#            ungranted callers, the store verified as it goes, for DAEMON_SECONDS (default 60).
# Usage: fuzz.sh [VARLINK_SECONDS [DAEMON_SECONDS]]. Exits non-zero on a finding, or when a target
# ran no input; prints how many inputs each tried.
set -euo pipefail
cd "$(dirname "$0")/.."
varlink_seconds=${1:-60}
daemon_seconds=${2:-60}
# The daemon target links libsystemd and loads the help-type plugins of an ordinary debug build
# (the test run needs both too).
bash scripts/ensure-deps.sh
swift build 2>&1 | tail -n 1 >&2
export BANGFU_FUZZ=1
swift build --sanitize=fuzzer --product bangfu-fuzz-varlink --scratch-path .build-fuzz 2>&1 | tail -n 1 >&2
swift build --sanitize=fuzzer --product bangfu-fuzz-daemon --scratch-path .build-fuzz 2>&1 | tail -n 1 >&2

fuzz() {
  local target=$1 corpus=$2 seconds=$3 max_len=$4
  local work
  work=$(mktemp -d /tmp/bangfu-fuzz.XXXXXX)
  cp "$corpus"/* "$work/"
  local log="$work/fuzz.log"
  if ! ".build-fuzz/debug/$target" "$work" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
    -artifact_prefix="$work/" -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "fuzz $target: FAILED (see the finding above; the input that found it is kept in $work)" >&2
    exit 1
  fi
  local runs
  runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log")
  # A fuzzer that ran nothing proved nothing.
  if [ "${runs:-0}" -eq 0 ]; then
    tail -n 20 "$log" >&2
    echo "fuzz $target: FAILED: no input was run" >&2
    rm -rf "$work"
    exit 1
  fi
  echo "fuzz $target: ${runs} inputs tried in ${seconds} s, no finding ($(ls "$work" | wc -l) corpus entries)"
  rm -rf "$work"
}

fuzz bangfu-fuzz-varlink Tests/Fuzz/varlink-corpus "$varlink_seconds" 4096
fuzz bangfu-fuzz-daemon Tests/Fuzz/daemon-corpus "$daemon_seconds" 8192
