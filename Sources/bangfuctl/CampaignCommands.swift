import ArgumentParser
import BangfuCLIKit
import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation

struct CampaignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign", abstract: "节日走访活动（送温暖、七一、六一、中秋、金秋助学）/ Holiday-visit campaigns.",
        subcommands: [
            List.self, Show.self, Progress.self, Review.self, Approve.self, Visits.self, Visit.self, Close.self,
        ])

    static func bar(_ done: Int, _ total: Int, width: Int = 30) -> String {
        let filled = total == 0 ? width : min(width, done * width / max(total, 1))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            + "] \(done)/\(total)"
    }

    static func printProgress(_ p: [String: JSONValue], _ g: Global) {
        let r = p.o("run")
        print(
            g.zh
                ? "活动 #\(r.s("id")) \(r.s("campaignId")) 节日 \(r.s("holiday")) 状态 \(r.s("state"))"
                : "run #\(r.s("id")) \(r.s("campaignId")) holiday \(r.s("holiday")) state \(r.s("state"))")
        print((g.zh ? "规划 " : "planning ") + bar(Int(p.i("processed")), Int(r.i("targeted"))))
        var t = TextTable(headers: g.zh ? ["项目", "户数/金额"] : ["item", "count/amount"], rightAligned: [1])
        let rows: [(String, String, String)] = [
            ("已列入", "planned", p.s("planned")), ("预算不足未列入", "left out (budget)", p.s("leftOut")),
            ("不符合条件", "not eligible", p.s("ineligible")),
            ("已走访", "visited", p.s("visited")), ("已审批", "approved", p.s("approved")), ("已发放", "paid", p.s("paid")),
            ("预算", "budget", yuan(r.i("budget"))), ("已安排", "committed", yuan(r.i("committed"))),
            ("预算余额", "budget left", yuan(p.i("budgetLeft"))),
        ]
        for (zh, en, v) in rows { t.add([g.zh ? zh : en, v]) }
        print(t.render())
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "活动定义与各次规划 / Campaign definitions and their runs.")
        @OptionGroup var g: Global
        func run() {
            let defs = g.call1(.campaignsDefinitions)
            let runs = g.call1(.campaignsList)
            if g.json {
                return g.printJSON(
                    .object(["campaigns": defs["campaigns"] ?? .array([]), "runs": runs["runs"] ?? .array([])]))
            }
            var t = TextTable(
                headers: g.zh
                    ? ["活动", "名称", "节日规则", "提前天数", "下次节日", "预算"]
                    : ["campaign", "name", "holiday", "lead days", "next holiday", "budget"], rightAligned: [5])
            for d in defs.a("campaigns").compactMap(\.objectValue) {
                t.add([
                    d.s("id"), d.s("name"), d.s("holiday"), d.s("leadDays"), d.s("nextHoliday"), yuan(d.i("budget")),
                ])
            }
            print(t.render())
            var r = TextTable(
                headers: g.zh
                    ? ["编号", "活动", "节日", "状态", "目标户数", "已安排"]
                    : ["run", "campaign", "holiday", "state", "targeted", "committed"], rightAligned: [4, 5])
            for x in runs.a("runs").compactMap(\.objectValue) {
                r.add([
                    x.s("id"), x.s("campaignId"), x.s("holiday"), x.s("state"), x.s("targeted"), yuan(x.i("committed")),
                ])
            }
            print("")
            print(r.render())
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "一次活动的进度及因预算未列入的家庭 / A run's progress and who the budget left out.")
        @OptionGroup var g: Global
        @Argument(help: "活动编号 / Run id.") var runId: Int64
        func run() {
            let p = g.call1(.campaignsProgress, ["runId": .int(runId)]).o("progress")
            let left = g.call(.campaignsLeftOut, ["runId": .int(runId)], more: true).map {
                $0.o("household")
            }.filter { !$0.isEmpty }
            if g.json {
                return g.printJSON(.object(["progress": .object(p), "leftOut": .array(left.map { .object($0) })]))
            }
            CampaignCommand.printProgress(p, g)
            if !left.isEmpty {
                print(g.zh ? "\n因预算未列入（按困难程度排序）：" : "\nleft out by the budget (deepest hardship first):")
                var t = TextTable(
                    headers: g.zh ? ["档案号", "户主", "单位", "类别"] : ["archive", "applicant", "unit", "category"])
                for h in left { t.add([h.s("archiveNo"), h.s("name"), h.s("unitId"), h.s("category")]) }
                print(t.render())
            }
        }
    }

    struct Progress: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "进度（--watch 时随规划刷新进度条）/ Progress; --watch follows a live plan.")
        @OptionGroup var g: Global
        @Argument(help: "活动编号 / Run id.") var runId: Int64
        @Flag(help: "规划中持续刷新 / Follow a run while it is planning.") var watch = false
        func run() {
            var p = g.call1(.campaignsProgress, ["runId": .int(runId)]).o("progress")
            if g.json { return g.printJSON(.object(p)) }
            while watch && p.o("run").s("state") == "planning" {
                let line =
                    (g.zh ? "规划中 " : "planning ")
                    + CampaignCommand.bar(Int(p.i("processed")), Int(p.o("run").i("targeted")))
                FileHandle.standardError.write(Data("\r\(line)".utf8))
                Thread.sleep(forTimeInterval: 0.5)
                p = g.call1(.campaignsProgress, ["runId": .int(runId)]).o("progress")
            }
            if watch { FileHandle.standardError.write(Data("\n".utf8)) }
            CampaignCommand.printProgress(p, g)
        }
    }

    struct Review: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "按单位批量初审通过 / Pass the review of a unit's campaign cases in one batch.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument(help: "活动编号 / Run id.") var runId: Int64
        @Option var unit: String
        func run() {
            let out = g.call1(
                .campaignsPassReview, ["runId": .int(runId), "unit": .string(unit), "requestId": r.param])
            if g.json { return g.printJSON(.object(out)) }
            print(g.zh ? "已初审通过 \(out.s("cases")) 件" : "\(out.s("cases")) cases passed the review")
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "按单位批量审批并公示 / Approve a unit's campaign cases in one batch (one notice list).")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument(help: "活动编号 / Run id.") var runId: Int64
        @Option var unit: String
        func run() {
            let out = g.call1(.campaignsApprove, ["runId": .int(runId), "unit": .string(unit), "requestId": r.param])
            if g.json { return g.printJSON(.object(out)) }
            print(g.zh ? "已审批 \(out.s("cases")) 件，进入公示" : "\(out.s("cases")) cases approved; in notice")
        }
    }

    struct Visits: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "走访任务 / Visit tasks.")
        @OptionGroup var g: Global
        @Argument(help: "活动编号 / Run id.") var runId: Int64
        @Option var unit: String?
        func run() {
            let items = g.call(
                .campaignsVisits, ["runId": .int(runId), "unit": unit.map { .string($0) } ?? .null],
                more: true
            )
            .map { $0.o("visit") }.filter { !$0.isEmpty }
            if g.json { return g.printJSON(.array(items.map { .object($0) })) }
            var t = TextTable(
                headers: g.zh
                    ? ["编号", "档案号", "单位", "走访人", "截止", "状态"] : ["id", "archive", "unit", "visitor", "due", "status"])
            for v in items {
                t.add([
                    v.s("id"), v.s("archiveNo"), v.s("unitId"),
                    v.s("visitor").isEmpty ? (g.zh ? "单位走访组" : "unit pool") : v.s("visitor"), v.s("dueOn"),
                    v.s("status"),
                ])
            }
            print(t.render())
        }
    }

    struct Visit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "登记一次走访 / Record a visit.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var visit: Int64
        @Option var note: String
        func run() {
            let v = g.call1(
                .campaignsRecordVisit,
                ["visitId": .int(visit), "note": .string(note), "requestId": r.param]
            ).o("visit")
            if g.json { return g.printJSON(.object(v)) }
            print(
                g.zh ? "已登记走访 #\(v.s("id"))（\(v.s("archiveNo"))）" : "visit #\(v.s("id")) (\(v.s("archiveNo"))) recorded"
            )
        }
    }

    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "关闭活动 / Close a run.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument(help: "活动编号 / Run id.") var runId: Int64
        func run() {
            let out = g.call1(.campaignsClose, ["runId": .int(runId), "requestId": r.param]).o("run")
            if g.json { return g.printJSON(.object(out)) }
            print(g.zh ? "活动 #\(out.s("id")) 已关闭" : "run #\(out.s("id")) closed")
        }
    }
}
