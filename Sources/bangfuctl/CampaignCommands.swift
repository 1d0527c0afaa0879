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
            AddHouseholds.self, Replan.self,
        ])

    /// The cases a batch could not move, each with its number and reason; exit 1 when there are any.
    static func report(_ failed: [Wire.Campaigns.BatchFailure], _ global: Global) {
        guard !failed.isEmpty else { return }
        print(
            global.zh
                ? "以下 \(failed.count) 件未能办理，保持原状：" : "\(failed.count) cases could not be done and stay as they were:")
        var table = TextTable(headers: global.zh ? ["案件号", "原因"] : ["case", "reason"])
        for failure in failed { table.add([failure.caseNo, global.zh ? failure.message : failure.messageEn]) }
        print(table.render())
        Foundation.exit(1)
    }

    /// Shows what a batch would do and asks; without a terminal it refuses (exit 2) unless `--yes`
    /// was given: a batch moves many cases at once and is not undone by running it again.
    static func confirm(
        _ items: [Wire.Campaigns.BatchItem], doing: (zh: String, en: String), yes: Bool, _ global: Global
    ) {
        let zh = global.zh
        guard !items.isEmpty else {
            if !global.json { print(zh ? "没有需要\(doing.zh)的案件" : "no cases to \(doing.en)") }
            return
        }
        guard !yes else { return }
        var table = TextTable(headers: zh ? ["案件号", "档案号", "金额"] : ["case", "archive", "amount"], rightAligned: [2])
        for item in items { table.add([item.caseNo, item.archiveNo, yuan(item.amount)]) }
        let total = items.reduce(Int64(0)) { sum, item in sum &+ item.amount }
        let stream = global.json ? FileHandle.standardError : FileHandle.standardOutput
        stream.write(
            Data(
                ((zh
                    ? "将\(doing.zh)以下 \(items.count) 件，合计 \(yuan(total))：\n"
                    : "this will \(doing.en) these \(items.count) cases, \(yuan(total)) in all:\n") + table.render()
                    + "\n")
                    .utf8))
        guard isatty(STDIN_FILENO) == 1 else {
            global.die(
                zh ? "未确认：没有终端可以询问，确认无误请加 --yes 再运行" : "not confirmed: no terminal to ask; add --yes to go ahead",
                code: 2)
        }
        stream.write(Data((zh ? "确认办理？[y/N] " : "go ahead? [y/N] ").utf8))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard ["y", "yes", "是", "确认"].contains(answer) else {
            global.die(zh ? "已取消，未做任何改动" : "cancelled; nothing changed", code: 1)
        }
    }

    static func bar(_ done: Int, _ total: Int, width: Int = 30) -> String {
        let filled = total == 0 ? width : min(width, done * width / max(total, 1))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            + "] \(done)/\(total)"
    }

    static func printProgress(_ progress: Wire.Campaigns.RunProgress, _ global: Global) {
        let run = progress.run
        let zh = global.zh
        let name = zh ? campaignNames(global)[run.campaignId] ?? run.campaignId : run.campaignId
        print(
            zh
                ? "活动 #\(run.id) \(name) 节日 \(global.day(run.holiday)) 状态 \(global.word(.campaignState, run.state))"
                : "run #\(run.id) \(run.campaignId) holiday \(run.holiday) state \(run.state)")
        print((zh ? "规划 " : "planning ") + bar(Int(progress.processed), Int(run.targeted)))
        var table = TextTable(headers: zh ? ["项目", "户数/金额"] : ["item", "count/amount"], rightAligned: [1])
        let rows: [(String, String, String)] = [
            ("已列入", "planned", String(progress.planned)),
            ("预算不足未列入", "left out (budget)", String(progress.leftOut)),
            ("不符合条件", "not eligible", String(progress.ineligible)),
            ("已走访", "visited", String(progress.visited)), ("已审批", "approved", String(progress.approved)),
            ("已发放", "paid", String(progress.paid)), ("预算", "budget", yuan(run.budget)),
            ("已安排", "committed", yuan(run.committed)), ("预算余额", "budget left", yuan(progress.budgetLeft)),
        ]
        for (nameZh, nameEn, value) in rows { table.add([zh ? nameZh : nameEn, value]) }
        print(table.render())
    }

    /// Campaign ids to their names (Chinese output names campaigns, never their ids).
    static func campaignNames(_ global: Global) -> [String: String] {
        Dictionary(
            global.call(Wire.Campaigns.Definitions()).campaigns.map { ($0.id, $0.name) },
            uniquingKeysWith: { first, _ in first })
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "活动定义与各次规划 / Campaign definitions and their runs.")
        @OptionGroup var global: Global
        func run() {
            let definitions = global.call(Wire.Campaigns.Definitions()).campaigns
            let listed = global.call(Wire.Campaigns.List())
            let runs = listed.runs
            if global.json {
                return global.printJSON(
                    .object([
                        "campaigns": .array(definitions.map(\.json)), "runs": .array(runs.map(\.json)),
                        "missed": .array(listed.missed.map(\.json)),
                    ]))
            }
            let zh = global.zh
            var table = TextTable(
                headers: zh
                    ? ["活动", "节日", "提前天数", "下次节日", "预算"]
                    : ["campaign", "name", "holiday", "lead days", "next holiday", "budget"], rightAligned: [zh ? 4 : 5]
            )
            let names = Dictionary(definitions.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
            for definition in definitions {
                let rule = (try? HolidayRule(parsing: definition.holiday)).map { Words.holiday($0, global.language) }
                let naming =
                    zh
                    ? [definition.name, rule ?? definition.holiday]
                    : [definition.id, definition.name, definition.holiday]
                table.add(
                    naming + [
                        String(definition.leadDays), definition.nextHoliday.map(global.day) ?? "",
                        yuan(definition.budget),
                    ])
            }
            print(table.render())
            var runTable = TextTable(
                headers: zh
                    ? ["编号", "活动", "节日", "状态", "目标户数", "已安排"]
                    : ["run", "campaign", "holiday", "state", "targeted", "committed"], rightAligned: [4, 5])
            for run in runs {
                runTable.add([
                    String(run.id), zh ? names[run.campaignId] ?? run.campaignId : run.campaignId,
                    global.day(run.holiday),
                    global.word(.campaignState, run.state), String(run.targeted), yuan(run.committed),
                ])
            }
            print("")
            print(runTable.render())
            guard !listed.missed.isEmpty else { return }
            print(zh ? "\n节日已过却未规划（守护进程停机或时钟越过了规划日）：" : "\nmissed (the holiday passed with no run):")
            for missed in listed.missed {
                let name = zh ? names[missed.campaignId] ?? missed.campaignId : missed.campaignId
                print(
                    "  \(name) \(global.day(missed.holiday))"
                        + (zh ? "：补充规划请用 " : ": to plan it late, ")
                        + "bangfuctl campaign replan \(missed.campaignId) --holiday \(missed.holiday)")
            }
        }
    }

    /// Plans an occurrence now and shows its progress.
    static func replan(campaignId: String, holiday: String, _ global: Global) {
        let progress = global.call(Wire.Campaigns.Replan(campaignId: campaignId, holiday: holiday)).progress
        if global.json { return global.printJSON(progress.json) }
        printProgress(progress, global)
    }

    struct AddHouseholds: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-households",
            abstract: "把此后建档的家庭加入已规划的活动 / Plan the households archived since into a planned run.")
        @OptionGroup var global: Global
        @Argument(help: "活动编号 / Run id.") var runId: Int64
        func run() {
            guard let run = global.call(Wire.Campaigns.List()).runs.first(where: { $0.id == runId }) else {
                global.die(global.zh ? "慰问活动 #\(runId) 不存在" : "campaign run #\(runId) does not exist", code: 5)
            }
            CampaignCommand.replan(campaignId: run.campaignId, holiday: run.holiday, global)
        }
    }

    struct Replan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "补充规划一次活动（错过的节日，或加入新建档的家庭）/ Plan an occurrence now: a missed one, or again.")
        @OptionGroup var global: Global
        @Argument(help: "活动代码 / Campaign id.") var campaignId: String
        @Option(help: "节日日期 YYYY-MM-DD / The holiday's date.") var holiday: String
        func run() { CampaignCommand.replan(campaignId: campaignId, holiday: holiday, global) }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "一次活动的进度及因预算未列入的家庭 / A run's progress and who the budget left out.")
        @OptionGroup var global: Global
        @Argument(help: "活动编号 / Run id.") var runId: Int64
        func run() {
            let progress = global.call(Wire.Campaigns.Progress(runId: runId)).progress
            let leftOut = global.all(Wire.Campaigns.LeftOut(runId: runId)).map(\.household)
            let ineligible = global.all(Wire.Campaigns.LeftOut(runId: runId, outcome: "ineligible")).map(\.household)
            if global.json {
                return global.printJSON(
                    .object([
                        "progress": progress.json, "leftOut": .array(leftOut.map(\.json)),
                        "ineligible": .array(ineligible.map(\.json)),
                    ]))
            }
            CampaignCommand.printProgress(progress, global)
            let zh = global.zh
            let names = global.names()
            for (households, title) in [
                (leftOut, zh ? "因预算未列入（按困难程度排序）：" : "left out by the budget (deepest hardship first):"),
                (ineligible, zh ? "不符合条件：" : "not eligible:"),
            ] where !households.isEmpty {
                print("\n" + title)
                var table = TextTable(
                    headers: zh
                        ? ["档案号", "户主", "单位", "类别", "原因"] : ["archive", "applicant", "unit", "category", "reason"])
                for household in households {
                    table.add([
                        household.archiveNo, household.name, names.unit(household.unitId),
                        household.category.map { global.word(.category, $0) } ?? "", household.reason,
                    ])
                }
                print(table.render())
            }
        }
    }

    struct Progress: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "进度（--watch 时随规划刷新进度条）/ Progress; --watch follows a live plan.")
        @OptionGroup var global: Global
        @Argument(help: "活动编号 / Run id.") var runId: Int64
        @Flag(help: "规划中持续刷新 / Follow a run while it is planning.") var watch = false
        func run() {
            var progress = global.call(Wire.Campaigns.Progress(runId: runId)).progress
            if global.json { return global.printJSON(progress.json) }
            while watch && progress.run.state == "planning" {
                let line =
                    (global.zh ? "规划中 " : "planning ")
                    + CampaignCommand.bar(Int(progress.processed), Int(progress.run.targeted))
                FileHandle.standardError.write(Data("\r\(line)".utf8))
                Thread.sleep(forTimeInterval: 0.5)
                progress = global.call(Wire.Campaigns.Progress(runId: runId)).progress
            }
            if watch { FileHandle.standardError.write(Data("\n".utf8)) }
            CampaignCommand.printProgress(progress, global)
        }
    }

    struct Review: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "按单位批量初审通过 / Pass the review of a unit's campaign cases in one batch.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument(help: "活动编号 / Run id.") var runId: Int64
        @Option var unit: String
        @Flag(help: "不再询问（脚本用）/ Do not ask (for scripts).") var yes = false
        func run() {
            let planned = global.call(Wire.Campaigns.PassReview(runId: runId, unit: unit, dryRun: true)).items
            CampaignCommand.confirm(planned, doing: ("初审通过", "pass the review of"), yes: yes, global)
            let passed = global.call(
                Wire.Campaigns.PassReview(runId: runId, unit: unit, requestId: request.requestId))
            if global.json { return global.printJSON(passed.json) }
            print(global.zh ? "已初审通过 \(passed.cases) 件" : "\(passed.cases) cases passed the review")
            CampaignCommand.report(passed.failed, global)
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "按单位批量审批并公示 / Approve a unit's campaign cases in one batch (one notice list).")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument(help: "活动编号 / Run id.") var runId: Int64
        @Option var unit: String
        @Flag(help: "不再询问（脚本用）/ Do not ask (for scripts).") var yes = false
        func run() {
            let planned = global.call(Wire.Campaigns.Approve(runId: runId, unit: unit, dryRun: true)).items
            CampaignCommand.confirm(planned, doing: ("审批并公示", "approve"), yes: yes, global)
            let approved = global.call(Wire.Campaigns.Approve(runId: runId, unit: unit, requestId: request.requestId))
            if global.json { return global.printJSON(approved.json) }
            print(global.zh ? "已审批 \(approved.cases) 件，进入公示" : "\(approved.cases) cases approved; in notice")
            CampaignCommand.report(approved.failed, global)
        }
    }

    struct Visits: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "走访任务 / Visit tasks.")
        @OptionGroup var global: Global
        @Argument(help: "活动编号 / Run id.") var runId: Int64
        @Option var unit: String?
        func run() {
            let visits = global.all(Wire.Campaigns.Visits(runId: runId, unit: unit)).map(\.visit)
            if global.json { return global.printJSON(visits) }
            let zh = global.zh
            var table = TextTable(
                headers: zh
                    ? ["编号", "档案号", "单位", "走访人", "截止", "状态"] : ["id", "archive", "unit", "visitor", "due", "status"])
            let names = global.names()
            for visit in visits {
                table.add([
                    String(visit.id), visit.archiveNo, names.unit(visit.unitId),
                    visit.visitor ?? (zh ? "单位走访组" : "unit pool"), global.day(visit.dueOn),
                    global.word(.visitStatus, visit.status),
                ])
            }
            print(table.render())
        }
    }

    struct Visit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "登记一次走访 / Record a visit.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var visit: Int64
        @Option var note: String
        func run() {
            let recorded = global.call(
                Wire.Campaigns.RecordVisit(visitId: visit, note: note, requestId: request.requestId)
            ).visit
            if global.json { return global.printJSON(recorded.json) }
            print(
                global.zh
                    ? "已登记走访 #\(recorded.id)（\(recorded.archiveNo)）"
                    : "visit #\(recorded.id) (\(recorded.archiveNo)) recorded")
        }
    }

    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "关闭活动 / Close a run.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument(help: "活动编号 / Run id.") var runId: Int64
        func run() {
            let run = global.call(Wire.Campaigns.Close(runId: runId, requestId: request.requestId)).run
            if global.json { return global.printJSON(run.json) }
            print(global.zh ? "活动 #\(run.id) 已关闭" : "run #\(run.id) closed")
        }
    }
}
