#!/usr/bin/env bash
# Fuzzes varlink framing, JSON decoding and request dispatch with libFuzzer for SECONDS (default 60),
# starting from the seed corpus in Tests/Fuzz/corpus (copied, so the repository is not changed).
# Exits non-zero on a crash; prints how many inputs were tried.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
export BANGFU_FUZZ=1
swift build --sanitize=fuzzer --product bangfu-fuzz-varlink --scratch-path .build-fuzz 2>&1 | tail -n 1 >&2
work=$(mktemp -d /tmp/bangfu-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp Tests/Fuzz/corpus/* "$work/"
log="$work/fuzz.log"
if ! .build-fuzz/debug/bangfu-fuzz-varlink "$work" -max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "fuzz: FAILED (see the crash above)" >&2
  exit 1
fi
runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log")
# A fuzzer that ran nothing proved nothing.
if [ "${runs:-0}" -eq 0 ]; then
  tail -n 20 "$log" >&2
  echo "fuzz: FAILED: no input was run" >&2
  exit 1
fi
echo "fuzz: ${runs:-0} inputs tried in ${seconds} s, no crash ($(ls "$work" | wc -l) corpus entries)"
