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

    static func visits(_ visits: [Wire.Care.Visit], _ global: Global) {
        let zh = global.zh
        var table = TextTable(
            headers: zh
                ? ["编号", "档案号", "单位", "走访人", "事由", "截止", "状态"]
                : ["id", "archive", "unit", "visitor", "event", "due", "status"])
        let names = global.names()
        for visit in visits {
            table.add([
                String(visit.id), visit.archiveNo, names.unit(visit.unitId),
                visit.visitor ?? (zh ? "单位走访组" : "unit pool"),
                visit.event.map { global.word(.mustVisitEvent, $0) } ?? (zh ? "活动" : "campaign"),
                global.day(visit.dueOn),
                global.word(.visitStatus, visit.status),
            ])
        }
        print(table.render())
    }

    static func printHelpers(_ helpers: [String], _ global: Global) {
        print((global.zh ? "帮扶联系人：" : "helpers: ") + helpers.joined(separator: global.zh ? "、" : ", "))
    }

    struct MustVisit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "登记必访事件（如住院），生成限期走访 / Record a must-visit event.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var archiveNo: String
        @Argument(help: "hospital_stay|death|family_disaster|long_absence|business_difficulty (configurable)")
        var event: String
        @Option var note: String?
        func run() {
            let visit = global.call(
                Wire.Care.MustVisit(archiveNo: archiveNo, event: event, note: note, requestId: request.requestId)
            ).visit
            if global.json { return global.printJSON(visit.json) }
            CareCommand.visits([visit], global)
        }
    }

    struct OverdueVisits: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "overdue-visits", abstract: "逾期未走访 / Overdue visits.")
        @OptionGroup var global: Global
        @Option var unit: String?
        func run() {
            let visits = global.all(Wire.Care.OverdueVisits(unit: unit)).map(\.visit)
            if global.json { return global.printJSON(visits) }
            CareCommand.visits(visits, global)
        }
    }

    struct Visit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "登记走访 / Record a visit.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var visitId: Int64
        @Option var note: String
        func run() {
            let visit = global.call(Wire.Care.RecordVisit(visitId: visitId, note: note, requestId: request.requestId))
                .visit
            if global.json { return global.printJSON(visit.json) }
            CareCommand.visits([visit], global)
        }
    }

    struct Pair: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "结对：指定帮扶联系人 / Pair a helper with a household.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var archiveNo: String
        @Argument var helper: String
        func run() {
            let paired = global.call(
                Wire.Care.Pair(archiveNo: archiveNo, helper: helper, requestId: request.requestId))
            if global.json { return global.printJSON(paired.json) }
            CareCommand.printHelpers(paired.helpers, global)
        }
    }

    struct Unpair: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "解除结对 / End a pairing.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var archiveNo: String
        @Argument var helper: String
        func run() {
            let unpaired = global.call(
                Wire.Care.Unpair(archiveNo: archiveNo, helper: helper, requestId: request.requestId))
            if global.json { return global.printJSON(unpaired.json) }
            CareCommand.printHelpers(unpaired.helpers, global)
        }
    }

    struct Reassign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "联系人离任：转交其结对家庭 / A helper leaves: hand their households over.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var from: String
        @Argument var to: String
        @Option var unit: String
        func run() {
            let moved = global.call(
                Wire.Care.Reassign(from: from, to: to, unit: unit, requestId: request.requestId))
            if global.json { return global.printJSON(moved.json) }
            print(global.zh ? "已转交 \(moved.households) 户" : "\(moved.households) households handed over")
        }
    }

    struct Contact: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "登记联系（走访、电话）/ Record a contact.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var archiveNo: String
        @Option(help: "visit|phone|other") var kind: String = "visit"
        @Option var note: String?
        func run() {
            let recorded = global.call(
                Wire.Care.RecordContact(archiveNo: archiveNo, kind: kind, note: note, requestId: request.requestId))
            if global.json { return global.printJSON(recorded.json) }
            print(global.zh ? "已登记" : "recorded")
        }
    }

    struct OverdueContacts: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "overdue-contacts",
            abstract: "超过一季度未联系的结对家庭 / Paired households without a contact this quarter.")
        @OptionGroup var global: Global
        @Option var unit: String?
        func run() {
            let households = global.all(Wire.Care.OverdueContacts(unit: unit)).map(\.household)
            if global.json { return global.printJSON(households) }
            var table = TextTable(
                headers: global.zh ? ["档案号", "单位", "联系人", "最近联系"] : ["archive", "unit", "helpers", "last contact"])
            let names = global.names()
            for household in households {
                table.add([
                    household.archiveNo, names.unit(household.unitId), household.helpers.joined(separator: ","),
                    shown(household.lastContact.map(global.time)),
                ])
            }
            print(table.render())
        }
    }

    struct Income: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "登记月度人均收入 / Record a month's per-capita income.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var archiveNo: String
        @Argument(help: "YYYY-MM") var month: String
        @Argument(help: "人均月收入（元）/ Per-capita monthly income in yuan.") var amount: String
        func run() {
            let recorded = global.call(
                Wire.Care.RecordIncome(
                    archiveNo: archiveNo, month: month, perCapitaMonthly: fen(amount, global),
                    requestId: request.requestId))
            if global.json { return global.printJSON(recorded.json) }
            print(global.zh ? "已登记" : "recorded")
        }
    }

    struct ReviewsDue: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reviews-due", abstract: "待复核与逾期复核的档案，及脱困建议 / Reviews due or overdue, with exit suggestions.")
        @OptionGroup var global: Global
        @Option var unit: String?
        @Option(help: "未来多少天内到期 / Due within this many days.") var days: Int64 = 30
        func run() {
            let reviews = global.all(Wire.Care.ReviewsDue(unit: unit, days: days)).map(\.review)
            if global.json { return global.printJSON(reviews) }
            var table = TextTable(
                headers: global.zh
                    ? ["档案号", "单位", "复核到期", "逾期", "建议脱困"]
                    : ["archive", "unit", "review due", "overdue", "suggest exit"])
            let names = global.names()
            for review in reviews {
                table.add([
                    review.archiveNo, names.unit(review.unitId), global.day(review.reviewDue),
                    review.overdue ? "✗" : "",
                    review.suggestExit ? "✓" : "",
                ])
            }
            print(table.render())
        }
    }

    struct Reception: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "登记接待（窗口或 12351 热线）/ Record a reception.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Option var unit: String
        @Option(help: "window|hotline_12351|visit|other") var channel: String = "window"
        @Option(help: "hardship_relief|job_referral|training|legal_aid|petition|health|migrant_rights|other") var kind:
            String
        @Option(help: "helped|referred|not_helped|pending") var outcome: String
        @Option var archive: String?
        @Option(name: .customLong("case")) var caseNo: String?
        @Option var note: String?
        func run() {
            let recorded = global.call(
                Wire.Care.RecordReception(
                    unitId: unit, channel: channel, kind: kind, outcome: outcome, archiveNo: archive, caseNo: caseNo,
                    note: note, requestId: request.requestId))
            if global.json { return global.printJSON(recorded.json) }
            print(global.zh ? "已登记接待 #\(recorded.id)" : "reception #\(recorded.id) recorded")
        }
    }

    struct Receptions: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "接待统计：接待 N 人次，帮扶 M 人次 / Received N, helped M.")
        @OptionGroup var global: Global
        @Option var from: String
        @Option var to: String
        @Option var unit: String?
        func run() {
            let summary = global.call(Wire.Care.ReceptionSummary(from: from, to: to, unit: unit))
            if global.json { return global.printJSON(summary.json) }
            let zh = global.zh
            print(
                zh
                    ? "接待 \(summary.received) 人次，帮扶 \(summary.helped) 人次"
                    : "received \(summary.received), helped \(summary.helped)")
            var table = TextTable(headers: zh ? ["类别", "人次"] : ["kind", "count"], rightAligned: [1])
            for (kind, count) in summary.byKind.sorted(by: { first, second in first.key < second.key }) {
                table.add([global.word(.receptionKind, kind), String(count)])
            }
            print(table.render())
        }
    }
}
