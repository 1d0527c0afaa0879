import ArgumentParser
import BangfuCLIKit
import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "守护进程状态 / Daemon status.")
    @OptionGroup var global: Global

    func run() {
        let status = global.call(Wire.Admin.Status())
        if global.json { return global.printJSON(status.json) }
        let zh = global.zh
        let rows: [(String, String, String)] = [
            ("版本", "version", status.version), ("启动于", "started", status.startedAt), ("当前时间", "now", status.now),
            ("时钟", "clock", status.clock), ("配置文件", "configuration", shown(status.configuration)),
            ("数据库", "database", status.database),
            ("写入方式", "durability", "journal_mode=\(status.journalMode), synchronous=\(status.synchronous)"),
            ("连接数", "connections", String(status.connections)),
            ("帮扶项目", "help types", "\(status.plugins)（\(zh ? "加载失败" : "failed") \(status.pluginFailures)）"),
            ("公示中案件", "cases in notice", String(status.casesInNotice)),
            ("下一公示届满", "next notice deadline", shown(status.nextNoticeDeadline)),
            (
                "写入（合并提交）", "writes (group commit)",
                zh
                    ? "\(status.writes) 次写入，\(status.writeTransactions) 个事务，单个事务最多 \(status.largestWriteGroup) 次"
                    : "\(status.writes) writes in \(status.writeTransactions) transactions, at most \(status.largestWriteGroup) in one"
            ),
        ]
        var table = TextTable(headers: zh ? ["项目", "值"] : ["item", "value"])
        for (nameZh, nameEn, value) in rows { table.add([zh ? nameZh : nameEn, value]) }
        print(table.render())
    }
}

struct Plugins: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "帮扶项目插件：已加载与加载失败 / Help-type plugins, loaded and failed.")
    @OptionGroup var global: Global

    func run() {
        let plugins = global.call(Wire.Admin.Plugins())
        if global.json { return global.printJSON(plugins.json) }
        let zh = global.zh
        var table = TextTable(
            headers: zh ? ["代码", "名称", "版本", "发放方式", "单件上限"] : ["id", "name", "version", "payment", "cap"],
            rightAligned: [4])
        for plugin in plugins.loaded {
            table.add([
                plugin.id, zh ? plugin.nameZh : plugin.nameEn, plugin.version, plugin.paymentKind,
                plugin.amountCap.map(yuan) ?? "-",
            ])
        }
        print(table.render())
        for failure in plugins.failed {
            print((zh ? "加载失败 " : "failed ") + "\(failure.file): \(failure.reason)")
        }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "校验审计哈希链与账目 / Verify the audit chain and the ledger.")
    @OptionGroup var global: Global

    func run() throws {
        let report = global.call(Wire.Admin.VerifyAudit())
        if global.json {
            global.printJSON(report.json)
        } else {
            print(
                global.zh
                    ? "审计记录 \(report.auditRows) 条，账务交易 \(report.ledgerTransactions) 笔"
                    : "\(report.auditRows) audit rows, \(report.ledgerTransactions) ledger transactions")
            if report.ok { print(global.zh ? "校验通过" : "verified") }
            for problem in report.problems { print("  - \(problem)") }
        }
        if !report.ok { throw ExitCode(1) }
    }
}

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "重新读取配置文件 / Re-read the configuration file.")
    @OptionGroup var global: Global

    func run() {
        let reloaded = global.call(Wire.Admin.Reload())
        if global.json { return global.printJSON(reloaded.json) }
        let path = reloaded.configuration ?? ""
        print(global.zh ? "配置已重新加载：\(path)" : "configuration reloaded: \(path)")
    }
}

struct ClockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clock", abstract: "手动时钟（仅测试与演示）/ The manual clock (tests and demos).",
        subcommands: [Show.self, Advance.self], defaultSubcommand: Show.self)

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "显示当前时间 / Show the daemon's time.")
        @OptionGroup var global: Global
        func run() {
            let clock = global.call(Wire.Admin.GetClock())
            if global.json { return global.printJSON(clock.json) }
            let kind = clock.manual ? (global.zh ? "手动时钟" : "manual") : (global.zh ? "系统时钟" : "system")
            print("\(clock.now) (\(kind))")
        }
    }

    struct Advance: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "向前拨动手动时钟，例如 7d、36h、1d12h / Move the manual clock forward, e.g. 7d, 36h, 1d12h.")
        @OptionGroup var global: Global
        @Argument(help: "时长 / Duration: Nd, Nh, Nm, Ns combined.") var duration: String

        func run() {
            guard let seconds = Self.seconds(duration) else {
                global.die(
                    global.zh ? "时长格式应如 7d、36h、1d12h、90m" : "a duration looks like 7d, 36h, 1d12h or 90m", code: 2)
            }
            let moved = global.call(Wire.Admin.AdvanceClock(seconds: seconds))
            if global.json { return global.printJSON(moved.json) }
            print(global.zh ? "时钟已拨至 \(moved.now)" : "clock now \(moved.now)")
        }

        /// `1d12h` in seconds; nil for anything else, or past Int64 (overflow-checked).
        static func seconds(_ text: String) -> Int64? {
            var total: Int64 = 0
            var digits = ""
            for character in text {
                if character.isNumber {
                    digits.append(character)
                    continue
                }
                let units: [String: Int64] = ["d": 86400, "h": 3600, "m": 60, "s": 1]
                guard let count = Int64(digits), let unit = units[String(character)] else { return nil }
                let (part, overflowPart) = count.multipliedReportingOverflow(by: unit)
                let (sum, overflowSum) = total.addingReportingOverflow(part)
                guard !overflowPart, !overflowSum else { return nil }
                total = sum
                digits = ""
            }
            guard digits.isEmpty, total > 0 else { return nil }
            return total
        }
    }
}

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "在线备份数据库并校验 / Back the database up online and verify the copy.")
    @OptionGroup var global: Global
    @Argument(help: "备份文件（绝对路径，bangfud 可写）/ Backup file: absolute, new, writable by bangfud.") var path: String

    func run() {
        let backup = global.call(Wire.Admin.Backup(path: path))
        if global.json { return global.printJSON(backup.json) }
        print(
            global.zh
                ? "已备份到 \(backup.path)，校验通过（审计记录 \(backup.auditRows) 条）"
                : "backed up to \(backup.path); verified (\(backup.auditRows) audit rows)")
    }
}
