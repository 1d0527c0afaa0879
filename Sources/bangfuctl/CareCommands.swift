import ArgumentParser
import BangfuCLIKit
import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation

struct CareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "care", abstract: "必访、结对帮扶、年度复核与接待 / Must-visits, pairing, reviews and receptions.",
        subcommands: [
            MustVisit.self, OverdueVisits.self, Visit.self, Pair.self, Unpair.self, Reassign.self, Contact.self,
            OverdueContacts.self, Income.self, ReviewsDue.self, Reception.self, Receptions.self,
        ])

    static func visits(_ items: [[String: JSONValue]], _ g: Global) {
        var t = TextTable(
            headers: g.zh
                ? ["编号", "档案号", "单位", "走访人", "事由", "截止", "状态"]
                : ["id", "archive", "unit", "visitor", "event", "due", "status"])
        for v in items {
            t.add([
                v.s("id"), v.s("archiveNo"), v.s("unitId"),
                v.s("visitor").isEmpty ? (g.zh ? "单位走访组" : "unit pool") : v.s("visitor"),
                v.s("event").isEmpty ? (g.zh ? "活动" : "campaign") : v.s("event"), v.s("dueOn"), v.s("status"),
            ])
        }
        print(t.render())
    }

    struct MustVisit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "登记必访事件（如住院），生成限期走访 / Record a must-visit event.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var archiveNo: String
        @Argument(help: "hospital_stay|death|family_disaster|long_absence|business_difficulty (configurable)")
        var event: String
        @Option var note: String?
        func run() {
            let v = g.call1(
                .careMustVisit,
                [
                    "archiveNo": .string(archiveNo), "event": .string(event), "note": note.map { .string($0) } ?? .null,
                    "requestId": r.param,
                ]
            ).o("visit")
            if g.json { return g.printJSON(.object(v)) }
            CareCommand.visits([v], g)
        }
    }

    struct OverdueVisits: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "overdue-visits", abstract: "逾期未走访 / Overdue visits.")
        @OptionGroup var g: Global
        @Option var unit: String?
        func run() {
            let items = g.call(.careOverdueVisits, ["unit": unit.map { .string($0) } ?? .null], more: true)
                .map { $0.o("visit") }.filter { !$0.isEmpty }
            if g.json { return g.printJSON(.array(items.map { .object($0) })) }
            CareCommand.visits(items, g)
        }
    }

    struct Visit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "登记走访 / Record a visit.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var visitId: Int64
        @Option var note: String
        func run() {
            let v = g.call1(
                .careRecordVisit, ["visitId": .int(visitId), "note": .string(note), "requestId": r.param]
            ).o("visit")
            if g.json { return g.printJSON(.object(v)) }
            CareCommand.visits([v], g)
        }
    }

    struct Pair: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "结对：指定帮扶联系人 / Pair a helper with a household.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var archiveNo: String
        @Argument var helper: String
        func run() {
            let out = g.call1(
                .carePair,
                ["archiveNo": .string(archiveNo), "helper": .string(helper), "requestId": r.param])
            if g.json { return g.printJSON(.object(out)) }
            print((g.zh ? "帮扶联系人：" : "helpers: ") + out.a("helpers").compactMap(\.stringValue).joined(separator: ", "))
        }
    }

    struct Unpair: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "解除结对 / End a pairing.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var archiveNo: String
        @Argument var helper: String
        func run() {
            let out = g.call1(
                .careUnpair,
                ["archiveNo": .string(archiveNo), "helper": .string(helper), "requestId": r.param])
            if g.json { return g.printJSON(.object(out)) }
            print((g.zh ? "帮扶联系人：" : "helpers: ") + out.a("helpers").compactMap(\.stringValue).joined(separator: ", "))
        }
    }

    struct Reassign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "联系人离任：转交其结对家庭 / A helper leaves: hand their households over.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var from: String
        @Argument var to: String
        @Option var unit: String
        func run() {
            let out = g.call1(
                .careReassign,
                ["from": .string(from), "to": .string(to), "unit": .string(unit), "requestId": r.param])
            if g.json { return g.printJSON(.object(out)) }
            print(g.zh ? "已转交 \(out.s("households")) 户" : "\(out.s("households")) households handed over")
        }
    }

    struct Contact: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "登记联系（走访、电话）/ Record a contact.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var archiveNo: String
        @Option(help: "visit|phone|other") var kind: String = "visit"
        @Option var note: String?
        func run() {
            let out = g.call1(
                .careRecordContact,
                [
                    "archiveNo": .string(archiveNo), "kind": .string(kind), "note": note.map { .string($0) } ?? .null,
                    "requestId": r.param,
                ])
            if g.json { return g.printJSON(.object(out)) }
            print(g.zh ? "已登记" : "recorded")
        }
    }

    struct OverdueContacts: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "overdue-contacts",
            abstract: "超过一季度未联系的结对家庭 / Paired households without a contact this quarter.")
        @OptionGroup var g: Global
        @Option var unit: String?
        func run() {
            let items = g.call(
                .careOverdueContacts, ["unit": unit.map { .string($0) } ?? .null], more: true
            ).map { $0.o("household") }.filter { !$0.isEmpty }
            if g.json { return g.printJSON(.array(items.map { .object($0) })) }
            var t = TextTable(
                headers: g.zh ? ["档案号", "单位", "联系人", "最近联系"] : ["archive", "unit", "helpers", "last contact"])
            for h in items {
                t.add([
                    h.s("archiveNo"), h.s("unitId"), h.a("helpers").compactMap(\.stringValue).joined(separator: ","),
                    h.s("lastContact").isEmpty ? "-" : h.s("lastContact"),
                ])
            }
            print(t.render())
        }
    }

    struct Income: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "登记月度人均收入 / Record a month's per-capita income.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var archiveNo: String
        @Argument(help: "YYYY-MM") var month: String
        @Argument(help: "人均月收入（元）/ Per-capita monthly income in yuan.") var amount: String
        func run() {
            let out = g.call1(
                .careRecordIncome,
                [
                    "archiveNo": .string(archiveNo), "month": .string(month), "perCapitaMonthly": .int(fen(amount, g)),
                    "requestId": r.param,
                ])
            if g.json { return g.printJSON(.object(out)) }
            print(g.zh ? "已登记" : "recorded")
        }
    }

    struct ReviewsDue: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reviews-due", abstract: "待复核与逾期复核的档案，及脱困建议 / Reviews due or overdue, with exit suggestions.")
        @OptionGroup var g: Global
        @Option var unit: String?
        @Option(help: "未来多少天内到期 / Due within this many days.") var days: Int = 30
        func run() {
            let items = g.call(
                .careReviewsDue, ["unit": unit.map { .string($0) } ?? .null, "days": .int(Int64(days))],
                more: true
            ).map { $0.o("review") }.filter { !$0.isEmpty }
            if g.json { return g.printJSON(.array(items.map { .object($0) })) }
            var t = TextTable(
                headers: g.zh
                    ? ["档案号", "单位", "复核到期", "逾期", "建议脱困"]
                    : ["archive", "unit", "review due", "overdue", "suggest exit"])
            for r in items {
                t.add([
                    r.s("archiveNo"), r.s("unitId"), r.s("reviewDue"), r["overdue"]?.boolValue == true ? "✗" : "",
                    r["suggestExit"]?.boolValue == true ? "✓" : "",
                ])
            }
            print(t.render())
        }
    }

    struct Reception: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "登记接待（窗口或 12351 热线）/ Record a reception.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Option var unit: String
        @Option(help: "window|hotline_12351|visit|other") var channel: String = "window"
        @Option(help: "hardship_relief|job_referral|training|legal_aid|petition|health|migrant_rights|other") var kind:
            String
        @Option(help: "helped|referred|not_helped|pending") var outcome: String
        @Option var archive: String?
        @Option(name: .customLong("case")) var caseNo: String?
        @Option var note: String?
        func run() {
            let out = g.call1(
                .careRecordReception,
                [
                    "unitId": .string(unit), "channel": .string(channel), "kind": .string(kind),
                    "outcome": .string(outcome),
                    "archiveNo": archive.map { .string($0) } ?? .null, "caseNo": caseNo.map { .string($0) } ?? .null,
                    "note": note.map { .string($0) } ?? .null, "requestId": r.param,
                ])
            if g.json { return g.printJSON(.object(out)) }
            print(g.zh ? "已登记接待 #\(out.s("id"))" : "reception #\(out.s("id")) recorded")
        }
    }

    struct Receptions: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "接待统计：接待 N 人次，帮扶 M 人次 / Received N, helped M.")
        @OptionGroup var g: Global
        @Option var from: String
        @Option var to: String
        @Option var unit: String?
        func run() {
            let s = g.call1(
                .careReceptionSummary,
                ["from": .string(from), "to": .string(to), "unit": unit.map { .string($0) } ?? .null])
            if g.json { return g.printJSON(.object(s)) }
            print(
                g.zh
                    ? "接待 \(s.s("received")) 人次，帮扶 \(s.s("helped")) 人次"
                    : "received \(s.s("received")), helped \(s.s("helped"))")
            var t = TextTable(headers: g.zh ? ["类别", "人次"] : ["kind", "count"], rightAligned: [1])
            for (k, v) in s.o("byKind").sorted(by: { $0.key < $1.key }) { t.add([k, "\(v.int ?? 0)"]) }
            print(t.render())
        }
    }
}

extension JSONValue {
    var int: Int64? { if case .int(let i) = self { return i } else { return nil } }
}
