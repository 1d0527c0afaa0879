import ArgumentParser
import BangfuCLIKit
import BangfuCore
import BangfuEvidence
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
            ("版本", "version", status.version), ("启动于", "started", global.time(status.startedAt)),
            ("当前时间", "now", global.time(status.now)), ("时钟", "clock", global.word(.clock, status.clock)),
            ("配置文件", "configuration", shown(status.configuration)), ("数据库", "database", status.database),
            ("写入方式", "durability", Self.durability(status, zh: zh)),
            ("连接数", "connections", String(status.connections)),
            (
                "帮扶项目", "help types",
                zh
                    ? "\(status.plugins)（加载失败 \(status.pluginFailures)）"
                    : "\(status.plugins) (failed \(status.pluginFailures))"
            ),
            ("公示中案件", "cases in notice", String(status.casesInNotice)),
            (
                "错过的节日活动", "missed campaigns",
                status.missedCampaigns == 0
                    ? "0"
                    : "\(status.missedCampaigns)"
                        + (zh ? "（见 bangfuctl campaign list）" : " (see bangfuctl campaign list)")
            ),
            ("下一公示届满", "next notice deadline", shown(status.nextNoticeDeadline.map(global.time))),
            (
                "审计链头", "audit heads",
                status.auditHeads == "journal"
                    ? (zh ? "写入系统日志（journald）" : "written to the journal")
                    : (zh
                        ? "未写入任何日志：数据库之外没有记录可以证明审计链未被改写"
                        : "not written anywhere: nothing outside the database pins the audit chain")
            ),
            (
                "检查点签名密钥", "checkpoint key",
                status.checkpointKey == "credential"
                    ? (zh ? "来自 systemd 凭据" : "from a systemd credential")
                    : (zh
                        ? "保存在数据目录中：能改写数据的人也能伪造签名，请改用服务凭据（见 systemd/bangfud.service.d/credentials.conf）"
                        : "kept beside the data: whoever can write the data can sign too; use a credential (README, Evidence)")
            ),
            (
                "引用密钥", "ref key",
                status.refKey == "credential"
                    ? (zh ? "来自 systemd 凭据" : "from a systemd credential")
                    : (zh
                        ? "保存在数据目录中：拿到数据目录副本的人可由身份证号算出引用，请改用服务凭据（见 systemd/bangfud.service.d/credentials.conf）"
                        : "kept beside the data: a copy of the state directory lets refs be recomputed; use a credential (README, Evidence)")
            ),
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

    /// How SQLite writes, as SQLite names it in English and in words in Chinese.
    static func durability(_ status: Wire.Admin.Status.Reply, zh: Bool) -> String {
        guard zh else { return "journal_mode=\(status.journalMode), synchronous=\(status.synchronous)" }
        let journal = status.journalMode.lowercased() == "wal" ? "预写日志" : "日志模式 \(status.journalMode)"
        let sync = ["FULL": "每次提交落盘", "EXTRA": "每次提交落盘（加强）", "NORMAL": "检查点时落盘", "OFF": "不落盘（危险）"]
        return "\(journal)，\(sync[status.synchronous.uppercased()] ?? status.synchronous)"
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
                plugin.id, zh ? plugin.nameZh : plugin.nameEn, plugin.version,
                global.word(.paymentKind, plugin.paymentKind),
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
    static let configuration = CommandConfiguration(
        abstract: "校验审计哈希链与账目 / Verify the audit chain and the ledger.",
        discussion: """
            --anchor 给出此前记下的链头（SEQ:HASH，见 verify、backup 的输出），证明数据库仍包含它及其之前的全部记录；\
            --journal 取 bangfud 写入系统日志的全部链头（需能读取该日志，如 systemd-journal 组）。
            --anchor takes a head noted before (SEQ:HASH, as verify and backup print it) and proves the \
            database still holds it and everything before it; --journal takes every head bangfud wrote \
            to the journal (reading it needs e.g. the systemd-journal group).
            """)
    @OptionGroup var global: Global
    @Option(help: "此前记下的链头 SEQ:HASH / A head noted before, SEQ:HASH.") var anchor: String?
    @Flag(help: "对照 bangfud 写入系统日志的链头 / Check against the heads bangfud wrote to the journal.")
    var journal = false
    @Option(help: "bangfud 的 systemd 单元 / bangfud's systemd unit.") var unit = "bangfud.service"
    @Option(
        name: .customLong("public-key"),
        help: "与 --journal 同用：用审计自存的公钥核对签名 / With --journal: check signatures with your own copy of the key.")
    var publicKeyFile: String?

    func run() throws {
        if let anchor, AuditHead(parsing: anchor) == nil {
            global.die(
                global.zh
                    ? "--anchor 应为 序号:64位小写十六进制哈希，例如 42:9f86…"
                    : "--anchor needs SEQ:HASH (the hash 64 lower-case hex digits), e.g. 42:9f86…", code: 2)
        }
        if journal { return try verifyAgainstJournal() }
        let report = global.call(Wire.Admin.VerifyAudit(anchors: anchor.map { [$0] }))
        if global.json {
            global.printJSON(report.json)
        } else {
            print(
                global.zh
                    ? "审计记录 \(report.auditRows) 条，账务交易 \(report.ledgerTransactions) 笔"
                    : "\(report.auditRows) audit rows, \(report.ledgerTransactions) ledger transactions")
            if let head = report.head { print((global.zh ? "链头 " : "head ") + head) }
            if report.ok { print(global.zh ? "校验通过" : "verified") }
            for problem in report.problems { print("  - \(problem)") }
        }
        if !report.ok { throw ExitCode(1) }
    }

    /// Every head bangfud wrote to the journal must still be in the chain: a head it no longer
    /// holds means the chain was cut or rewritten after the last head it does hold.
    func verifyAgainstJournal() throws {
        let lines = JournalHeads.read(unit: unit, global)
        var seen = Set<AuditHead>()
        let heads = lines.map(\.head).filter { head in seen.insert(head).inserted }
        guard !heads.isEmpty else {
            global.die(
                global.zh
                    ? "系统日志中没有 \(unit) 的审计链头：bangfud 是否写入 journald（见 status），您能否读取该日志？"
                    : "no audit heads of \(unit) in the journal: does bangfud log to journald (see status), may you read it?",
                code: 1)
        }
        var lost: [String] = []
        var report: Wire.Admin.VerifyAudit.Reply?
        for start in stride(from: 0, to: heads.count, by: 5_000) {
            let batch = heads[start..<min(heads.count, start + 5_000)].map(\.description)
            let answer = global.call(Wire.Admin.VerifyAudit(anchors: Array(batch)))
            lost += answer.anchorsLost
            report = answer
        }
        guard let report else { return }
        // Each line's signature: a line bangfud's key did not sign was not written by bangfud.
        let unsigned = unsignedLines(lines)
        if global.json {
            var json = report.fields
            json["anchors"] = .int(Int64(heads.count))
            json["anchorsLost"] = .array(lost.map { .string($0) })
            json["unsigned"] = .array(unsigned.map { .string($0) })
            json["ok"] = .bool(report.ok && lost.isEmpty && unsigned.isEmpty)
            global.printJSON(.object(json))
        } else if lost.isEmpty {
            print(
                global.zh
                    ? "数据库包含系统日志中全部 \(heads.count) 个链头，最新 \(heads.last!)"
                    : "the database holds all \(heads.count) heads in the journal, the latest \(heads.last!)")
            if report.ok && unsigned.isEmpty { print(global.zh ? "校验通过" : "verified") }
            for problem in report.problems { print("  - \(problem)") }
        } else {
            let held = heads.filter { head in !lost.contains(head.description) }.last
            print(
                global.zh
                    ? "校验失败：系统日志中的 \(lost.count) 个链头已不在数据库中，最早的是 \(lost[0])；完好至 \(held?.description ?? "（无）")。审计链被截断或改写过。"
                    : "verification FAILED: \(lost.count) heads in the journal are no longer in the database, the first \(lost[0]); intact up to \(held?.description ?? "(none)"). The chain was cut or rewritten."
            )
        }
        if !unsigned.isEmpty && !global.json {
            print(
                global.zh
                    ? "校验失败：系统日志中有 \(unsigned.count) 条链头记录没有 bangfud 密钥的有效签名，最早的是 \(unsigned[0])：这些记录不是 bangfud 写入的"
                    : "verification FAILED: \(unsigned.count) head lines in the journal are not signed by bangfud's key, the first \(unsigned[0]): bangfud did not write them"
            )
        }
        if !report.ok || !lost.isEmpty || !unsigned.isEmpty { throw ExitCode(1) }
    }

    /// The lines not signed with bangfud's key: the auditor's own copy (`--public-key`), else the
    /// one bangfud reports.
    func unsignedLines(_ lines: [Checkpoint]) -> [String] {
        var text = ""
        if let path = publicKeyFile {
            guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else {
                global.die(global.zh ? "无法读取公钥 \(path)" : "cannot read the public key \(path)", code: 2)
            }
            text = contents
        } else {
            text = global.call(Wire.Admin.Status()).checkpointPublicKey
        }
        guard let key = Checkpoint.publicKey(parsing: text) else {
            global.die(
                global.zh ? "公钥无效：应为 32 字节 Ed25519 公钥的 base64" : "not a public key: base64 of 32 Ed25519 bytes", code: 2
            )
        }
        return lines.filter { line in !line.isSigned(by: key) }.map(\.head.description)
    }
}

/// The head lines bangfud wrote to the journal (`MESSAGE_ID`), read with journalctl, in the order
/// written, each with its signature (`AUDIT_AT`, `AUDIT_SIGNATURE`): a signed checkpoint. A
/// sequence number seen with two hashes stays twice (the older one is the evidence).
enum JournalHeads {
    static func read(unit: String, _ global: Global) -> [Checkpoint] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/journalctl")
        process.arguments = [
            "--no-pager", "--output=json", "--output-fields=AUDIT_SEQ,AUDIT_HASH,AUDIT_AT,AUDIT_SIGNATURE",
            "_SYSTEMD_UNIT=\(unit)", "MESSAGE_ID=\(AuditHead.journalMessageID)",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            global.die(global.zh ? "无法运行 journalctl：\(error)" : "cannot run journalctl: \(error)", code: 1)
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var lines: [Checkpoint] = []
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let fields = try? JSONDecoder().decode([String: JSONValue].self, from: Data(line)),
                let seq = fields["AUDIT_SEQ"]?.stringValue, let hash = fields["AUDIT_HASH"]?.stringValue,
                let head = AuditHead(parsing: "\(seq):\(hash)")
            else { continue }
            // A line without a signature keeps an empty one: it fails the check, as it should.
            lines.append(
                Checkpoint(
                    head: head, at: fields["AUDIT_AT"]?.stringValue ?? "",
                    signature: fields["AUDIT_SIGNATURE"]?.stringValue.flatMap { Data(base64Encoded: $0) } ?? Data()))
        }
        return lines
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
            print(global.zh ? "\(global.time(clock.now))（\(kind)）" : "\(clock.now) (\(kind))")
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
            print((global.zh ? "时钟已拨至 " : "clock now ") + global.time(moved.now))
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
                ? "已备份到 \(backup.path)，校验通过（审计记录 \(backup.auditRows) 条，链头 \(backup.head ?? "-")）"
                : "backed up to \(backup.path); verified (\(backup.auditRows) audit rows, head \(backup.head ?? "-"))")
    }
}

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint", abstract: "签名检查点 / Signed checkpoints of the audit chain.",
        subcommands: [Export.self])

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "导出当前链头的签名检查点及公钥，供审计离线核对 / Export a signed checkpoint and the public key for an auditor.",
            discussion: """
                审计在数据库副本上核对 / the auditor checks a copy: \
                bangfu-db verify --state-dir DIR --checkpoint FILE --public-key FILE
                """)
        @OptionGroup var global: Global
        @Option(help: "检查点文件 / Checkpoint file.") var output: String
        @Option(help: "公钥文件 / Public key file.") var publicKey: String

        func run() throws {
            let exported = global.call(Wire.Admin.Checkpoint())
            global.write(exported.checkpoint, to: output)
            global.write(exported.publicKey + "\n", to: publicKey)
            if global.json { return global.printJSON(exported.json) }
            print(global.zh ? "已写入 \(output) 与 \(publicKey)" : "wrote \(output) and \(publicKey)")
            if exported.keySource != "credential" {
                print(
                    global.zh
                        ? "注意：签名密钥保存在数据目录中，不能证明数据未被能写数据的人改写"
                        : "note: the signing key is kept beside the data; it proves nothing against whoever can write the data"
                )
            }
        }
    }
}
