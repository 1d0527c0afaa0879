import ArgumentParser
import BangfuCLIKit
import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "守护进程状态 / Daemon status.")
    @OptionGroup var g: Global

    func run() {
        let r = g.call1(.adminStatus)
        if g.json { return g.printJSON(.object(r)) }
        let rows: [(String, String, String)] = [
            ("版本", "version", r.s("version")), ("启动于", "started", r.s("startedAt")), ("当前时间", "now", r.s("now")),
            ("时钟", "clock", r.s("clock")),
            ("配置文件", "configuration", r.s("configuration").isEmpty ? "-" : r.s("configuration")),
            ("数据库", "database", r.s("database")),
            ("写入方式", "durability", "journal_mode=\(r.s("journalMode")), synchronous=\(r.s("synchronous"))"),
            ("连接数", "connections", r.s("connections")),
            ("帮扶项目", "help types", "\(r.s("plugins"))（\(g.zh ? "加载失败" : "failed") \(r.s("pluginFailures"))）"),
            ("公示中案件", "cases in notice", r.s("casesInNotice")),
            ("下一公示届满", "next notice deadline", r.s("nextNoticeDeadline").isEmpty ? "-" : r.s("nextNoticeDeadline")),
            (
                "写入（合并提交）", "writes (group commit)",
                g.zh
                    ? "\(r.s("writes")) 次写入，\(r.s("writeTransactions")) 个事务，单个事务最多 \(r.s("largestWriteGroup")) 次"
                    : "\(r.s("writes")) writes in \(r.s("writeTransactions")) transactions, at most \(r.s("largestWriteGroup")) in one"
            ),
        ]
        var t = TextTable(headers: g.zh ? ["项目", "值"] : ["item", "value"])
        for (zh, en, v) in rows { t.add([g.zh ? zh : en, v]) }
        print(t.render())
    }
}

struct Plugins: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "帮扶项目插件：已加载与加载失败 / Help-type plugins, loaded and failed.")
    @OptionGroup var g: Global

    func run() {
        let r = g.call1(.adminPlugins)
        if g.json { return g.printJSON(.object(r)) }
        var t = TextTable(
            headers: g.zh ? ["代码", "名称", "版本", "发放方式", "单件上限"] : ["id", "name", "version", "payment", "cap"],
            rightAligned: [4])
        for p in r.a("loaded").compactMap(\.objectValue) {
            t.add([
                p.s("id"), g.zh ? p.s("nameZh") : p.s("nameEn"), p.s("version"), p.s("paymentKind"),
                p["amountCap"] == .null ? "-" : yuan(p.i("amountCap")),
            ])
        }
        print(t.render())
        for f in r.a("failed").compactMap(\.objectValue) {
            print((g.zh ? "加载失败 " : "failed ") + "\(f.s("file")): \(f.s("reason"))")
        }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "校验审计哈希链与账目 / Verify the audit chain and the ledger.")
    @OptionGroup var g: Global

    func run() throws {
        let r = g.call1(.adminVerifyAudit)
        if g.json {
            g.printJSON(.object(r))
        } else {
            print(
                g.zh
                    ? "审计记录 \(r.s("auditRows")) 条，账务交易 \(r.s("ledgerTransactions")) 笔"
                    : "\(r.s("auditRows")) audit rows, \(r.s("ledgerTransactions")) ledger transactions")
            if r["ok"]?.boolValue == true { print(g.zh ? "校验通过" : "verified") }
            for p in r.a("problems") { print("  - \(p.stringValue ?? "")") }
        }
        if r["ok"]?.boolValue != true { throw ExitCode(1) }
    }
}

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "重新读取配置文件 / Re-read the configuration file.")
    @OptionGroup var g: Global

    func run() {
        let r = g.call1(.adminReload)
        if g.json { return g.printJSON(.object(r)) }
        print(g.zh ? "配置已重新加载：\(r.s("configuration"))" : "configuration reloaded: \(r.s("configuration"))")
    }
}

struct ClockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clock", abstract: "手动时钟（仅测试与演示）/ The manual clock (tests and demos).",
        subcommands: [Show.self, Advance.self], defaultSubcommand: Show.self)

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "显示当前时间 / Show the daemon's time.")
        @OptionGroup var g: Global
        func run() {
            let r = g.call1(.adminGetClock)
            if g.json { return g.printJSON(.object(r)) }
            print(
                "\(r.s("now")) (\(r["manual"]?.boolValue == true ? (g.zh ? "手动时钟" : "manual") : (g.zh ? "系统时钟" : "system")))"
            )
        }
    }

    struct Advance: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "向前拨动手动时钟，例如 7d、36h、1d12h / Move the manual clock forward, e.g. 7d, 36h, 1d12h.")
        @OptionGroup var g: Global
        @Argument(help: "时长 / Duration: Nd, Nh, Nm, Ns combined.") var duration: String

        func run() {
            guard let seconds = Self.seconds(duration) else {
                g.die(g.zh ? "时长格式应如 7d、36h、1d12h、90m" : "a duration looks like 7d, 36h, 1d12h or 90m", code: 2)
            }
            let r = g.call1(.adminAdvanceClock, ["seconds": .int(seconds)])
            if g.json { return g.printJSON(.object(r)) }
            print(g.zh ? "时钟已拨至 \(r.s("now"))" : "clock now \(r.s("now"))")
        }

        static func seconds(_ s: String) -> Int64? {
            var total: Int64 = 0, digits = ""
            for ch in s {
                if ch.isNumber {
                    digits.append(ch)
                    continue
                }
                guard let n = Int64(digits), let unit: Int64 = ["d": 86400, "h": 3600, "m": 60, "s": 1][String(ch)]
                else { return nil }
                total += n * unit
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
    @OptionGroup var g: Global
    @Argument(help: "备份文件（绝对路径，bangfud 可写）/ Backup file: absolute, new, writable by bangfud.") var path: String

    func run() {
        let r = g.call1(.adminBackup, ["path": .string(path)])
        if g.json { return g.printJSON(.object(r)) }
        print(
            g.zh
                ? "已备份到 \(r.s("path"))，校验通过（审计记录 \(r.s("auditRows")) 条）"
                : "backed up to \(r.s("path")); verified (\(r.s("auditRows")) audit rows)")
    }
}
