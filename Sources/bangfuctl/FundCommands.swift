import ArgumentParser
import BangfuCLIKit
import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation

struct FundCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fund", abstract: "专款资金与帐务公开 / Earmarked funds and public accounts.",
        subcommands: [
            Create.self, Deposit.self, Transfer.self, Pending.self, Confirm.self, Reject.self, List.self, Ledger.self,
            Statement.self, SignatureSheet.self,
        ])

    /// Transfers between funds as a table: who asked, who decided, and where each stands.
    static func showTransfers(_ transfers: [Wire.Funds.PendingTransfer], _ global: Global) {
        let zh = global.zh
        var table = TextTable(
            headers: zh
                ? ["编号", "调出", "调入", "金额", "理由", "提出人", "状态", "处理人", "到期"]
                : ["id", "from", "to", "amount", "reason", "asked by", "state", "decided by", "expires"],
            rightAligned: [0, 3])
        for transfer in transfers {
            table.add([
                String(transfer.id), transfer.from, transfer.to, yuan(transfer.amount), transfer.reason,
                transfer.requestedBy, global.word(.transferState, transfer.state),
                transfer.decidedBy ?? "", global.time(transfer.expiresAt),
            ])
        }
        print(table.render())
    }

    static func show(_ funds: [Wire.Funds.Fund], _ global: Global) {
        let zh = global.zh
        let names = global.names()
        var table = TextTable(
            headers: zh
                ? ["账户", "名称", "单位", "来源", "专款用于", "余额"] : ["fund", "name", "unit", "source", "help types", "balance"],
            rightAligned: [5])
        for fund in funds {
            table.add([
                fund.id, fund.name, names.unit(fund.unitId), global.word(.fundSource, fund.source),
                names.helpTypes(fund.helpTypes), yuan(fund.balance),
            ])
        }
        print(table.render())
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "建立专款账户 / Create an earmarked fund.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var id: String
        @Option var name: String
        @Option var unit: String
        @Option(help: "fiscal|union_funds|party_dues|donation|named_donor") var source: String
        @Option var donor: String?
        @Option(name: .customLong("help-type"), help: "可支付的帮扶项目，可重复 / Help type it may pay for, repeatable.")
        var helpTypes: [String]
        func run() {
            let fund = global.call(
                Wire.Funds.Create(
                    id: id, name: name, unitId: unit, source: source, donor: donor, helpTypes: helpTypes,
                    requestId: request.requestId)
            ).fund
            if global.json { return global.printJSON(fund.json) }
            FundCommand.show([fund], global)
        }
    }

    struct Deposit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "资金入账 / Deposit money into a fund.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var fund: String
        @Argument(help: "金额（元）/ Amount in yuan.") var amount: String
        @Option var memo: String
        func run() {
            let deposited = global.call(
                Wire.Funds.Deposit(
                    fundId: fund, amount: fen(amount, global), memo: memo, requestId: request.requestId)
            ).fund
            if global.json { return global.printJSON(deposited.json) }
            FundCommand.show([deposited], global)
        }
    }

    struct Transfer: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "提出资金调拨（须写明理由，由另一名审批人确认后才划转）/ Ask to transfer between funds; another approver confirms it.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var from: String
        @Argument var to: String
        @Argument var amount: String
        @Option var reason: String
        func run() {
            let asked = global.call(
                Wire.Funds.Transfer(
                    from: from, to: to, amount: fen(amount, global), reason: reason, requestId: request.requestId))
            if global.json { return global.printJSON(asked.json) }
            let transfer = asked.transfer
            print(
                global.zh
                    ? "已提出调拨 #\(transfer.id)：须由另一名审批人执行 bangfuctl fund confirm \(transfer.id) 后才划转，\(transfer.expiresAt) 前有效"
                    : "transfer #\(transfer.id) asked: no money moves until another approver runs bangfuctl fund confirm \(transfer.id); valid until \(transfer.expiresAt)"
            )
            FundCommand.showTransfers([transfer], global)
        }
    }

    struct Pending: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "待确认的资金调拨 / Transfers waiting for a second approver.")
        @OptionGroup var global: Global
        @Flag(help: "也列出已确认、已驳回和已过期的 / Also list confirmed, rejected and expired ones.") var all = false
        func run() {
            let pending = global.call(Wire.Funds.Pending(pendingOnly: !all))
            if global.json { return global.printJSON(pending.json) }
            FundCommand.showTransfers(pending.transfers, global)
        }
    }

    struct Confirm: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "确认资金调拨（不能是提出人）/ Confirm a transfer (not by whoever asked).")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var id: Int64
        @Option var note: String?
        func run() {
            let confirmed = global.call(Wire.Funds.ConfirmTransfer(id: id, note: note, requestId: request.requestId))
            if global.json { return global.printJSON(confirmed.json) }
            FundCommand.showTransfers([confirmed.transfer], global)
            FundCommand.show([confirmed.from, confirmed.to], global)
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "驳回资金调拨（须写明理由）/ Reject a transfer, with a note.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var id: Int64
        @Option var note: String
        func run() {
            let rejected = global.call(Wire.Funds.RejectTransfer(id: id, note: note, requestId: request.requestId))
            if global.json { return global.printJSON(rejected.json) }
            FundCommand.showTransfers([rejected.transfer], global)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "资金账户与余额 / Funds and balances.")
        @OptionGroup var global: Global
        func run() {
            let funds = global.call(Wire.Funds.List())
            if global.json { return global.printJSON(funds.json) }
            FundCommand.show(funds.funds, global)
        }
    }

    struct Ledger: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "账户明细 / A fund's ledger.")
        @OptionGroup var global: Global
        @Argument var fund: String
        @Option var from: String
        @Option var to: String
        func run() {
            let lines = global.all(Wire.Funds.Ledger(fundId: fund, from: from, to: to)).map(\.line)
            if global.json { return global.printJSON(lines) }
            var table = TextTable(
                headers: global.zh
                    ? ["日期", "类型", "金额", "经办", "摘要", "案件"] : ["date", "kind", "amount", "by", "memo", "case"],
                rightAligned: [2])
            for line in lines {
                table.add([
                    global.day(line.businessDate), global.word(.ledgerKind, line.kind), yuan(line.amount), line.actor,
                    line.memo ?? "", line.caseNo ?? "",
                ])
            }
            print(table.render())
        }
    }

    struct Statement: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "帐务公开：收支报表（可打印为 PDF 等）/ Public accounts for a period (printable as PDF and more).")
        @OptionGroup var global: Global
        @Option var from: String
        @Option var to: String
        @OptionGroup var document: DocumentOutput
        func run() {
            if document.format != nil { _ = document.chosenFormat(global, default: "table") }
            let statement = global.call(Wire.Funds.Statement(from: from, to: to))
            if global.json { return global.printJSON(statement.json) }
            if document.format != nil || document.output != nil {
                return document.deliver(
                    Documents.accounts(statement, from: from, to: to, global), global, default: "table",
                    what: ("帐务公开", "public accounts"))
            }
            // Aid paid apart from money lent, repaid and moved between funds (as the offline statement):
            // a loan or a transfer is not spending.
            var table = TextTable(
                headers: global.zh
                    ? ["资金账户", "期初", "入账", "转入", "收回", "发放", "借出", "转出", "期末", "受助户数"]
                    : [
                        "fund", "opening", "deposits", "in", "repaid", "aid paid", "lent", "out", "closing",
                        "households",
                    ],
                rightAligned: Set(1...9))
            for fund in statement.funds {
                table.add(
                    [fund.fundName]
                        + [
                            fund.opening, fund.deposits, fund.transfersIn, fund.repayments, fund.disbursements,
                            fund.loansOut, fund.transfersOut, fund.closing,
                        ].map(yuan) + [String(fund.recipients)])
            }
            print(table.render())
            if let head = statement.head { print((global.zh ? "审计链头 " : "audit head ") + head) }
        }
    }
}

extension FundCommand {
    /// `bangfuctl fund sheet`: the signature sheet (发放签领表) of the payments made in a period.
    struct SignatureSheet: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sheet",
            abstract: "发放签领表：期间内的发放，金额含大写，供领款人签名 / The payment signature sheet for a period.")
        @OptionGroup var global: Global
        @Option(help: "单位（含下级）/ Unit (with its subtree).") var unit: String?
        @Option(help: "起始日期 YYYY-MM-DD / First business date.") var from: String
        @Option(help: "结束日期 YYYY-MM-DD / Last business date.") var to: String
        @OptionGroup var document: DocumentOutput
        func run() {
            _ = document.chosenFormat(global, default: "table")
            let sheet = global.call(Wire.Funds.SignatureSheet(unit: unit, from: from, to: to))
            if global.json { return global.printJSON(sheet.json) }
            let unitName = unit.map { global.names().unit($0) }
            document.deliver(
                Documents.signatureSheet(sheet, from: from, to: to, unit: unitName, global), global, default: "table",
                what: ("签领表（\(sheet.lines.count) 笔）", "signature sheet (\(sheet.lines.count) payments)"))
        }
    }
}

struct NoticeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notice", abstract: "公示名单（仅显示脱敏姓名）/ The public notice (masked names only).",
        subcommands: [List.self, History.self, Export.self], defaultSubcommand: List.self)

    /// The amount a notice shows: help without money shows as such, never as ¥0.00.
    static func amount(_ entry: Wire.Notice.Entry, zh: Bool) -> String {
        entry.amount == 0 ? (zh ? "非资金帮扶" : "no money (a service)") : yuan(entry.amount)
    }

    /// The entry's notice period (公示期 2027年2月5日至2月18日); a case under objection has none
    /// until the objection is decided.
    static func period(_ entry: Wire.Notice.Entry, _ language: Language) -> String {
        if entry.state == "objected" { return language == .zh ? "异议核查中" : "objection under review" }
        if let first = entry.firstDay, let last = entry.lastDay {
            return ReadableTime.period(from: first, to: last, language)
        }
        return entry.passesAt.map { ReadableTime.instant($0, language) } ?? ""
    }

    /// The entries, and the audit head the last page was read at (printed with the notice): the
    /// current notice, or with `from`/`to` every notice that ran within those days (its history).
    static func entries(_ global: Global, unit: String?, from: String? = nil, to: String? = nil) -> (
        entries: [Wire.Notice.Entry], head: String?, issuer: String?, phone: String?
    ) {
        if let from, let to {
            let replies = global.all(Wire.Notice.History(unit: unit, from: from, to: to))
            return (replies.map(\.entry), replies.last?.head, replies.last?.issuedBy, replies.last?.objectionPhone)
        }
        let replies = global.all(Wire.Notice.List(unit: unit))
        return (replies.map(\.entry), replies.last?.head, replies.last?.issuedBy, replies.last?.objectionPhone)
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "往期公示：期间内公示过的案件（可再打印）/ Past notices: every case whose notice ran in the period.")
        @OptionGroup var global: Global
        @Option var unit: String?
        @Option(help: "起始日期 YYYY-MM-DD / First day.") var from: String
        @Option(help: "结束日期 YYYY-MM-DD / Last day.") var to: String
        func run() {
            let entries = NoticeCommand.entries(global, unit: unit, from: from, to: to).entries
            if global.json { return global.printJSON(entries) }
            var table = TextTable(
                headers: global.zh
                    ? ["案件号", "姓名", "单位", "帮扶项目", "金额", "公示期", "现状"]
                    : ["case", "name", "unit", "help type", "amount", "notice period", "now"], rightAligned: [4])
            for entry in entries {
                table.add([
                    entry.caseNo, entry.name, entry.unit, entry.helpType, NoticeCommand.amount(entry, zh: global.zh),
                    NoticeCommand.period(entry, global.language), global.word(.caseState, entry.state),
                ])
            }
            print(table.render())
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "公示中的案件 / Cases in notice.")
        @OptionGroup var global: Global
        @Option var unit: String?
        func run() {
            let entries = NoticeCommand.entries(global, unit: unit).entries
            if global.json { return global.printJSON(entries) }
            var table = TextTable(
                headers: global.zh
                    ? ["案件号", "姓名", "单位", "帮扶项目", "金额", "公示期"]
                    : ["case", "name", "unit", "help type", "amount", "notice period"], rightAligned: [4])
            for entry in entries {
                table.add([
                    entry.caseNo, entry.name, entry.unit, entry.helpType, NoticeCommand.amount(entry, zh: global.zh),
                    NoticeCommand.period(entry, global.language),
                ])
            }
            print(table.render())
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "打印公示（PDF、HTML、CSV 或 XLSX）/ Print the notice as PDF, HTML, CSV or XLSX.")
        @OptionGroup var global: Global
        @Option var unit: String?
        @OptionGroup var document: DocumentOutput
        @Option(help: "往期公示的起始日期（与 --to 同用）/ A past notice: first day (with --to).") var from: String?
        @Option(help: "往期公示的结束日期 / A past notice: last day.") var to: String?

        func run() throws {
            guard (from == nil) == (to == nil) else {
                global.die(global.zh ? "--from 与 --to 须同时给出" : "--from and --to go together", code: 2)
            }
            _ = document.chosenFormat(global, default: "html")
            let notice = NoticeCommand.entries(global, unit: unit, from: from, to: to)
            document.deliver(
                Documents.notice(
                    notice.entries, head: notice.head, issuer: notice.issuer, phone: notice.phone, global),
                global, default: "html",
                what: ("公示（\(notice.entries.count) 件）", "notice (\(notice.entries.count) cases)"))
        }
    }
}
