#!/usr/bin/env bash
# The main job, end to end: builds bangfu, starts bangfud on a local socket with the sample
# configuration, sample data and a manual clock, and takes one household's case through
# application -> branch review -> public notice -> disbursement with bangfuctl, each step run
# as a different sample unix user holding that role (created here when missing).
# Set LANG=en_US.UTF-8 for English. Needs root (or sudo) to create the sample users.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
# BANGFU_BIN_DIR: binaries already built (the tests run the demo so); else build them here.
if [ -n "${BANGFU_BIN_DIR:-}" ]; then
  bin=$BANGFU_BIN_DIR
else
  bash scripts/ensure-deps.sh
  swift build 2>&1 | tail -n 1 >&2
  bin=$(swift build --show-bin-path)
fi
. scripts/reachable.sh
zh=1; case "${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}" in en*) zh=0 ;; esac
say() { if [ $zh = 1 ]; then printf '\n\033[1m%s\033[0m\n' "$1"; else printf '\n\033[1m%s\033[0m\n' "$2"; fi; }

# Sample users, one per role, in a group that may use the socket (see etc/bangfu.example.yaml).
$SUDO groupadd -f bangfu-demo
for u in wangfang liqiang zhaomin chenjing sunli; do
  id "$u" >/dev/null 2>&1 || $SUDO useradd -M -N -g bangfu-demo -s /usr/sbin/nologin "$u"
done

# The sample users run bangfuctl and reach the socket in the state directory: in a checkout they
# cannot enter, both go to a directory under /tmp instead (said below).
ctl="$bin/bangfuctl"
render="$bin/bangfu-render"
state="$root/demo-state"
if ! reachable_by_others "$root/etc"; then
  reach=$(reachable_dir bangfu-demo)
  cp -p "$bin/bangfuctl" "$bin/bangfu-render" "$reach/"
  ctl="$reach/bangfuctl"
  render="$reach/bangfu-render"
  state="$reach/demo-state"
  trap 'rm -rf "$reach"' EXIT
fi
rm -rf "$state"; mkdir -p "$state/printed"; chmod 755 "$state"; chmod 1777 "$state/printed"
log="$state/bangfud.log"
"$bin/bangfud" --config etc/bangfu.example.yaml --state-dir "$state" --socket "$state/control.sock" --socket-group bangfu-demo \
  --plugin-dir "$bin" --log-target stderr --clock manual:2027-02-04T09:00 2>"$log" &
daemon=$!
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null || true; [ -z "${reach:-}" ] || rm -rf "$reach"' EXIT
for _ in $(seq 100); do [ -S "$state/control.sock" ] && break; sleep 0.1; done
[ -S "$state/control.sock" ] || { cat "$log" >&2; echo "bangfud did not start" >&2; exit 1; }
export BANGFU_SOCKET="$state/control.sock"
as() { local who=$1; shift; $SUDO runuser -u "$who" -- env LANG="${LANG:-}" BANGFU_SOCKET="$BANGFU_SOCKET" BANGFU_RENDER="$render" "$ctl" "$@"; }

[ -z "${reach:-}" ] || say "本目录其他用户无法进入：示例程序与数据目录放在 $reach" "this checkout is closed to other users: the demo's program and state are in $reach"
say "帮扶服务已启动（手动时钟 2027年2月4日 09:00，合成节假日日历，样例数据）" "bangfud is running (manual clock 2027-02-04 09:00, synthetic holiday calendar, sample data)"
"$ctl" status

say "[1] 财务 chenjing：建立专款账户并入账 ¥50,000" "[1] treasurer chenjing: creates an earmarked fund and deposits ¥50,000"
as chenjing fund create shinan-hardship --name 市南区困难职工帮扶资金 --unit shinan --source union_funds --help-type hardship-relief --help-type medical-aid
as chenjing fund deposit shinan-hardship 50000 --memo "2027 年度工会帮扶资金拨付"

say "[2] 经办人 wangfang：建档（一户一档）" "[2] caseworker wangfang: archives the household"
archive=$(as wangfang archive create --file - --json <etc/samples/archive-zhang.json | sed -n 's/.*"archiveNo" : "\(HA-[0-9-]*\)".*/\1/p' | head -n 1)
as wangfang household "$archive"

say "[3] 经办人 wangfang：代为申请特困救助并提交" "[3] caseworker wangfang: files a hardship-relief application and submits it"
case_no=$(as wangfang case file "$archive" hardship-relief --form cause=serious_illness --form description=配偶重病住院 --json | sed -n 's/.*"caseNo" : "\(BF-[0-9-]*\)".*/\1/p' | head -n 1)
as wangfang case submit "$case_no"

say "[4] 初审人 liqiang：入户走访后初审通过" "[4] reviewer liqiang: passes the branch review after a home visit"
as liqiang case pass "$case_no" --comment 已入户走访，情况属实
say "    初审人 liqiang 试图审批同一案件（应被职责分离拒绝）" "    the reviewer liqiang tries to approve the same case (separation of duties must refuse)"
as liqiang case approve "$case_no" || true

say "[5] 审批人 zhaomin：审批（金额由帮扶项目测算）并开始公示" "[5] approver zhaomin: approves (the help type computes the amount) and opens the public notice"
as zhaomin case assess "$case_no"
as zhaomin case approve "$case_no"
say "    公示名单（审计 sunli 查看，仅脱敏姓名）" "    the public notice (auditor sunli's view, masked names only)"
as sunli notice list
as sunli notice export --format pdf --output "$state/printed/notice.pdf"

say "[6] 时钟拨过公示期：公示在最后一个工作日后的 0 点届满，系统生成发放" "[6] the clock moves past the notice: it passes at 00:00 after its last working day; the daemon creates the disbursement"
"$ctl" clock advance 15d
as zhaomin case get "$case_no" | head -n 12

say "[7] 财务 chenjing：实名发放，重复发放只付一次" "[7] treasurer chenjing: pays the named person; paying again pays nothing"
as chenjing case pay "$case_no" --fund shinan-hardship --request-id demo-pay-1 | head -n 1
as chenjing case pay "$case_no" --fund shinan-hardship | head -n 1
as chenjing fund list
say "    发放签领表（金额含大写，供领款人签名）" "    the signature sheet (amounts in figures and capitals, for the payee to sign)"
as chenjing fund sheet --from 2027-02-01 --to 2027-02-28
as chenjing fund sheet --from 2027-02-01 --to 2027-02-28 --format pdf --output "$state/printed/signature-sheet.pdf"

say "[8] 审计 sunli：流转记录、帐务公开与审计链校验" "[8] auditor sunli: the case history, public accounts and the audit chain"
as sunli case get "$case_no"
as sunli fund statement --from 2027-01-01 --to 2027-12-31
as sunli report figures --period 2027-Q1 --format pdf --output "$state/printed/report-2027-Q1.pdf"
as sunli verify
