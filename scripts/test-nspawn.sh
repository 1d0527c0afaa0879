#!/usr/bin/env bash
# bangfud under a real systemd as PID 1 (systemd-nspawn): socket activation on the first
# bangfuctl call, READY, journald fields read back by CASE_ID=, and a SIGSTOPped daemon killed by
# the watchdog and restarted with every case filed before still there.
# Usage: scripts/test-nspawn.sh BIN_DIR   (the build output with bangfud, bangfuctl and the plugins)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin=$(cd "${1:?usage: test-nspawn.sh BIN_DIR}" && pwd)
toolchain=$(readelf -d "$bin/bangfud" | sed -n 's/.*RUNPATH.*\[\(.*\)\].*/\1/p' | tr ':' '\n' | grep -v '^\$ORIGIN' | head -n 1)
# The root file system is built once and reused (about 50 s and 300 MB); again when it lacks a
# library bangfu now needs (libxml2: bangfuctl reads XLSX with Foundation's XML parser; libpq:
# bangfud and bangfu-db speak to PostgreSQL when configured to).
rootfs=${BANGFU_NSPAWN_ROOTFS:-/var/tmp/bangfu-nspawn-rootfs}
if [ ! -x "$rootfs/lib/systemd/systemd" ] || ! ls "$rootfs"/usr/lib/*/libxml2.so.2 >/dev/null 2>&1 \
  || ! ls "$rootfs"/usr/lib/*/libpq.so.5 >/dev/null 2>&1; then
  rm -rf "$rootfs"
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
  mirror=${mirror:-http://deb.debian.org/debian}
  echo "nspawn: building the root file system in $rootfs from $mirror" >&2
  rm -rf "$rootfs.tmp"
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,libsystemd0,libsqlite3-0,libstdc++6,libxml2,libpq5,procps,iproute2 \
    bookworm "$rootfs.tmp" "$mirror" >/dev/null
  mv "$rootfs.tmp" "$rootfs"
fi

work=$(mktemp -d /tmp/bangfu-nspawn.XXXXXX)
machine="bangfu-test-$$"
units="$work/units"; conf="$work/etc"; run="$work/run"; plugins="$work/plugins"
mkdir -p "$units" "$conf" "$run" "$work/sysusers" "$plugins"
# The built-in help types, and one that crashes the process when asked to assess.
cp "$bin"/libbangfu-help-*.so "$plugins/"
cat > "$work/crash.c" <<'C'
#include "bangfu_plugin.h"
#include <stdlib.h>
#include <string.h>
static const char *d = "{\"id\":\"crash\",\"nameZh\":\"崩溃测试\",\"nameEn\":\"Crash test\",\"version\":\"1\",\"paymentKind\":\"one_off\",\"fields\":[],\"fundSources\":[\"union_funds\"],\"flags\":[],\"config\":[],\"amountCapFen\":1000}";
static int32_t init_(const bangfu_host *h) { (void)h; return BANGFU_OK; }
static int32_t describe_(bangfu_buffer *out) { size_t n = strlen(d); out->data = malloc(n); memcpy(out->data, d, n); out->len = n; return BANGFU_OK; }
static int32_t call_(const uint8_t *m, size_t ml, const uint8_t *r, size_t rl, bangfu_buffer *out) { (void)m; (void)ml; (void)r; (void)rl; (void)out; abort(); }
static void free_(bangfu_buffer b) { free(b.data); }
static const bangfu_help_type table = { BANGFU_PLUGIN_ABI_VERSION, sizeof(bangfu_help_type), init_, describe_, call_, free_ };
const bangfu_help_type *bangfu_help_type_v1(void) { return &table; }
C
cc -shared -fPIC -I PluginKit/Sources/CBangfuPluginABI/include -o "$plugins/libbangfu-help-crash.so" "$work/crash.c"
sed -e "s#^ExecStart=.*#ExecStart=/opt/bangfu/bangfud --config /etc/bangfu/bangfu.yaml --plugin-dir /opt/bangfu-plugins --log-target journal --clock manual:2027-02-04T09:00#" \
    -e "s#^WatchdogSec=.*#WatchdogSec=3s#" systemd/bangfud.service > "$units/bangfud.service"
cp systemd/bangfud.socket "$units/"
# The secrets as systemd credentials, through the drop-in the README documents.
mkdir -p "$units/bangfud.service.d" "$conf/credentials"
cp systemd/bangfud.service.d/credentials.conf "$units/bangfud.service.d/"
for secret in checkpoint-key ref-key; do head -c 32 /dev/urandom | base64 > "$conf/credentials/$secret"; done
cp systemd/bangfu.sysusers.conf "$work/sysusers/bangfu.conf"
cat > "$conf/bangfu.yaml" <<YAML
calendars:
  - file: /etc/bangfu/2027.synthetic.yaml
dibao:
  - { region: "370200", effective: 2025-07-01, monthly: "1060.00" }
units:
  - { id: city, name: 测试市总工会, level: city }
  - { id: b1, name: 一厂工会, parent: city, level: grassroots }
grants:
  - { user: root, role: caseworker, unit: b1 }
  - { user: "uid:61002", role: reviewer, unit: b1 }
  - { user: "uid:61003", role: approver, unit: city }
YAML
cp etc/calendars/2027.synthetic.yaml "$conf/"
sed 's/"shinan-textile"/"b1"/' etc/samples/archive-zhang.json > "$conf/archive.json"

systemd-nspawn -D "$rootfs" -M "$machine" -b --register=no --keep-unit --console=read-only --volatile=overlay \
  --bind-ro="$units:/usr/local/lib/systemd/system" --bind-ro="$bin:/opt/bangfu" --bind-ro="$toolchain:$toolchain" \
  --bind-ro="$conf:/etc/bangfu" --bind-ro="$work/sysusers:/usr/local/lib/sysusers.d" --bind-ro="$plugins:/opt/bangfu-plugins" >"$work/console.log" 2>&1 &
nspawn=$!
cleanup() {
  [ -n "${leader:-}" ] && nsenter -t "$leader" -a systemctl poweroff >/dev/null 2>&1 || true
  sleep 1; kill "$nspawn" 2>/dev/null || true; wait "$nspawn" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
leader=""
# The container's PID 1 is the child of nspawn that runs systemd; a child seen earlier may be a
# short-lived helper (under load it was, and nsenter then found it gone), so wait for systemd itself.
for _ in $(seq 300); do
  leader=$(pgrep -P "$nspawn" -x systemd | head -n 1 || true)
  [ -n "$leader" ] && nsenter -t "$leader" -a true 2>/dev/null && break
  leader=""
  kill -0 "$nspawn" 2>/dev/null || { cat "$work/console.log" >&2; echo "nspawn: the container exited" >&2; exit 1; }
  sleep 0.1
done
[ -n "$leader" ] || { cat "$work/console.log" >&2; echo "nspawn: the container's systemd did not start" >&2; exit 1; }
inside() { nsenter -t "$leader" -a "$@"; }
fail() { echo "nspawn: FAIL: $*" >&2; inside journalctl -u bangfud --no-pager -n 40 >&2 || true; exit 1; }
for _ in $(seq 200); do
  case "$(inside systemctl is-system-running 2>/dev/null || true)" in running|degraded) break ;; esac
  sleep 0.1
done
inside systemd-sysusers >/dev/null 2>&1 || true
inside systemctl daemon-reload
inside systemctl start bangfud.socket
[ "$(inside systemctl show -p ActiveState --value bangfud.service)" = inactive ] || fail "the service ran before the first call"

# The first bangfuctl call activates the service through the socket.
ctl() { inside env LANG=en_US.UTF-8 BANGFU_SOCKET=/run/bangfu/control.sock /opt/bangfu/bangfuctl "$@"; }
ctl status >/dev/null || fail "bangfuctl status"
[ "$(inside systemctl show -p ActiveState --value bangfud.service)" = active ] || fail "not active after READY"
echo "nspawn: socket activation and READY: ok"
keys=$(ctl status --json | grep -c '"\(checkpointKey\|refKey\)" : "credential"' || true)
[ "$keys" = 2 ] || fail "the secrets did not come from the credentials (status: $(ctl status --json | grep -i key))"
inside test ! -e /var/lib/bangfu/ref-key || fail "a ref-key was created beside the data though a credential was given"
echo "nspawn: checkpoint and ref keys from systemd credentials: ok"

archive=$(ctl archive create --file /etc/bangfu/archive.json --json | sed -n 's/.*"archiveNo" : "\(HA-[0-9-]*\)".*/\1/p' | head -n 1)
case1=$(ctl case file "$archive" hardship-relief --form cause=disaster --json | sed -n 's/.*"caseNo" : "\(BF-[0-9-]*\)".*/\1/p' | head -n 1)
case2=$(ctl case file "$archive" medical-aid --form self_paid_fen=100000 --json | sed -n 's/.*"caseNo" : "\(BF-[0-9-]*\)".*/\1/p' | head -n 1)
[ -n "$case1" ] && [ -n "$case2" ] || fail "filing cases"
ctl case submit "$case1" >/dev/null
gid=$(inside getent group bangfu | cut -d: -f3)
as() { local uid=$1; shift; inside setpriv --reuid="$uid" --regid="$gid" --clear-groups env LANG=en_US.UTF-8 BANGFU_SOCKET=/run/bangfu/control.sock /opt/bangfu/bangfuctl "$@"; }
as 61002 case pass "$case1" >/dev/null || fail "review as another uid"
as 61003 case approve "$case1" >/dev/null || fail "approve as another uid"
ctl clock advance 20d >/dev/null

# journald holds structured fields: the lines of one case are found by CASE_ID=.
# (Output is captured first: grep -q closing the pipe early would fail the pipeline.)
journal() { inside journalctl --no-pager -u bangfud "$@"; }
# journald takes the lines a moment after bangfud writes them: wait for them, not for a fixed time.
for _ in $(seq 100); do
  out=$(journal -o json "CASE_ID=$case1")
  grep -q 'notice passed' <<<"$out" && break
  sleep 0.1
done
grep -q 'notice passed' <<<"$out" || fail "journalctl CASE_ID=$case1 found nothing"
grep -q '"HELP_TYPE" *: *"hardship-relief"' <<<"$out" || fail "HELP_TYPE field"
grep -q '"CODE_FILE" *:' <<<"$out" || fail "CODE_FILE field"
ctl reload >/dev/null || fail "reload"
for _ in $(seq 100); do grep -q 'configuration reloaded' <<<"$(journal -o json PRIORITY=6)" && break; sleep 0.1; done
grep -q 'configuration reloaded' <<<"$(journal -o json PRIORITY=6)" || fail "PRIORITY field"
! grep -q '990101197610120310' <<<"$(journal)" || fail "an ID number in the journal"
echo "nspawn: journald fields (CASE_ID, HELP_TYPE, PRIORITY, CODE_FILE), no ID number: ok"

# The watchdog: a stopped daemon is killed and restarted; nothing filed before is lost.
pid=$(inside systemctl show -p MainPID --value bangfud.service)
inside kill -STOP "$pid"
for _ in $(seq 150); do
  [ "$(inside systemctl show -p NRestarts --value bangfud.service)" -ge 1 ] 2>/dev/null && break
  sleep 0.1
done
[ "$(inside systemctl show -p NRestarts --value bangfud.service)" -ge 1 ] || fail "the watchdog did not restart the daemon"
grep -q "Watchdog timeout\|result 'watchdog'" <<<"$(inside journalctl --no-pager)" || fail "no watchdog message in the journal"
ctl status >/dev/null || fail "status after restart"
newpid=$(inside systemctl show -p MainPID --value bangfud.service)
[ "$newpid" != "$pid" ] || fail "same MainPID after the watchdog"
ctl case get "$case1" --json | grep -q '"state" : "disbursing"' || fail "case 1 lost"
ctl case get "$case2" --json | grep -q '"state" : "draft"' || fail "case 2 lost"
echo "nspawn: watchdog restart (NRestarts>=1, new MainPID), cases kept: ok"

# A help type that crashes the process takes bangfud down; systemd restarts it; nothing acknowledged is lost.
restarts=$(inside systemctl show -p NRestarts --value bangfud.service)
case3=$(ctl case file "$archive" crash --json | sed -n 's/.*"caseNo" : "\(BF-[0-9-]*\)".*/\1/p' | head -n 1)
ctl case submit "$case3" >/dev/null && as 61002 case pass "$case3" >/dev/null || fail "preparing the crash case"
as 61003 case approve "$case3" >/dev/null 2>&1 && fail "the approval through a crashing plugin answered"
for _ in $(seq 150); do
  [ "$(inside systemctl show -p NRestarts --value bangfud.service)" -gt "$restarts" ] 2>/dev/null && break
  sleep 0.1
done
[ "$(inside systemctl show -p NRestarts --value bangfud.service)" -gt "$restarts" ] || fail "the crash did not restart the daemon"
for _ in $(seq 100); do ctl status >/dev/null 2>&1 && break; sleep 0.1; done
ctl case get "$case3" --json | grep -q '"state" : "branch_review_passed"' || fail "the crashed approval left a change"
ctl case get "$case1" --json | grep -q '"state" : "disbursing"' || fail "case 1 lost after the crash"
ctl verify >/dev/null || fail "verify after the crash"
echo "nspawn: a crashing help type: restarted by systemd, nothing acknowledged lost: ok"

# The audit heads bangfud wrote to journald pin the chain: the database holds them all; cut short
# (as someone with the file would, triggers dropped), it still verifies on its own but not against
# the journal.
for _ in $(seq 100); do ctl verify --journal >/dev/null 2>&1 && break; sleep 0.1; done
ctl verify --journal | grep -q 'holds all' || fail "verify --journal on the untouched database"
heads=$(inside journalctl --no-pager -o json MESSAGE_ID=8b3f6d2a9c1e4f7b8a5d0c3e6f9b2a41 | grep -c AUDIT_SEQ || true)
[ "$heads" -ge 2 ] || fail "fewer than two audit heads in the journal ($heads)"
# Signed checkpoints for the published notice (the approval) and on the timer (20 days passed).
reasons=$(inside journalctl --no-pager -o json MESSAGE_ID=8b3f6d2a9c1e4f7b8a5d0c3e6f9b2a41 --output-fields=AUDIT_HEAD_REASON)
grep -q '"AUDIT_HEAD_REASON":"notice"' <<<"$reasons" || fail "no signed checkpoint when the notice was published"
grep -q '"AUDIT_HEAD_REASON":"timer"' <<<"$reasons" || fail "no signed checkpoint on the timer"
# A head line bangfud did not sign, written from inside its own cgroup (as root could): found.
head_now=$(ctl verify --json | sed -n 's/.*"head" : "\([0-9]*:[0-9a-f]*\)".*/\1/p' | head -n 1)
# (Under a hybrid hierarchy the unit's cgroup is in both systemd's and the unified tree. journald
# reads the sender's unit from /proc when the line arrives: a logger that has already exited leaves
# the line without one, so the forgery is sent again until a line lands as bangfud.service.)
forge() {
  inside sh -c "for d in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup; do [ -d \$d/system.slice/bangfud.service ] && echo \$\$ > \$d/system.slice/bangfud.service/cgroup.procs; done; printf 'MESSAGE_ID=8b3f6d2a9c1e4f7b8a5d0c3e6f9b2a41\nAUDIT_SEQ=${head_now%%:*}\nAUDIT_HASH=${head_now#*:}\nAUDIT_AT=2027-01-01T00:00:00+08:00\nAUDIT_SIGNATURE=AAAA\nMESSAGE=audit head\n' | logger --journald"
}
out=""
for _ in $(seq 20); do
  forge || fail "could not write a line as bangfud.service"
  found=""
  for _ in $(seq 10); do out=$(ctl verify --journal 2>&1) || { found=1; break; }; sleep 0.1; done
  [ -n "$found" ] && break
done
grep -q 'not signed by bangfud' <<<"$out" || fail "verify --journal did not find a head line bangfud never signed: $out"
echo "nspawn: signed checkpoints at the notice and on the timer; an unsigned head line found: ok"
inside systemctl stop bangfud.socket bangfud.service
# The file is edited on a copy taken out of the container (SQLite will not open it through /proc).
state="/proc/$leader/root/var/lib/bangfu"
mkdir "$work/tamper"
cp -a "$state"/bangfu.sqlite* "$work/tamper/"
python3 - "$work/tamper/bangfu.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
    db.execute(f'DROP TRIGGER "{name}"')
last = db.execute("SELECT MAX(seq) FROM audit_log").fetchone()[0]
db.execute("DELETE FROM audit_log WHERE seq > ?", (last - 3,))
db.commit()
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.close()
PY
owner=$(stat -c %u:%g "$state/bangfu.sqlite")
rm -f "$state"/bangfu.sqlite*
cp "$work/tamper/bangfu.sqlite" "$state/bangfu.sqlite"
chown "$owner" "$state/bangfu.sqlite"
chmod 0600 "$state/bangfu.sqlite"
inside systemctl start bangfud.socket
ctl verify >/dev/null || fail "a chain cut short should still verify on its own"
out=$(ctl verify --journal 2>&1) && fail "verify --journal passed a chain cut short"
grep -q 'no longer in the database' <<<"$out" || fail "verify --journal did not say what it found: $out"
echo "nspawn: audit heads in journald ($heads), a chain cut short found by verify --journal: ok"
echo "nspawn: all ok"
