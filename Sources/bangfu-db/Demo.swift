import ArgumentParser
import BangfuCLIKit
import BangfuConfig
import BangfuCore
import BangfuStore
import BangfuPluginKit
import BangfuWorkflow
import Synchronization
import Foundation

/// `bangfu-db demo`: a household archived and one case taken through all four stages, each step
/// by a different role, on a manual clock, with the fund debited once.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "演示：建档并把一件申请走完 申请→初审→公示→发放 / Demo: archive a household and take a case through all four stages.")

    @OptionGroup var store: StoreOptions

    @Flag(name: .long, help: "先删除状态目录中已有的演示数据库 / Delete an existing demo database in the state directory first.")
    var fresh = false

    @Option(name: .long, help: "手动时钟起点（业务时区）/ Manual clock start, business zone, YYYY-MM-DDTHH:MM.")
    var start: String = "2027-02-04T09:00"

    struct Step: Encodable {
        var at: Date
        var actor: String
        var role: String
        var action: String
        var detail: String
    }

    struct Report: Encodable {
        var database: String
        var archiveNo: String
        var category: String?
        var caseNo: String
        var finalState: String
        var noticeDeadline: Date?
        var fundBalanceBefore: String
        var fundBalanceAfter: String
        var paidOnce: Bool
        var steps: [Step]
        var verification: VerificationReport
        var publicNotice: [String]
    }

    func run() async throws {
        do { try await demo() } catch { fail(error) }
    }

    func demo() async throws {
        let lang = Language.fromEnvironment
        let zh = lang == .zh
        let cfg = try store.loadConfiguration()
        guard !cfg.units.isEmpty, !cfg.categoryRules.dibao.isEmpty else {
            throw BangfuError(
                .invalidConfig, zh: "演示需要带单位、授权和低保表的配置：请用 --config etc/bangfu.example.yaml",
                en:
                    "the demo needs a configuration with units, grants and a 低保 table: use --config etc/bangfu.example.yaml"
            )
        }
        let zone = cfg.businessZone
        guard let startDay = try? LocalDate(parsing: String(start.prefix(10))), start.count == 16,
            let hh = Int(start.dropFirst(11).prefix(2)), let mm = Int(start.suffix(2))
        else {
            throw BangfuError(
                .invalidDate, zh: "--start 应写成 YYYY-MM-DDTHH:MM", en: "--start must look like YYYY-MM-DDTHH:MM")
        }
        var now = zone.startOfDay(startDay).addingTimeInterval(Double(hh * 3600 + mm * 60))
        if fresh {
            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: store.databasePath + suffix)
            }
        } else if FileManager.default.fileExists(atPath: store.databasePath) {
            throw BangfuError(
                .duplicate, zh: "\(store.databasePath) 已存在：演示只在新数据库上运行，请加 --fresh 或换 --state-dir",
                en:
                    "\(store.databasePath) already exists: the demo runs on a new database; add --fresh or use another --state-dir"
            )
        }
        let db = try await store.openStore(cfg, at: now, create: true)
        // Plugins share the demo's manual clock.
        let clock = Mutex(now)
        let plugins = store.loadPlugins(cfg) { clock.withLock { $0 } }
        guard (try? plugins.helpType("hardship-relief")) != nil else {
            throw BangfuError(
                .notFound, zh: "演示需要帮扶项目插件 hardship-relief：请先 swift build，或用 --plugin-dir 指明目录",
                en: "the demo needs the hardship-relief plugin: run swift build first, or give --plugin-dir")
        }
        let wf = Workflow(
            store: db, plugins: plugins, zone: zone, refs: try await store.personRefs(db, at: now))
        let actor = { (u: String) in cfg.actor(user: u) }
        let caseworker = actor("wangfang"), reviewer = actor("liqiang"), approver = actor("zhaomin"),
            treasurer = actor("chenjing")

        var steps: [Step] = []
        func fmt(_ d: Date) -> String {
            let day = zone.date(of: d)
            let secs = Int(d.timeIntervalSince(zone.startOfDay(day)))
            return
                "\(day) \(secs / 3600 < 10 ? "0" : "")\(secs / 3600):\((secs % 3600) / 60 < 10 ? "0" : "")\((secs % 3600) / 60)"
        }
        func step(_ who: Actor, _ role: Role, _ actionZh: String, _ actionEn: String, _ detail: String) {
            let s = Step(
                at: now, actor: who.id, role: zh ? role.zh : role.rawValue, action: zh ? actionZh : actionEn,
                detail: detail)
            steps.append(s)
            if !store.json { print("[\(steps.count)] \(fmt(now))  \(s.role) \(s.actor)：\(s.action)  \(detail)") }
        }
        func later(minutes: Int) {
            now = now.addingTimeInterval(Double(minutes * 60))
            clock.withLock { [now] in $0 = now }
        }

        if !store.json {
            print(
                zh
                    ? "bangfu 演示：一户一档，申请 → 初审 → 公示 → 发放"
                    : "bangfu demo: one archive, application -> review -> notice -> disbursement")
            print(
                zh
                    ? "数据库：\(store.databasePath)（SQLite WAL，synchronous=\(cfg.synchronousFull ? "FULL" : "NORMAL")）"
                    : "database: \(store.databasePath) (SQLite WAL, synchronous=\(cfg.synchronousFull ? "FULL" : "NORMAL"))"
            )
            print(
                zh
                    ? "时钟：手动（仅演示用），起点 \(fmt(now))（\(zone.identifier)）"
                    : "clock: manual (demo only), starting \(fmt(now)) (\(zone.identifier))")
            for (year, synthetic) in cfg.calendarYears.sorted(by: { $0.key < $1.key }) where synthetic {
                print(
                    zh ? "节假日：\(year) 年为合成测试日历（非官方）" : "holidays: \(year) uses a SYNTHETIC test calendar (not official)"
                )
            }
            print("")
        }

        // Funds: an earmarked account with money in it.
        let fund = FundAccount(
            id: "shinan-hardship", name: zh ? "市南区困难职工帮扶资金" : "Shinan hardship fund", unitId: "shinan",
            source: .unionFunds, helpTypes: ["hardship-relief", "medical-aid"])
        try await db.createFund(fund, by: treasurer, at: now)
        try await db.deposit(
            fundId: fund.id, amount: Money(yuan: 50_000), memo: "2027 年度工会帮扶资金拨付", by: treasurer, at: now)
        let before = try await db.balance(fundId: fund.id)
        step(
            treasurer, .treasurer, "建立专款账户并入账", "created an earmarked fund and deposited",
            "\(fund.id)（\(fund.source.zh)，\(zh ? "专款" : "earmarked for") \(fund.helpTypes.joined(separator: ", "))）\(before)"
        )

        // The archive (一户一档).
        later(minutes: 30)
        let head = Person(
            name: "张三明", idNumber: IDNumber.synthetic(index: 7_001), politicalStatus: .partyMember,
            workStatus: .laidOff, employer: "市南区纺织厂", hukouRegion: "370202", health: "慢性病",
            phone: "13800000000", bankAccount: "6222000000000000001")
        let input = ArchiveInput(
            unitId: "shinan-textile", region: "370202", head: head,
            members: [
                Member(
                    name: "李秀兰", idNumber: IDNumber.synthetic(index: 7_002), relation: "spouse", health: "重病",
                    monthlyIncome: .zero, status: "unemployed"),
                Member(
                    name: "张小雨", idNumber: IDNumber.synthetic(index: 7_003), relation: "child", status: "student",
                    schoolOrEmployer: "青岛某中学"),
            ],
            annualIncome: try Money(parsing: "36000"), rigidExpenses: try Money(parsing: "8400"),
            mainCause: "serious_illness", secondaryCauses: ["laid_off", "children_schooling"],
            fiveClears: FiveClears(
                family: "三口之家，配偶重病", cause: "配偶重病，本人下岗", stateOfMind: "积极", employmentWish: "希望再就业", skills: "纺织机修"),
            urgentNeeds: "配偶住院费用", builtBy: "王芳", checkedBy: "李强")
        let h = try await db.createArchive(input, by: caseworker, at: now)
        step(
            caseworker, .caseworker, "建档", "archived the household",
            "\(h.archiveNo)：\(maskedName(head.name))，\(input.size) \(zh ? "口人" : "people")，\(zh ? "类别" : "category") \(h.assessment.category.map { zh ? $0.zh : $0.rawValue } ?? "-")（\(zh ? h.assessment.reasonZh : h.assessment.reasonEn)）"
        )

        // Application.
        later(minutes: 20)
        var c = try await wf.fileCase(
            householdId: h.id, helpType: "hardship-relief",
            form: ["cause": .string("serious_illness"), "description": .string("配偶重病住院")], by: caseworker, at: now)
        c = try await db.apply(.submit, toCase: c.id, by: caseworker, at: now).helpCase
        let helpName =
            zh
            ? try plugins.helpType("hardship-relief").descriptor.nameZh
            : try plugins.helpType("hardship-relief").descriptor.nameEn
        step(
            caseworker, .caseworker, "代为申请并提交", "filed and submitted the application",
            "\(c.caseNo) \(helpName)（hardship-relief）→ \(c.state.rawValue)")

        // Branch review (home visit done).
        later(minutes: 120)
        c = try await db.apply(.passReview(comment: "已入户走访，情况属实"), toCase: c.id, by: reviewer, at: now).helpCase
        step(reviewer, .reviewer, "入户走访后初审通过", "passed the branch review after a home visit", "→ \(c.state.rawValue)")

        // Separation of duties, shown: the reviewer cannot approve.
        do {
            _ = try await wf.approve(caseId: c.id, by: reviewer, at: now)
        } catch let e as BangfuError {
            if !store.json {
                print(
                    "    \(zh ? "初审人 \(reviewer.id) 试图审批同一案件，被拒绝" : "the reviewer \(reviewer.id) tried to approve the same case and was refused")：\(e.message(lang)) [\(e.code)]"
                )
            }
        }

        // Approval opens the public notice.
        later(minutes: 60)
        let assessment = try await wf.assess(caseId: c.id, at: now)
        c = try await wf.approve(caseId: c.id, by: approver, at: now).helpCase
        let deadline = c.noticeDeadline
        let days = c.notice.map { $0.days(cfg.calendar).map(\.description).joined(separator: ", ") } ?? ""
        step(
            approver, .approver, "按帮扶项目测算审批 \(c.plan!.total)，开始公示",
            "approved \(c.plan!.total) as the help type computed; notice opened",
            "\(assessment.reasons.map { zh ? $0.zh : $0.en }.joined(separator: "; "))；\(zh ? "公示工作日" : "notice working days")：\(days)；\(zh ? "届满" : "passes at") \(deadline.map(fmt) ?? "-")"
        )
        let noticeLine = "\(maskedName(head.name))  市南区纺织厂工会  \(helpName)  \(c.plan!.total)"
        if !store.json { print("    \(zh ? "公示名单" : "public notice")：\(noticeLine)") }

        // The manual clock moves to the deadline; the daemon's timer would fire here.
        if let deadline {
            now = deadline
            clock.withLock { [now] in $0 = now }
        }
        for id in try await db.casesWithNoticeDue(at: now) {
            _ = try await db.apply(.noticeElapsed, toCase: id, by: .system, at: now)
            c = try await db.apply(.scheduleDisbursement, toCase: id, by: .system, at: now).helpCase
        }
        step(
            .system, .system, "公示期满无异议，生成发放", "notice passed with no objection; disbursement created",
            "→ \(c.state.rawValue)")

        // Disbursement, and a retry that pays nothing more.
        later(minutes: 9 * 60)
        let paid = try await wf.pay(caseId: c.id, instalment: 1, fund: fund.id, by: treasurer, at: now)
        c = paid.helpCase
        step(
            treasurer, .treasurer, "实名发放", "paid to the named person",
            "\(paid.disbursement!.amount) \(zh ? "自" : "from") \(fund.id) → \(c.state.rawValue)")
        let retry = try await wf.pay(caseId: c.id, instalment: 1, fund: fund.id, by: treasurer, at: now)
        let after = try await db.balance(fundId: fund.id)
        if !store.json {
            print(
                "    \(zh ? "重复发放请求" : "repeated payment request")：\(retry.disbursement?.alreadyPaid == true ? (zh ? "已发放过，未重复扣款" : "already paid, nothing debited") : "?")"
            )
            print("")
            print(zh ? "案件 \(c.caseNo) 流转记录：" : "case \(c.caseNo) history:")
            var table = TextTable(
                headers: zh ? ["时间", "操作人", "事件", "状态变化", "说明"] : ["time", "actor", "event", "transition", "comment"])
            for e in try await db.caseEvents(id: c.id) {
                table.add([
                    fmt(e.at), e.actor, e.event.rawValue,
                    zh ? "\(e.from.zh) → \(e.to.zh)" : "\(e.from.rawValue) -> \(e.to.rawValue)", e.comment ?? "",
                ])
            }
            print(table.render())
            print("")
            let day = zone.date(of: now)
            var st = TextTable(
                headers: zh
                    ? ["资金账户", "来源", "期初", "收入", "支出", "期末", "受助户数"]
                    : ["fund", "source", "opening", "income", "paid out", "closing", "households"],
                rightAligned: [2, 3, 4, 5, 6])
            for s in try await db.statement(from: LocalDate(year: day.year, month: 1, day: 1)!, to: day) {
                st.add([
                    s.fundName, zh ? s.source.zh : s.source.rawValue, "\(s.opening)",
                    "\(s.deposits + s.transfersIn + s.repayments)",
                    "\(s.disbursements + s.loansOut + s.transfersOut)", "\(s.closing)", String(s.recipients),
                ])
            }
            print(zh ? "帐务公开（\(day.year)-01-01 至 \(day)）：" : "public accounts (\(day.year)-01-01 to \(day)):")
            print(st.render())
            print("")
            print(zh ? "资金余额：\(before) → \(after)（扣款一次）" : "fund balance: \(before) -> \(after) (debited once)")
        }
        let report = try await db.verify()
        if store.json {
            printJSON(
                Report(
                    database: store.databasePath, archiveNo: h.archiveNo, category: h.assessment.category?.rawValue,
                    caseNo: c.caseNo, finalState: c.state.rawValue, noticeDeadline: deadline,
                    fundBalanceBefore: before.plain, fundBalanceAfter: after.plain,
                    paidOnce: (before - after) == c.plan!.total && retry.disbursement?.alreadyPaid == true,
                    steps: steps, verification: report, publicNotice: [noticeLine]))
        } else {
            print(
                zh
                    ? "审计链：\(report.auditRows) 条记录，\(report.ok ? "校验通过" : "校验失败：\(report.problems.joined(separator: "; "))")"
                    : "audit chain: \(report.auditRows) rows, \(report.ok ? "verified" : "FAILED: \(report.problems.joined(separator: "; "))")"
            )
        }
        if !report.ok { throw ExitCode(2) }
    }
}
