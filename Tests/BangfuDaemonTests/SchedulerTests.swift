import BangfuVarlink
import BangfuWire
import Foundation
import Testing

/// The daemon acting on time by itself: campaigns and monthly payments, on the manual clock.
@Suite(.serialized) struct SchedulerTests {
    typealias D = LiveDaemon

    static func yaml(budget: String, pay: Bool = true, fund: String? = nil) -> String {
        LiveDaemon.yaml + """

            disbursement:
              pay_at_notice_end: \(pay)
              monthly_pay_day: 10
            campaigns:
              - id: spring-festival
                name: 送温暖
                holiday: "lunar:01-01"
                lead_days: 45
                help_type: holiday-condolence
                form: { occasion: spring_festival }
                budget: "\(budget)"
                target: { categories: [deep, relative, accident] }
            """ + (fund.map { "\n    fund: \($0)\n" } ?? "")
    }

    /// Synthetic households straight into the state directory, as caseworker uid 61001.
    func seed(_ d: LiveDaemon, _ n: Int, first: Int = 2_000_000) throws {
        let (code, _, err) = try LiveDaemon.run(
            [D.bin + "/bangfu-db"],
            [
                "seed", "--state-dir", d.dir.path, "--config", d.configPath, "--caseworker", "uid:\(D.cw)",
                "--unit", "b1", "--region", "370202", "--households", String(n), "--first-index", String(first),
            ])
        #expect(code == 0, "\(err)")
    }

    func runs(_ d: LiveDaemon) throws -> [JSONValue] { try d.ctlJSON(D.au, ["campaign", "list"])["runs"]?.array ?? [] }

    @Test func plannedOnItsLeadDayWithinBudgetThenReviewedApprovedVisitedPaid() throws {
        let d = try LiveDaemon(yaml: Self.yaml(budget: "3000", fund: "warm"), startNow: false)
        try seed(d, 5)
        try d.start(clock: "manual:2026-12-22T09:00")
        // A nearer fund with money exists, but the campaign names its own.
        _ = try d.ctlJSON(
            D.tr,
            [
                "fund", "create", "other", "--name", "其他", "--unit", "county", "--source", "union_funds", "--help-type",
                "holiday-condolence",
            ])
        _ = try d.ctlJSON(D.tr, ["fund", "deposit", "other", "10000", "--memo", "拨款"])
        _ = try d.ctlJSON(
            D.tr,
            [
                "fund", "create", "warm", "--name", "送温暖", "--unit", "county", "--source", "union_funds", "--help-type",
                "holiday-condolence",
            ])
        _ = try d.ctlJSON(D.tr, ["fund", "deposit", "warm", "10000", "--memo", "拨款"])
        #expect(try runs(d).isEmpty, "nothing before the lead day")
        _ = try d.ctlJSON(nil, ["clock", "advance", "1d"])
        let r = try #require(try runs(d).first)
        #expect(r["holiday"]?.string == "2027-02-06" && r["state"]?.string == "planned" && r["targeted"]?.int == 5)
        let runId = try #require(r["id"]?.int)
        let p = try d.ctlJSON(D.au, ["campaign", "show", String(runId)])
        // ¥1,000 each (deep), budget ¥3,000: three planned, two left out and reported.
        #expect(
            p["progress"]?["planned"]?.int == 3 && p["progress"]?["leftOut"]?.int == 2
                && p["progress"]?["budgetLeft"]?.int == 0)
        #expect(p["leftOut"]?.array?.count == 2)
        // Another advance does not plan the same holiday twice.
        _ = try d.ctlJSON(nil, ["clock", "advance", "1d"])
        #expect(try runs(d).count == 1)
        // Batches per unit: review, approve (one notice list), visit, notice, payment.
        // A batch covers the unit named: the reviewer of b1 may not review the whole county.
        #expect(try d.ctl(D.rv, ["campaign", "review", String(runId), "--unit", "county", "--yes"]).0 == 4)
        #expect(try d.ctlJSON(D.rv, ["campaign", "review", String(runId), "--unit", "b1", "--yes"])["cases"]?.int == 3)
        #expect(
            try d.ctl(D.cw, ["campaign", "approve", String(runId), "--unit", "b1", "--yes"]).0 == 4,
            "a caseworker cannot approve")
        // Issue 13.20: asked first; with no terminal to ask and no --yes, nothing is done (exit 2),
        // and what it would have done is listed.
        let (asked, listed, refusal) = try d.ctl(
            D.ap, ["campaign", "approve", String(runId), "--unit", "county"], lang: "zh_CN.UTF-8")
        let reviewed = try d.ctlJSON(D.au, ["case", "list", "--state", "branch_review_passed"]).array ?? []
        #expect(asked == 2 && refusal.contains("--yes") && listed.contains("将审批并公示以下 3 件"), "\(listed)\(refusal)")
        #expect(reviewed.count == 3 && reviewed.allSatisfy { listed.contains($0["caseNo"]?.string ?? "?") })
        #expect(
            try d.ctlJSON(D.ap, ["campaign", "approve", String(runId), "--unit", "county", "--yes"])["cases"]?.int == 3)
        let notice = try d.ctlJSON(D.au, ["notice", "list"]).array ?? []
        // Issue 13.8: named by the occasion; the holiday's date went into the form (13.1).
        #expect(notice.count == 3 && notice.allSatisfy { $0["helpType"]?.string == "春节慰问金" })
        let planned = try d.ctlJSON(D.cw, ["case", "get", try #require(notice.first?["caseNo"]?.string)])
        #expect(planned["case"]?["form"]?["holiday_date"]?.string == "2027-02-06")
        // A case under objection stays on the notice, its deadline shown as under review.
        let objected = try #require(notice.last?["caseNo"]?.string)
        _ = try d.ctlJSON(D.cw, ["case", "object", objected, "--summary", "群众反映家庭收入有变化"])
        let (_, board, _) = try d.ctl(D.au, ["notice", "list"], lang: "zh_CN.UTF-8")
        #expect(board.contains("异议核查中"), "\(board)")
        _ = try d.ctlJSON(D.ap, ["case", "dismiss", objected, "--decision", "核实无误"])
        let visits = try d.ctlJSON(D.au, ["campaign", "visits", String(runId)]).array ?? []
        #expect(visits.count == 3 && visits.allSatisfy { $0["dueOn"]?.string == "2027-02-05" })
        _ = try d.ctlJSON(
            D.cw, ["campaign", "visit", String(try #require(visits.first?["id"]?.int)), "--note", "已上门慰问"])
        // Issue 13.17: the branch reviewer visits too (入户核查).
        _ = try d.ctlJSON(
            D.rv, ["campaign", "visit", String(try #require(visits.last?["id"]?.int)), "--note", "入户核查属实"])
        _ = try d.ctlJSON(nil, ["clock", "advance", "30d"])
        let done = try d.ctlJSON(D.au, ["campaign", "progress", String(runId)])
        #expect(
            done["visited"]?.int == 2 && done["approved"]?.int == 3 && done["paid"]?.int == 3,
            "\(d.log().split(separator: "\n").filter { !$0.contains("thread") }.suffix(12).joined(separator: "\n"))")
        let balances = Dictionary(
            uniqueKeysWithValues: (try d.ctlJSON(D.tr, ["fund", "list"])["funds"]?.array ?? []).map {
                ($0["id"]?.string ?? "", $0["balance"]?.int ?? 0)
            })
        #expect(
            balances["warm"] == 700_000 && balances["other"] == 1_000_000, "paid from the campaign's fund: \(balances)")
        // Watching a run from bangfuctl as a person would.
        let (_, text, _) = try d.ctl(D.au, ["campaign", "progress", String(runId)], lang: "zh_CN.UTF-8")
        #expect(text.contains("[##############################] 5/5") && text.contains("预算余额"))
    }

    @Test func killedWhilePlanningResumesWithNoDuplicates() throws {
        let d = try LiveDaemon(yaml: Self.yaml(budget: "1000000"), startNow: false)
        try seed(d, 1500)
        try d.start(clock: "manual:2027-12-01T09:00")
        // The advance blocks while the 2028 Spring Festival is planned (lead day 2027-12-12); kill it mid-way.
        let advancing = Process()
        advancing.executableURL = URL(fileURLWithPath: D.bin + "/bangfuctl")
        advancing.arguments = ["clock", "advance", "11d", "--socket", d.socket]
        advancing.standardOutput = FileHandle.nullDevice
        advancing.standardError = FileHandle.nullDevice
        try advancing.run()
        var processed: Int64 = 0
        for _ in 0..<400 {
            Thread.sleep(forTimeInterval: 0.05)
            if let r = try? d.call(WireMethod.campaignsList.rawValue).first?["runs"], case .array(let a) = r,
                let run = a.first?["id"]?.int,
                let p = try? d.call(WireMethod.campaignsProgress.rawValue, ["runId": .int(run)]).first?["progress"]?[
                    "processed"]?.int, p > 0
            {
                processed = p
                break
            }
        }
        kill(d.process!.processIdentifier, SIGKILL)
        d.process!.waitUntilExit()
        advancing.waitUntilExit()
        #expect(processed > 0 && processed < 1500, "killed after a batch committed: \(processed)")
        try d.start(clock: "manual")
        var state = ""
        for _ in 0..<600 where state != "planned" {
            Thread.sleep(forTimeInterval: 0.1)
            state = (try? runs(d).first?["state"]?.string) ?? ""
        }
        #expect(state == "planned")
        let r = try #require(try runs(d).first)
        #expect(r["holiday"]?.string == "2028-01-26")
        let p = try d.ctlJSON(D.au, ["campaign", "progress", String(try #require(r["id"]?.int))])
        #expect(p["processed"]?.int == 1500, "every household decided once")
        #expect(p["planned"]?.int == 1000 && p["leftOut"]?.int == 500, "budget ¥1,000,000 at ¥1,000 each")
        let cases = try d.listAll(WireMethod.casesList.rawValue).filter {
            $0["case"]?["helpType"]?.stringValue == "holiday-condolence"
        }.count
        // Followed through pages of 300 and 150: each visit and each household left out once.
        let visits = Set(
            try d.listAll(WireMethod.campaignsVisits.rawValue, ["runId": r["id"]!], limit: 300).compactMap {
                $0["visit"]?["id"]?.int
            })
        #expect(
            cases == 1000 && visits.count == 1000, "no duplicate case or visit: \(cases) cases, \(visits.count) visits")
        let leftOut = try d.listAll(WireMethod.campaignsLeftOut.rawValue, ["runId": r["id"]!], limit: 150)
        #expect(Set(leftOut.compactMap { $0["household"]?["archiveNo"]?.string }).count == 500 && leftOut.count == 500)
        #expect(try d.ctlJSON(D.au, ["verify"])["ok"]?.boolValue == true)
    }

    /// Issue 13.10: started after the lead day, the run is planned with whom there is; households
    /// archived later join it with `add-households`, those decided are not planned twice.
    @Test func householdsArchivedAfterPlanningJoinTheRun() throws {
        let d = try LiveDaemon(yaml: Self.yaml(budget: "3000"), clock: "manual:2026-12-24T09:00")
        let runId = try #require(try runs(d).first?["id"]?.int)
        #expect(try runs(d).first?["targeted"]?.int == 0)
        let a = try #require(
            try d.ctlJSON(D.cw, ["archive", "create", "--file", try D.sampleArchive()])["archiveNo"]?.string)
        // Planning covers every unit: an approver or admin of a top unit (here root) replans.
        #expect(try d.ctl(D.cw, ["campaign", "add-households", String(runId)]).0 == 4)
        #expect(try d.ctl(D.ap, ["campaign", "add-households", String(runId)]).0 == 4, "the county's approver")
        let added = try d.ctlJSON(nil, ["campaign", "add-households", String(runId)])
        #expect(added["planned"]?.int == 1 && added["run"]?["state"]?.string == "planned", "\(added)")
        let visits = try d.ctlJSON(D.au, ["campaign", "visits", String(runId)]).array ?? []
        #expect(visits.count == 1 && visits.first?["archiveNo"]?.string == a)
        // Again: nothing new, nothing twice.
        #expect(try d.ctlJSON(nil, ["campaign", "add-households", String(runId)])["planned"]?.int == 1)
        #expect(try d.ctlJSON(D.au, ["campaign", "visits", String(runId)]).array?.count == 1)
    }

    /// Issue 13.10: a long clock move past a campaign's lead days and holiday is reported as missed
    /// (status, campaign list, the journal) and can be planned late.
    @Test func aHolidayTheClockMovedPastIsReportedAndCanBePlannedLate() throws {
        let d = try LiveDaemon(yaml: Self.yaml(budget: "3000"), startNow: false)
        try seed(d, 2)
        try d.start(clock: "manual:2026-12-01T09:00")
        #expect(try d.ctlJSON(D.au, ["status"])["missedCampaigns"]?.int == 0)
        _ = try d.ctlJSON(nil, ["clock", "advance", "90d"])
        #expect(try runs(d).isEmpty)
        #expect(try d.ctlJSON(D.au, ["status"])["missedCampaigns"]?.int == 1)
        let missed = try d.ctlJSON(D.au, ["campaign", "list"])["missed"]?.array ?? []
        #expect(
            missed.first?["campaignId"]?.string == "spring-festival" && missed.first?["holiday"]?.string == "2027-02-06"
        )
        let log = try String(contentsOfFile: d.logPath, encoding: .utf8)
        #expect(log.contains("campaign spring-festival for 2027-02-06 was missed"), "\(log)")
        let (_, listed, _) = try d.ctl(D.au, ["campaign", "list"], lang: "zh_CN.UTF-8")
        #expect(listed.contains("节日已过却未规划") && listed.contains("2027年2月6日"), "\(listed)")
        #expect(try d.ctl(nil, ["campaign", "replan", "spring-festival", "--holiday", "2027-02-07"]).0 == 1)
        let late = try d.ctlJSON(nil, ["campaign", "replan", "spring-festival", "--holiday", "2027-02-06"])
        #expect(late["planned"]?.int == 2, "\(late)")
        #expect(try d.ctlJSON(D.au, ["status"])["missedCampaigns"]?.int == 0)
    }

    /// Issue 13.9 and 13.1: a household already at the yearly cap is flagged when the run is
    /// planned, not selected; the left-out list names it with the reason.
    @Test func thePlannerFlagsAHouseholdOverTheCap() throws {
        let d = try LiveDaemon(
            yaml: Self.yaml(budget: "3000", pay: false) + "\nrules:\n  yearly_cap: \"5500\"\n", startNow: false)
        try seed(d, 3)
        try d.start(clock: "manual:2026-12-22T09:00")
        let capped = try #require((try d.ctlJSON(D.au, ["archive", "list"]).array ?? []).first?["archiveNo"]?.string)
        let relief = try #require(
            try d.ctlJSON(D.cw, ["case", "file", capped, "hardship-relief", "--form", "cause=disaster"])["caseNo"]?
                .string)
        _ = try d.ctlJSON(D.cw, ["case", "submit", relief])
        _ = try d.ctlJSON(D.rv, ["case", "pass", relief])
        _ = try d.ctlJSON(D.ap, ["case", "approve", relief])
        _ = try d.ctlJSON(nil, ["clock", "advance", "1d"])
        let runId = String(try #require(try runs(d).first?["id"]?.int))
        let shown = try d.ctlJSON(D.au, ["campaign", "show", runId])
        #expect(shown["progress"]?["planned"]?.int == 2 && shown["progress"]?["ineligible"]?.int == 1)
        let flagged = shown["ineligible"]?.array?.first
        #expect(flagged?["archiveNo"]?.string == capped && flagged?["reason"]?.string?.contains("上限") == true)
        let (_, text, _) = try d.ctl(D.au, ["campaign", "show", runId], lang: "zh_CN.UTF-8")
        #expect(text.contains("不符合条件：") && text.contains(capped) && text.contains("上限"), "\(text)")
        #expect(try d.ctlJSON(D.rv, ["campaign", "review", runId, "--unit", "b1", "--yes"])["cases"]?.int == 2)
    }

    /// Issue 13.9: one household over the yearly cap does not fail the batch; it is named with why.
    @Test func aCampaignBatchDoesWhatItCanAndNamesWhatItCouldNot() throws {
        let d = try LiveDaemon(
            yaml: Self.yaml(budget: "3000", pay: false) + "\nrules:\n  yearly_cap: \"5500\"\n", startNow: false)
        try seed(d, 3)
        try d.start(clock: "manual:2026-12-22T09:00")
        // One household already had ¥5,000 this year: ¥1,000 more would pass the ¥5,500 cap.
        let archives = try d.ctlJSON(D.au, ["archive", "list"]).array ?? []
        let capped = try #require(archives.first?["archiveNo"]?.string)
        let relief = try #require(
            try d.ctlJSON(D.cw, ["case", "file", capped, "hardship-relief", "--form", "cause=disaster"])["caseNo"]?
                .string)
        _ = try d.ctlJSON(D.cw, ["case", "submit", relief])
        _ = try d.ctlJSON(D.rv, ["case", "pass", relief])
        _ = try d.ctlJSON(nil, ["clock", "advance", "1d"])
        let runId = String(try #require(try runs(d).first?["id"]?.int))
        // Approved after the planning: the household reaches the cap between planning and the batch.
        _ = try d.ctlJSON(D.ap, ["case", "approve", relief])
        #expect(try d.ctlJSON(D.rv, ["campaign", "review", runId, "--unit", "b1", "--yes"])["cases"]?.int == 3)
        let (code, out, _) = try d.ctl(
            D.ap, ["campaign", "approve", runId, "--unit", "b1", "--yes"], lang: "zh_CN.UTF-8")
        #expect(code == 1 && out.contains("已审批 2 件"), "\(out)")
        let cappedCase = try #require(
            (try d.ctlJSON(D.au, ["case", "list", "--state", "branch_review_passed"]).array ?? []).first?["caseNo"]?
                .string)
        #expect(out.contains(cappedCase) && out.contains("上限"), "the refused case named with its reason: \(out)")
        #expect(try d.ctlJSON(D.au, ["notice", "list"]).array?.count == 3, "two campaign cases and the relief case")
    }

    @Test func monthlySubsidyOverThirteenMonthsWithAMonthTheFundRanDry() throws {
        let d = try LiveDaemon(yaml: Self.yaml(budget: "0"))
        _ = try d.ctlJSON(
            D.tr,
            [
                "fund", "create", "monthly", "--name", "定额补助", "--unit", "county", "--source", "fiscal", "--help-type",
                "monthly-subsidy",
            ])
        _ = try d.ctlJSON(D.tr, ["fund", "deposit", "monthly", "4240", "--memo", "四个月"])  // 4 x ¥1,060
        let archiveNo = try #require(
            try d.ctlJSON(D.cw, ["archive", "create", "--file", try D.sampleArchive()])["archiveNo"]?.string)
        let caseNo = try #require(
            try d.ctlJSON(D.cw, ["case", "file", archiveNo, "monthly-subsidy", "--form", "reason=unable_to_work"])[
                "caseNo"]?.string)
        _ = try d.ctlJSON(D.cw, ["case", "submit", caseNo])
        _ = try d.ctlJSON(D.rv, ["case", "pass", caseNo])
        let approved = try d.ctlJSON(D.ap, ["case", "approve", caseNo])
        #expect(approved["plan"]?["kind"]?.string == "monthly" && approved["plan"]?["amount"]?.int == 106_000)
        let months = try #require(approved["plan"]?["months"]?.int)
        #expect(months == 12)
        func paid() throws -> Int { try d.ctlJSON(D.au, ["case", "get", caseNo])["payments"]?.array?.count ?? -1 }
        // 2027-02-19: notice passes, instalment 1 paid; then the 10th of each month.
        _ = try d.ctlJSON(nil, ["clock", "advance", "15d"])
        #expect(try paid() == 1)
        // Issue 13.3: the treasurer cannot pay instalment 2 before it falls due (2027-03-10).
        let (early, _, earlyErr) = try d.ctl(D.tr, ["case", "pay", caseNo, "--fund", "monthly", "--instalment", "2"])
        #expect(early == 1 && earlyErr.contains("2027-03-10"), "\(earlyErr)")
        #expect(try paid() == 1)
        _ = try d.ctlJSON(nil, ["clock", "advance", "105d"])  // to 2027-06-04: March, April, May paid
        #expect(try paid() == 4)
        _ = try d.ctlJSON(nil, ["clock", "advance", "10d"])  // 2027-06-14: June due, the fund is dry
        #expect(try paid() == 4)
        #expect(d.log().contains("stays due"))
        _ = try d.ctlJSON(D.tr, ["fund", "deposit", "monthly", "20000", "--memo", "追加"])
        _ = try d.ctlJSON(nil, ["clock", "advance", "1h"])  // the next run pays what stayed due
        #expect(try paid() == 5)
        for _ in 0..<9 { _ = try d.ctlJSON(nil, ["clock", "advance", "31d"]) }  // through March 2028: 13 months in all
        #expect(try paid() == 12)
        #expect(try d.ctlJSON(D.au, ["case", "get", caseNo])["case"]?["state"]?.string == "closed")
        #expect(
            try d.ctlJSON(D.tr, ["fund", "list"])["funds"]?.array?.first?["balance"]?.int == 424_000 + 2_000_000 - 12
                * 106_000)
    }
}

/// The campaign benchmark runs (its timings are printed, never asserted).
@Suite struct CampaignBenchSmokeTests {
    struct Figures: Decodable {
        var households: Int
        var planned: Int
        var leftOut: Int
        var peakRSSMiB: Double
        var planSeconds: Double
    }

    @Test func benchmarkSmoke() throws {
        let (code, out, err) = try LiveDaemon.run(
            [LiveDaemon.bin + "/bangfu-campaign-bench"],
            [
                "--households", "300", "--batch-size", "100", "--json",
                "--plugin-dir", LiveDaemon.bin,
            ])
        #expect(code == 0, "\(err)")
        let f = try JSONDecoder().decode(Figures.self, from: Data(out.utf8))
        #expect(
            f.households == 300 && f.planned + f.leftOut == 300 && f.leftOut > 0 && f.peakRSSMiB > 0
                && f.planSeconds > 0)
    }
}

@Suite(.serialized) struct RecurringTests {
    typealias D = LiveDaemon

    func approvedAndPaid(_ d: LiveDaemon, _ archiveNo: String, _ type: String, _ form: [String]) throws -> String {
        let caseNo = try #require(
            try d.ctlJSON(D.cw, ["case", "file", archiveNo, type] + form.flatMap { ["--form", $0] })["caseNo"]?.string)
        _ = try d.ctlJSON(D.cw, ["case", "submit", caseNo])
        _ = try d.ctlJSON(D.rv, ["case", "pass", caseNo])
        _ = try d.ctlJSON(D.ap, ["case", "approve", caseNo])
        return caseNo
    }

    /// Issue 13.7: help without money is closed by recording the service; the notice shows the
    /// service, not ¥0.00, and the treasurer has nothing to pay.
    @Test func aNonMonetaryCaseIsClosedByRecordingItsService() throws {
        let d = try LiveDaemon(yaml: SchedulerTests.yaml(budget: "0"))
        let a = try #require(
            try d.ctlJSON(D.cw, ["archive", "create", "--file", try D.sampleArchive()])["archiveNo"]?.string)
        let caseNo = try approvedAndPaid(d, a, "legal-aid", ["matter=wage_arrears"])
        let (_, board, _) = try d.ctl(D.au, ["notice", "list"], lang: "zh_CN.UTF-8")
        #expect(board.contains("非资金帮扶") && !board.contains("¥0.00"), "\(board)")
        _ = try d.ctlJSON(nil, ["clock", "advance", "15d"])
        #expect(try d.ctlJSON(D.au, ["case", "get", caseNo])["case"]?["state"]?.string == "disbursing")
        #expect(try d.ctl(D.tr, ["case", "pay", caseNo, "--fund", "f1"]).0 != 0, "nothing to pay")
        let service = ["case", "service", caseNo, "--service", "代写劳动仲裁申请书", "--by", "法律援助律师", "--outcome", "已立案"]
        #expect(try d.ctl(D.tr, service).0 == 4, "the treasurer does not record services")
        let closed = try d.ctlJSON(D.cw, service)
        #expect(closed["state"]?.string == "closed")
        let events = try d.ctlJSON(D.cw, ["case", "get", caseNo])["events"]?.array ?? []
        #expect(events.last?["event"]?.string == "record_service" && events.last?["actor"]?.string == "uid:\(D.cw)")
        #expect(events.last?["comment"]?.string?.contains("已立案") == true)
        #expect(try d.ctlJSON(D.au, ["verify"])["ok"]?.boolValue == true)
    }

    @Test func loanRepaymentsFallDueAndOverdueOnesShow() throws {
        let d = try LiveDaemon(yaml: SchedulerTests.yaml(budget: "0"))
        _ = try d.ctlJSON(
            D.tr,
            [
                "fund", "create", "loans", "--name", "小额借款周转金", "--unit", "county", "--source", "union_funds",
                "--help-type", "micro-loan",
            ])
        _ = try d.ctlJSON(D.tr, ["fund", "deposit", "loans", "50000", "--memo", "周转金"])
        let a = try #require(
            try d.ctlJSON(D.cw, ["archive", "create", "--file", try D.sampleArchive()])["archiveNo"]?.string)
        let caseNo = try approvedAndPaid(
            d, a, "micro-loan", ["purpose=reemployment", "principal_fen=1200000", "term_months=12"])
        _ = try d.ctlJSON(nil, ["clock", "advance", "15d"])  // 2027-02-19: the notice passes, the loan is paid out
        var loans = try d.ctlJSON(D.tr, ["case", "loans"]).array ?? []
        #expect(loans.first?["dueByToday"]?.int == 0 && loans.first?["nextDue"]?.string == "2027-03-10")
        _ = try d.ctlJSON(nil, ["clock", "advance", "51d"])  // 2027-04-11: two repayments due
        _ = try d.ctlJSON(D.tr, ["case", "repay", caseNo, "--amount", "1000", "--fund", "loans"])
        loans = try d.ctlJSON(D.tr, ["case", "loans"]).array ?? []
        #expect(
            loans.first?["dueByToday"]?.int == 200_000 && loans.first?["repaid"]?.int == 100_000
                && loans.first?["overdue"]?.int == 100_000)
        #expect(loans.first?["nextDue"]?.string == "2027-05-10")
        // Issue 13.6: the public accounts show the loan as lent and the repayment as repaid, not as
        // aid paid out or income (columns: opening, deposits, in, repaid, aid paid, lent, out, closing).
        let (_, text, _) = try d.ctl(
            D.au, ["fund", "statement", "--from", "2027-01-01", "--to", "2027-12-31"], lang: "zh_CN.UTF-8")
        let row = try #require(text.split(separator: "\n").first { $0.contains("小额借款周转金") })
        let cells = row.split(separator: " ").map(String.init)
        #expect(text.contains("借出") && text.contains("收回"))
        #expect(
            Array(cells.dropFirst().prefix(8))
                == ["¥0.00", "¥50,000.00", "¥0.00", "¥1,000.00", "¥0.00", "¥12,000.00", "¥0.00", "¥39,000.00"],
            "\(row)")
    }

    @Test func namedDonorGrantsComeBackEachSchoolYearUntilGraduation() throws {
        let d = try LiveDaemon(yaml: SchedulerTests.yaml(budget: "0"))
        _ = try d.ctlJSON(
            D.tr,
            [
                "fund", "create", "donor", "--name", "某企业定向助学", "--unit", "county", "--source", "named_donor",
                "--donor", "某企业",
                "--help-type", "education-aid",
            ])
        _ = try d.ctlJSON(D.tr, ["fund", "deposit", "donor", "30000", "--memo", "捐赠"])
        let archive = try d.ctlJSON(D.cw, ["archive", "create", "--file", try D.sampleArchive()])
        let a = try #require(archive["archiveNo"]?.string)
        let child = try #require(
            archive["archive"]?["members"]?.array?.first { $0["relation"]?.string == "子女" }?["ref"]?.string)
        _ = try approvedAndPaid(
            d, a, "education-aid",
            ["program=named_donor", "student_ref=\(child)", "school_year=2026", "graduation_year=2028"])
        _ = try d.ctlJSON(nil, ["clock", "advance", "15d"])
        func educationCases() throws -> [JSONValue] {
            (try d.ctlJSON(D.au, ["case", "list"]).array ?? []).filter { $0["helpType"]?.string == "education-aid" }
        }
        #expect(try educationCases().count == 1)
        _ = try d.ctlJSON(nil, ["clock", "advance", "210d"])  // 2027-09-17: a new school year
        let cases = try educationCases()
        #expect(cases.count == 2)
        let next = try #require(cases.last)
        #expect(
            next["state"]?.string == "submitted" && next["filedBy"]?.string == "system"
                && next["form"]?["school_year"]?.int == 2027)
        _ = try d.ctlJSON(nil, ["clock", "advance", "1d"])
        #expect(try educationCases().count == 2, "filed once")
    }
}
