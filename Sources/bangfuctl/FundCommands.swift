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
            Statement.self,
        ])

    /// Transfers between funds as a table: who asked, who decided, and where each stands.
    static func showTransfers(_ transfers: [[String: JSONValue]], _ g: Global) {
        let states: [String: String] = ["pending": "待确认", "confirmed": "已确认", "rejected": "已驳回", "expired": "已过期"]
        var table = TextTable(
            headers: g.zh
                ? ["编号", "调出", "调入", "金额", "理由", "提出人", "状态", "处理人", "到期"]
                : ["id", "from", "to", "amount", "reason", "asked by", "state", "decided by", "expires"],
            rightAligned: [0, 3])
        for transfer in transfers {
            let state = transfer.s("state")
            table.add([
                transfer.s("id"), transfer.s("from"), transfer.s("to"), yuan(transfer.i("amount")),
                transfer.s("reason"),
                transfer.s("requestedBy"), g.zh ? states[state] ?? state : state, transfer.s("decidedBy"),
                transfer.s("expiresAt"),
            ])
        }
        print(table.render())
    }

    static func show(_ funds: [[String: JSONValue]], _ g: Global) {
        var t = TextTable(
            headers: g.zh
                ? ["账户", "名称", "单位", "来源", "专款用于", "余额"] : ["fund", "name", "unit", "source", "help types", "balance"],
            rightAligned: [5])
        for f in funds {
            let source = g.zh ? (FundSource(rawValue: f.s("source"))?.zh ?? f.s("source")) : f.s("source")
            t.add([
                f.s("id"), f.s("name"), f.s("unitId"), source,
                f.a("helpTypes").compactMap(\.stringValue).joined(separator: ","), yuan(f.i("balance")),
            ])
        }
        print(t.render())
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "建立专款账户 / Create an earmarked fund.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var id: String
        @Option var name: String
        @Option var unit: String
        @Option(help: "fiscal|union_funds|party_dues|donation|named_donor") var source: String
        @Option var donor: String?
        @Option(name: .customLong("help-type"), help: "可支付的帮扶项目，可重复 / Help type it may pay for, repeatable.")
        var helpTypes: [String]
        func run() {
            let f = g.call1(
                .fundsCreate,
                [
                    "id": .string(id), "name": .string(name), "unitId": .string(unit), "source": .string(source),
                    "donor": donor.map { .string($0) } ?? .null, "helpTypes": .array(helpTypes.map { .string($0) }),
                    "requestId": r.param,
                ]
            ).o("fund")
            if g.json { return g.printJSON(.object(f)) }
            FundCommand.show([f], g)
        }
    }

    struct Deposit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "资金入账 / Deposit money into a fund.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var fund: String
        @Argument(help: "金额（元）/ Amount in yuan.") var amount: String
        @Option var memo: String
        func run() {
            let f = g.call1(
                .fundsDeposit,
                ["fundId": .string(fund), "amount": .int(fen(amount, g)), "memo": .string(memo), "requestId": r.param]
            ).o("fund")
            if g.json { return g.printJSON(.object(f)) }
            FundCommand.show([f], g)
        }
    }

    struct Transfer: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "提出资金调拨（须写明理由，由另一名审批人确认后才划转）/ Ask to transfer between funds; another approver confirms it.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var from: String
        @Argument var to: String
        @Argument var amount: String
        @Option var reason: String
        func run() {
            let out = g.call1(
                .fundsTransfer,
                [
                    "from": .string(from), "to": .string(to), "amount": .int(fen(amount, g)),
                    "reason": .string(reason), "requestId": r.param,
                ])
            if g.json { return g.printJSON(.object(out)) }
            let transfer = out.o("transfer")
            print(
                g.zh
                    ? "已提出调拨 #\(transfer.s("id"))：须由另一名审批人执行 bangfuctl fund confirm \(transfer.s("id")) 后才划转，\(transfer.s("expiresAt")) 前有效"
                    : "transfer #\(transfer.s("id")) asked: no money moves until another approver runs bangfuctl fund confirm \(transfer.s("id")); valid until \(transfer.s("expiresAt"))"
            )
            FundCommand.showTransfers([transfer], g)
        }
    }

    struct Pending: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "待确认的资金调拨 / Transfers waiting for a second approver.")
        @OptionGroup var g: Global
        @Flag(help: "也列出已确认、已驳回和已过期的 / Also list confirmed, rejected and expired ones.") var all = false
        func run() {
            let out = g.call1(.fundsPending, ["pendingOnly": .bool(!all)])
            if g.json { return g.printJSON(.object(out)) }
            FundCommand.showTransfers(out.a("transfers").compactMap(\.objectValue), g)
        }
    }

    struct Confirm: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "确认资金调拨（不能是提出人）/ Confirm a transfer (not by whoever asked).")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var id: Int64
        @Option var note: String?
        func run() {
            let out = g.call1(
                .fundsConfirmTransfer,
                [
                    "id": .int(id), "note": note.map { .string($0) } ?? .null,
                    "requestId": r.param,
                ])
            if g.json { return g.printJSON(.object(out)) }
            FundCommand.showTransfers([out.o("transfer")], g)
            FundCommand.show([out.o("from"), out.o("to")], g)
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "驳回资金调拨（须写明理由）/ Reject a transfer, with a note.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var id: Int64
        @Option var note: String
        func run() {
            let out = g.call1(.fundsRejectTransfer, ["id": .int(id), "note": .string(note), "requestId": r.param])
            if g.json { return g.printJSON(.object(out)) }
            FundCommand.showTransfers([out.o("transfer")], g)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "资金账户与余额 / Funds and balances.")
        @OptionGroup var g: Global
        func run() {
            let r = g.call1(.fundsList)
            if g.json { return g.printJSON(.object(r)) }
            FundCommand.show(r.a("funds").compactMap(\.objectValue), g)
        }
    }

    struct Ledger: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "账户明细 / A fund's ledger.")
        @OptionGroup var g: Global
        @Argument var fund: String
        @Option var from: String
        @Option var to: String
        func run() {
            let lines = g.pages(
                .fundsLedger, ["fundId": .string(fund), "from": .string(from), "to": .string(to)], key: "line")
            if g.json { return g.printJSON(.array(lines.map { .object($0) })) }
            var t = TextTable(
                headers: g.zh
                    ? ["日期", "类型", "金额", "经办", "摘要", "案件"] : ["date", "kind", "amount", "by", "memo", "case"],
                rightAligned: [2])
            for l in lines {
                t.add([l.s("businessDate"), l.s("kind"), yuan(l.i("amount")), l.s("actor"), l.s("memo"), l.s("caseNo")])
            }
            print(t.render())
        }
    }

    struct Statement: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "帐务公开：收支报表 / Public accounts for a period.")
        @OptionGroup var g: Global
        @Option var from: String
        @Option var to: String
        func run() {
            let r = g.call1(.fundsStatement, ["from": .string(from), "to": .string(to)])
            if g.json { return g.printJSON(.object(r)) }
            var t = TextTable(
                headers: g.zh
                    ? ["资金账户", "期初", "收入", "支出", "期末", "受助户数"]
                    : ["fund", "opening", "income", "paid out", "closing", "households"],
                rightAligned: [1, 2, 3, 4, 5])
            for f in r.a("funds").compactMap(\.objectValue) {
                t.add([
                    f.s("fundName"), yuan(f.i("opening")),
                    yuan(f.i("deposits") + f.i("transfersIn") + f.i("repayments")),
                    yuan(f.i("disbursements") + f.i("loansOut") + f.i("transfersOut")), yuan(f.i("closing")),
                    f.s("recipients"),
                ])
            }
            print(t.render())
        }
    }
}

struct NoticeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notice", abstract: "公示名单（仅显示脱敏姓名）/ The public notice (masked names only).",
        subcommands: [List.self, Export.self], defaultSubcommand: List.self)

    static func entries(_ g: Global, unit: String?) -> [[String: JSONValue]] {
        g.call(.noticeList, ["unit": unit.map { .string($0) } ?? .null], more: true).map { $0.o("entry") }
            .filter { !$0.isEmpty }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "公示中的案件 / Cases in notice.")
        @OptionGroup var g: Global
        @Option var unit: String?
        func run() {
            let items = NoticeCommand.entries(g, unit: unit)
            if g.json { return g.printJSON(.array(items.map { .object($0) })) }
            var t = TextTable(
                headers: g.zh
                    ? ["案件号", "姓名", "单位", "帮扶项目", "金额", "公示届满"]
                    : ["case", "name", "unit", "help type", "amount", "passes at"], rightAligned: [4])
            for e in items {
                t.add([e.s("caseNo"), e.s("name"), e.s("unit"), e.s("helpType"), yuan(e.i("amount")), e.s("passesAt")])
            }
            print(t.render())
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "导出可打印的公示（HTML 或 CSV）/ Export the notice as printable HTML or CSV.")
        @OptionGroup var g: Global
        @Option var unit: String?
        @Option(help: "html|csv") var format: String = "html"
        @Option(help: "输出文件；默认标准输出 / Output file; standard output by default.") var output: String?

        func run() throws {
            let items = NoticeCommand.entries(g, unit: unit)
            let text: String
            switch format {
            case "csv":
                func q(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
                text =
                    (["案件号,姓名,单位,帮扶项目,金额（元）,公示届满"]
                    + items.map { e in
                        [
                            e.s("caseNo"), e.s("name"), e.s("unit"), e.s("helpType"), Money(fen: e.i("amount")).plain,
                            e.s("passesAt"),
                        ].map(q).joined(separator: ",")
                    }).joined(separator: "\r\n") + "\r\n"
            case "html":
                func h(_ s: String) -> String {
                    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                        .replacingOccurrences(of: ">", with: "&gt;")
                }
                let rows = items.map { e in
                    "<tr><td>\(h(e.s("caseNo")))</td><td>\(h(e.s("name")))</td><td>\(h(e.s("unit")))</td><td>\(h(e.s("helpType")))</td><td class=\"n\">\(h(yuan(e.i("amount"))))</td><td>\(h(e.s("passesAt")))</td></tr>"
                }.joined(separator: "\n")
                text = """
                    <!DOCTYPE html>
                    <html lang="zh-CN"><head><meta charset="utf-8"><title>帮扶公示</title>
                    <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #333;padding:.4em}.n{text-align:right}@media print{body{margin:0}}</style>
                    </head><body>
                    <h1>困难职工帮扶公示</h1>
                    <p>公示期内如有异议，请向本单位工会反映。本名单仅列姓名（脱敏）、单位、帮扶项目与金额。</p>
                    <table><thead><tr><th>案件号</th><th>姓名</th><th>单位</th><th>帮扶项目</th><th>金额</th><th>公示届满</th></tr></thead>
                    <tbody>
                    \(rows)
                    </tbody></table></body></html>

                    """
            default:
                g.die(g.zh ? "--format 只能是 html 或 csv" : "--format must be html or csv", code: 2)
            }
            if let output {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
            } else {
                print(text, terminator: "")
            }
        }
    }
}
