#!/usr/bin/env bash
# Installs bangfud, bangfuctl, bangfu-render, the built-in help types, the systemd units, sysusers.d and
# tmpfiles.d files, man pages and shell completions. Honours DESTDIR and PREFIX (default /usr).
# The Swift runtime libraries the binaries use are copied into PREFIX/lib/bangfu/swift and the
# binaries' RUNPATH points there, so the toolchain is not needed at run time.
#   scripts/install.sh                 # release build, then install to /
#   DESTDIR=/tmp/pkg scripts/install.sh
#   BANGFU_BIN_DIR=.build/debug scripts/install.sh   # install an existing build
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=${PREFIX:-/usr}
DESTDIR=${DESTDIR:-}
if [ -z "${BANGFU_BIN_DIR:-}" ]; then
  bash scripts/ensure-deps.sh
  bash scripts/build-release.sh
  bin=$(bash scripts/build-release.sh --show-bin-path)
else
  bin=$(cd "$BANGFU_BIN_DIR" && pwd)
fi
command -v patchelf >/dev/null || { SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"; $SUDO apt-get install -y -qq patchelf; }

d="$DESTDIR$PREFIX"
install -d "$d/bin" "$d/lib/bangfu/plugins" "$d/lib/bangfu/swift" "$d/lib/systemd/system" "$d/lib/sysusers.d" "$d/lib/tmpfiles.d" \
  "$d/share/man/man1" "$d/share/doc/bangfu" "$d/share/bash-completion/completions" "$d/share/zsh/vendor-completions" \
  "$d/share/fish/vendor_completions.d" "$DESTDIR/etc/bangfu"
install -m 0755 "$bin/bangfud" "$bin/bangfuctl" "$bin/bangfu-render" "$d/bin/"
install -m 0644 "$bin"/libbangfu-help-*.so "$d/lib/bangfu/plugins/"

# The Swift runtime: every library the binaries and plugins load from the toolchain.
libs=$(ldd "$bin/bangfud" "$bin/bangfuctl" "$bin/bangfu-render" "$bin"/libbangfu-help-*.so | awk '$3 ~ /\/usr\/lib\/swift\// {print $3}' | sort -u)
for lib in $libs; do install -m 0644 "$lib" "$d/lib/bangfu/swift/"; done
patchelf --set-rpath '$ORIGIN/../lib/bangfu/swift' "$d/bin/bangfud" "$d/bin/bangfuctl" "$d/bin/bangfu-render"
for so in "$d"/lib/bangfu/plugins/*.so; do patchelf --set-rpath '$ORIGIN/../swift' "$so"; done

sed -e "s#/usr/bin/bangfud#$PREFIX/bin/bangfud#" -e "s#--log-target journal#--log-target journal --plugin-dir $PREFIX/lib/bangfu/plugins#" \
  systemd/bangfud.service > "$d/lib/systemd/system/bangfud.service"
install -m 0644 systemd/bangfud.socket "$d/lib/systemd/system/"
install -m 0644 systemd/bangfu.sysusers.conf "$d/lib/sysusers.d/bangfu.conf"
sed "s#/usr/lib/bangfu/plugins#$PREFIX/lib/bangfu/plugins#" systemd/bangfu.tmpfiles.conf > "$d/lib/tmpfiles.d/bangfu.conf"
# The web console, a Cockpit package (Cockpit itself: apt-get install cockpit).
install -d "$d/share/cockpit/bangfu"
install -m 0644 cockpit/bangfu/index.html cockpit/bangfu/*.js cockpit/bangfu/bangfu.css "$d/share/cockpit/bangfu/"
# The reports page spawns bangfuctl as the person logged in: the manifest says where it is.
sed "s#\"/usr/bin/bangfuctl\"#\"$PREFIX/bin/bangfuctl\"#" cockpit/bangfu/manifest.json > "$d/share/cockpit/bangfu/manifest.json"
install -m 0644 docs/man/bangfud.1 docs/man/bangfuctl.1 docs/man/bangfu-render.1 "$d/share/man/man1/"
install -m 0644 etc/bangfu.example.yaml README.md docs/plugins.md docs/import.md docs/documents.md docs/console.md docs/postgres.md systemd/bangfud.service.d/credentials.conf systemd/bangfud.service.d/postgres.conf "$d/share/doc/bangfu/"
"$d/bin/bangfuctl" --generate-completion-script bash > "$d/share/bash-completion/completions/bangfuctl"
"$d/bin/bangfuctl" --generate-completion-script zsh > "$d/share/zsh/vendor-completions/_bangfuctl"
"$d/bin/bangfuctl" --generate-completion-script fish > "$d/share/fish/vendor_completions.d/bangfuctl.fish"
# A configuration to start from; an existing one is never overwritten.
if [ ! -e "$DESTDIR/etc/bangfu/bangfu.yaml" ]; then
  cat > "$DESTDIR/etc/bangfu/bangfu.yaml" <<'YAML'
# bangfu configuration. Every key is documented in /usr/share/doc/bangfu/bangfu.example.yaml.
# Declare your units, grants and the local 低保 table before the first archive.
units: []
grants: []
YAML
fi
echo "installed into ${DESTDIR:-/}$PREFIX (then: systemd-sysusers; systemd-tmpfiles --create; systemctl enable --now bangfud.socket)"
