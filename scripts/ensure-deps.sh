#!/usr/bin/env bash
# Installs the Debian packages bangfu builds and tests against, when they are missing (Debian 12, as root or via sudo).
set -euo pipefail
need=()
# libreoffice-calc-nogui: the import tests convert a CSV into the XLSX LibreOffice writes.
# libpango1.0-dev, libcairo2-dev, libxlsxwriter-dev, fonts-noto-cjk: bangfu-render sets documents
# (PDF with Chinese text, XLSX); poppler-utils: the tests read the PDFs back (pdftotext, pdftoppm).
# cockpit-ws, cockpit-bridge, cockpit-system, chromium, chromium-driver: the console's test logs in
# through Cockpit in a real browser.
# libpq-dev: the PostgreSQL client library; postgresql-15: the server the PostgreSQL tests start
# themselves (initdb into a temporary directory).
# valgrind, binutils: bangfu-bench --callgrind counts bangfud's instructions per call (objcopy strips
# the debug information valgrind cannot read); the bench's smoke test runs it.
for pkg in libsqlite3-dev libsystemd-dev systemd-container debootstrap patchelf libreoffice-calc-nogui \
  libpango1.0-dev libcairo2-dev libxlsxwriter-dev fonts-noto-cjk poppler-utils \
  cockpit-ws cockpit-bridge cockpit-system chromium chromium-driver libpq-dev postgresql-15 valgrind binutils; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
# The plugin tests build broken plugins from C with cc.
command -v cc >/dev/null || need+=(gcc)
if [ ${#need[@]} -gt 0 ]; then
  echo "bangfu: installing ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
command -v swift >/dev/null || { echo "bangfu: the Swift toolchain (6.1 or later) is required: put swift on PATH" >&2; exit 1; }
# The daemon tests use systemd's tools (systemd-socket-activate, systemd-analyze) and setpriv.
if ! command -v systemd-socket-activate >/dev/null || ! command -v setpriv >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq systemd util-linux
fi
# A varlink client we did not write, and Selenium for the console's browser test (it drives
# Debian's /usr/bin/chromedriver; its own driver manager is never used): PyPI, in a venv inside
# the build directory.
venv="$(dirname "$0")/../.build/pyvenv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import varlink, selenium' 2>/dev/null; then
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q varlink==31.0.0 selenium==4.51.0
fi
