import BangfuConfig
import BangfuCore
import BangfuPluginKit
import BangfuSystemd
import BangfuWorkflow
import Foundation
import Logging
import ServiceLifecycle

/// Everything the daemon does on time by itself: passed notices, campaign planning, monthly
/// instalments. Each is derived from what the store holds, so it is durable and fires what fell
/// due while the daemon was stopped, once. Runs are queued: a clock advance and the scheduler
/// service never work at the same time.
actor Scheduler {
    let store: any BangfuStore
    let clock: DaemonClock
    let logger: Logger
    /// The live workflow and configuration (both change on reload).
    let settings: @Sendable () -> (Workflow, BangfuConfiguration)
    /// Households per planning transaction.
    let batchSize: Int
    private var last: Task<Void, Never>?
    /// The business day the daily work (refiling, retention, reply expiry) last ran on.
    private var lastDailyRun: LocalDate?
    /// Signs the audit head and writes it to the journal (`Runtime.checkpoint`).
    let checkpoint: @Sendable () async -> Void
    /// When the next timed checkpoint is due (`audit.checkpoint_minutes` after the last).
    private var nextCheckpoint: Date?
    /// Missed campaign occurrences already written to the journal (once each per run of bangfud).
    private var reportedMissed: Set<String> = []
    /// Whether this instance may run the time-driven work now (several instances on one database:
    /// only the one holding the leader's lock does; `Runtime.leadership`). Nil: it always does.
    let leads: (@Sendable () async -> Bool)?
    /// What the last run found: whether this instance led.
    private(set) var leading = true
    /// Whether the lead was asked for yet (the first answer is logged too).
    private var asked = false

    init(
        store: any BangfuStore, clock: DaemonClock, logger: Logger, batchSize: Int = 200,
        leads: (@Sendable () async -> Bool)? = nil,
        checkpoint: @escaping @Sendable () async -> Void,
        settings: @escaping @Sendable () -> (Workflow, BangfuConfiguration)
    ) {
        self.store = store
        self.clock = clock
        self.logger = logger
        self.batchSize = batchSize
        self.checkpoint = checkpoint
        self.settings = settings
        self.leads = leads
    }

    /// Does what is due now, after any run already under way.
    func fireDue() async {
        let previous = last
        let run = Task {
            _ = await previous?.value
            await self.fire()
        }
        last = run
        await run.value
    }

    private func fire() async {
        let leadsNow = await leads?() ?? true
        if leads != nil && (leadsNow != leading || !asked) {
            logger.notice(
                leadsNow
                    ? "this instance now leads the scheduled work (notices, campaigns, instalments, retention)"
                    : "another instance leads the scheduled work; this one serves calls only")
        }
        leading = leadsNow
        asked = true
        guard leadsNow else { return }
        let now = clock.now()
        let (workflow, config) = settings()
        // A signed head in the journal at least every checkpoint_minutes (on the daemon's clock).
        let interval = TimeInterval(config.checkpointMinutes * 60)
        switch nextCheckpoint {
        case nil: nextCheckpoint = now.addingTimeInterval(interval)  // the start wrote one already
        case let due? where now >= due:
            await checkpoint()
            nextCheckpoint = now.addingTimeInterval(interval)
        default: break
        }
        do {
            try await passNotices(now, workflow: workflow, config: config)
            try await planCampaigns(now, workflow: workflow, config: config)
            try await payMonthly(now, workflow: workflow, config: config)
            // Work that looks at whole tables: once a business day is enough.
            let today = config.businessZone.date(of: now)
            if lastDailyRun != today {
                try await daily(today, now, workflow: workflow, config: config)
                try await reportMissedCampaigns(now, config: config)
                lastDailyRun = today
            }
        } catch {
            logger.error("scheduler: \(error)")
        }
    }

    /// Named-donor grants filed again for the new school year, the personal data of archives past
    /// their retention erased, and stored replies past `request_log.reply_days` dropped.
    func daily(_ today: LocalDate, _ now: Date, workflow: Workflow, config: BangfuConfiguration) async throws {
        for c in try await workflow.refileDonorGrants(today: today, schoolYearStart: (9, 1), at: now) {
            logger.info(
                "next school year's named-donor grant filed for review",
                metadata: ["CASE_ID": "\(c.caseNo)", "HELP_TYPE": "\(c.helpType)"])
        }
        for household in try await store.eraseExpiredArchives(at: now) {
            logger.notice(
                "personal data erased: closed \(config.retentionYears) years or more",
                metadata: ["ARCHIVE_NO": "\(household.archiveNo)"])
        }
        let replyCutoff = config.businessZone.startOfDay(today.adding(days: -config.replyDays))
        let expired = try await store.expireReplies(before: replyCutoff, at: now)
        if expired > 0 { logger.info("\(expired) stored replies expired (request_log.reply_days \(config.replyDays))") }
    }

    /// Runs `body` for every item with at most `width` in flight; the first error is thrown after the rest finish.
    static func concurrently<T: Sendable>(
        _ items: [T], width: Int = 64, _ body: @escaping @Sendable (T) async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            var firstError: Error?
            while next < min(width, items.count) {
                let item = items[next]
                group.addTask { try await body(item) }
                next += 1
            }
            while let result = await group.nextResult() {
                if case .failure(let e) = result, firstError == nil { firstError = e }
                if next < items.count {
                    let item = items[next]
                    group.addTask { try await body(item) }
                    next += 1
                }
            }
            if let firstError { throw firstError }
        }
    }

    func allUnits() async throws -> [String] { try await store.unitTree().units.keys.sorted() }

    /// Passed notices move on and get their disbursement (paid at once when configured).
    func passNotices(_ now: Date, workflow: Workflow, config: BangfuConfiguration) async throws {
        // Many cases at once, so their writes share commits (group commit); each case is its own transaction.
        let store = self.store, logger = self.logger
        try await Self.concurrently(try await store.casesWithNoticeDue(at: now)) { id in
            let c = try await store.apply(.noticeElapsed, toCase: id, by: .system, at: now).helpCase
            logger.info("notice passed", metadata: ["CASE_ID": "\(c.caseNo)", "HELP_TYPE": "\(c.helpType)"])
        }
        try await Self.concurrently(try await store.cases(units: try await allUnits(), state: .noticePassed)) { c in
            // One case's failure is reported and does not stop the others.
            do { try await self.disburse(c, now, workflow: workflow, config: config) } catch {
                logger.error(
                    "disbursement not created: \(error)",
                    metadata: ["CASE_ID": "\(c.caseNo)", "HELP_TYPE": "\(c.helpType)"])
            }
        }
    }

    func disburse(_ c: HelpCase, _ now: Date, workflow: Workflow, config: BangfuConfiguration) async throws {
        let d = try await store.apply(.scheduleDisbursement, toCase: c.id, by: .system, at: now).helpCase
        let meta: Logger.Metadata = ["CASE_ID": "\(d.caseNo)", "HELP_TYPE": "\(d.helpType)"]
        if config.payAtNoticeEnd, (d.plan?.instalments ?? 0) > 0 {
            // A campaign's own fund first, when it names one.
            if let campaign = try await store.campaignOf(caseId: d.id),
                let fund = config.campaigns.first(where: { $0.id == campaign })?.fund
            {
                do {
                    _ = try await workflow.pay(caseId: d.id, instalment: 1, fund: fund, by: .system, at: now)
                    logger.info("paid at the end of the notice from the campaign's fund \(fund)", metadata: meta)
                    return
                } catch let e as BangfuError {
                    logger.warning(
                        "the campaign's fund \(fund) cannot pay (\(e.en)); it waits for the treasurer", metadata: meta)
                    return
                }
            }
            if let paid = try await workflow.payFromNearestFund(caseId: d.id, at: now), let p = paid.disbursement {
                logger.info("paid at the end of the notice from \(p.fundId)", metadata: meta)
                return
            }
            logger.warning("no fund can pay this case now; it waits for the treasurer", metadata: meta)
        } else {
            logger.info("disbursement waiting for the treasurer", metadata: meta)
        }
    }

    /// Plans every campaign whose lead day has come, once per holiday, in batches that each commit;
    /// a run interrupted by a crash resumes after the households it already decided.
    func planCampaigns(_ now: Date, workflow: Workflow, config: BangfuConfiguration) async throws {
        let today = config.businessZone.date(of: now)
        var due: [(CampaignDefinition, LocalDate)] = []
        for def in config.campaigns {
            for holiday in def.occurrencesDue(on: today) { due.append((def, holiday)) }
        }
        let runs = try await store.campaignRuns()
        for r in runs where r.state == .planning {
            if let def = config.campaigns.first(where: { $0.id == r.campaignId }),
                !due.contains(where: { $0.0.id == def.id && $0.1 == r.holiday })
            {
                due.append((def, r.holiday))
            }
        }
        for (def, holiday) in due {
            if let r = runs.first(where: { $0.campaignId == def.id && $0.holiday == holiday }), r.state != .planning {
                continue
            }
            try await plan(def, holiday: holiday, at: now, workflow: workflow)
        }
    }

    /// A holiday that passed with no run is said, not skipped silently (status and campaign list
    /// too). One can only become missed when the business day changes: checked with the daily work.
    func reportMissedCampaigns(_ now: Date, config: BangfuConfiguration) async throws {
        for missed in try await Runtime.missedCampaigns(store: store, config: config, now: now)
        where reportedMissed.insert("\(missed.definition.id) \(missed.holiday)").inserted {
            logger.warning(
                "campaign \(missed.definition.id) for \(missed.holiday) was missed: its holiday passed with no run (bangfud was down or the clock moved past its lead days); bangfuctl campaign replan \(missed.definition.id) --holiday \(missed.holiday) plans it late",
                metadata: ["CAMPAIGN": "\(missed.definition.id)", "HOLIDAY": "\(missed.holiday)"])
        }
    }

    func plan(_ def: CampaignDefinition, holiday: LocalDate, at now: Date, workflow: Workflow) async throws {
        let meta: Logger.Metadata = ["CAMPAIGN": "\(def.id)", "HOLIDAY": "\(holiday)"]
        logger.info("planning \(def.name) for \(holiday)", metadata: meta)
        let name = def.name, id = def.id
        let rules = settings().1.hostRules
        let p = try await CampaignPlanner(workflow: workflow, hostRules: rules, batchSize: batchSize).plan(
            def, holiday: holiday, at: now
        ) { done, total in
            Systemd.status("规划 \(name) \(holiday)：\(done)/\(total) 户 / planning \(id): \(done)/\(total)")
        }
        logger.info(
            "planned \(def.name) for \(holiday): \(p.planned) planned, \(p.leftOut) left out by the budget, \(p.ineligible) not eligible; budget left \(p.budgetLeft)",
            metadata: meta)
        Systemd.status("就绪 / ready")
    }

    /// Monthly instalments after the first fall due on the configured day; a month the fund cannot
    /// pay stays due (and is reported) until one can.
    func payMonthly(_ now: Date, workflow: Workflow, config: BangfuConfiguration) async throws {
        let today = config.businessZone.date(of: now)
        for c in try await store.cases(units: try await allUnits(), state: .active) {
            guard case .monthly(_, let months)? = c.plan else { continue }
            do {
                try await payMonthly(c, months: months, today: today, now: now, workflow: workflow, config: config)
            } catch {
                logger.error(
                    "monthly payment failed: \(error)",
                    metadata: ["CASE_ID": "\(c.caseNo)", "HELP_TYPE": "\(c.helpType)"])
            }
        }
    }

    func payMonthly(
        _ c: HelpCase, months: Int, today: LocalDate, now: Date, workflow: Workflow, config: BangfuConfiguration
    ) async throws {
        var current = c
        while current.state == .active && current.instalmentsPaid < months {
            guard let due = try await nextMonthlyDue(current, payDay: config.monthlyPayDay, zone: config.businessZone),
                due <= today
            else { break }
            let meta: Logger.Metadata = ["CASE_ID": "\(c.caseNo)", "HELP_TYPE": "\(c.helpType)"]
            guard let paid = try await workflow.payFromNearestFund(caseId: c.id, at: now) else {
                logger.warning(
                    "monthly instalment \(current.instalmentsPaid + 1) due \(due) cannot be paid: no fund holds enough; it stays due",
                    metadata: meta)
                break
            }
            logger.info("paid monthly instalment \(paid.helpCase.instalmentsPaid) (due \(due))", metadata: meta)
            current = paid.helpCase
        }
    }

    /// When the case's next monthly instalment falls due (`PaymentPlan.monthlyDue`).
    func nextMonthlyDue(_ c: HelpCase, payDay: Int, zone: BusinessZone) async throws -> LocalDate? {
        guard c.instalmentsPaid >= 1, let first = try await store.disbursements(caseId: c.id).first else { return nil }
        return PaymentPlan.monthlyDue(
            instalment: c.instalmentsPaid + 1, firstPaidOn: zone.date(of: first.paidAt), payDay: payDay)
    }

    /// When something falls due next, for the timer (nil: nothing scheduled).
    func nextWake() async -> Date? {
        let (_, config) = settings()
        let zone = config.businessZone
        let today = zone.date(of: clock.now())
        var candidates: [Date] = nextCheckpoint.map { [$0] } ?? []
        if let d = try? await store.nextNoticeDeadline() { candidates.append(d) }
        for def in config.campaigns {
            if let lead = def.nextLeadDay(after: today) { candidates.append(zone.startOfDay(lead)) }
        }
        if let active = try? await store.cases(units: try await allUnits(), state: .active) {
            for c in active {
                if let due = try? await nextMonthlyDue(c, payDay: config.monthlyPayDay, zone: zone) {
                    candidates.append(zone.startOfDay(due))
                }
            }
        }
        // A new school year (named-donor grants are filed again).
        if let sept = LocalDate(year: today.month >= 9 ? today.year + 1 : today.year, month: 9, day: 1) {
            candidates.append(zone.startOfDay(sept))
        }
        return candidates.min()
    }
}

/// Sleeps until the next due time (no polling), does what is due, and wakes early when the clock
/// moves or a call may have armed something new.
struct SchedulerService: Service {
    let runtime: Runtime

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await runtime.scheduler.fireDue()
                var timeout: Duration?
                if await !runtime.scheduler.leading {
                    // Not the leader: try again within the takeover bound, whatever the clock.
                    timeout = .seconds(runtime.snapshot.config.leaderTakeoverSeconds)
                } else if !runtime.clock.isManual {
                    let next = await runtime.scheduler.nextWake()
                    // At most an hour at a time, in case the wall clock jumps.
                    let seconds = next.map { max(0, min(3600, $0.timeIntervalSince(runtime.clock.now()))) } ?? 3600
                    timeout = .milliseconds(Int64(seconds * 1000) + 5)
                }
                await runtime.clock.wake.wait(timeout: timeout)
                // Every mutating call pokes the scheduler; under load, gather the pokes of a quarter
                // second into one run instead of one run per call. (A clock advance does not wait:
                // AdvanceClock fires what is due itself.)
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
    }
}
