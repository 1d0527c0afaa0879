#!/usr/bin/env bash
# Installs the Debian packages bangfu builds and tests against, when they are missing (Debian 12, as root or via sudo).
set -euo pipefail
need=()
# libreoffice-calc-nogui: the import tests convert a CSV into the XLSX LibreOffice writes.
# libpango1.0-dev, libcairo2-dev, libxlsxwriter-dev, fonts-noto-cjk: bangfu-render sets documents
# (PDF with Chinese text, XLSX); poppler-utils: the tests read the PDFs back (pdftotext, pdftoppm).
for pkg in libsqlite3-dev libsystemd-dev systemd-container debootstrap patchelf libreoffice-calc-nogui \
  libpango1.0-dev libcairo2-dev libxlsxwriter-dev fonts-noto-cjk poppler-utils; do
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
# A varlink client we did not write: the PyPI package, in a venv inside the build directory.
venv="$(dirname "$0")/../.build/pyvenv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import varlink' 2>/dev/null; then
  python3 -m venv "$venv" && "$venv/bin/pip" install -q varlink==31.0.0
fi
