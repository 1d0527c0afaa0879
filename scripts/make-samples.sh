#!/usr/bin/env bash
# Makes docs/samples again: the printable documents (notice, signature sheet, public accounts,
# report form as PDF, HTML and XLSX) from synthetic data, by the real bangfud, bangfuctl and
# bangfu-render; then a picture of the report's first page. The test suite makes them again and
# compares their text and page counts with these (SamplesTests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build --build-tests
out="$PWD/docs/samples"
BANGFU_SAMPLES_OUT="$out" swift test --skip-build --disable-xctest --no-parallel --filter SamplesTests
pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$out/report.pdf" "$out/report-page1"
ls -l "$out"
