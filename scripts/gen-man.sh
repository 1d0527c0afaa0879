#!/usr/bin/env bash
# Regenerates docs/man/*.1 from the command-line definitions (swift-argument-parser's
# generate-manual plugin). The plugin keeps ASCII only, so the English half of each
# "中文 / English" help text is kept. Run after changing options; the test suite checks that
# every bangfuctl subcommand is in the page.
set -euo pipefail
cd "$(dirname "$0")/.."
swift package --allow-writing-to-package-directory generate-manual >/dev/null
mkdir -p docs/man
for tool in bangfud bangfuctl bangfu-render; do
  python3 - ".build/plugins/GenerateManual/outputs/$tool/$tool.1" "docs/man/$tool.1" <<'PY'
import re, sys
out = []
for line in open(sys.argv[1], encoding="utf-8"):
    # "<stripped Chinese> / English" -> "English"
    if "/ " in line and not line.startswith(".\\\""):
        head, _, tail = line.rpartition("/ ")
        m = re.match(r'^(\.(?:Nd|It|Pp)?\s*"?|\\&\s*)?(.*)$', head)
        prefix, rest = (m.group(1) or ""), m.group(2)
        if not re.search(r"[A-Za-z0-9]", rest):
            line = prefix + tail
    out.append(line)
open(sys.argv[2], "w", encoding="utf-8").write("".join(out))
PY
done
echo "docs/man/bangfud.1 docs/man/bangfuctl.1 docs/man/bangfu-render.1 regenerated"
