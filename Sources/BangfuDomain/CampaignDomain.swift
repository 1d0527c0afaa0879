import BangfuCore
import Foundation

/// Every decision of a holiday-visit campaign: the run for each occurrence of a holiday, who is
/// planned within the budget and who is left out, the system's cases, batch review and approval by
/// unit, recorded visits, closing.
public enum CampaignDomain {
    /// The run of a campaign for a holiday, created (once) when missing.
    public static func start(
        _ work: some UnitOfWork, campaignId: String, holiday: LocalDate, budget: Money, targeted: Int, at: Date
    )
        throws -> CampaignRun
    {
        _ = try budget.bounded(field: "budget", minimum: 0)
        let (run, inserted) = try work.campaignRun(
            campaignId: campaignId, holiday: holiday, budget: budget, targeted: targeted, at: at)
        if inserted {
            try work.audit(
                at: at, actor: Actor.system.id, action: "campaign_start", entity: "campaign_run",
                entityId: "\(campaignId)@\(holiday)")
        }
        return run
    }

    /// One batch of planning: the planned get a system-filed, submitted case and a visit (by their
    /// paired helper, else the unit's pool) while the budget lasts; the others a line saying why.
    /// A household already decided (a batch repeated after a crash) is not decided twice.
    public static func recordBatch(
        _ work: some UnitOfWork, runId: Int64, entries: [CampaignEntry], helpType: String, formJSON: String,
        visitDue: LocalDate, at: Date, policy: Policy
    ) throws -> CampaignRun {
        guard var run = try work.campaignRun(id: runId) else { throw RecordRef(.campaignRun, "#\(runId)").notFound }
        guard run.state == .planning else { return run }
        for entry in entries where try !work.isCampaignMember(runId: runId, householdId: entry.householdId) {
            var outcome = entry.outcome
            var reason: String? = entry.reason
            if outcome == .planned, try run.committed.adding(entry.amount, "budget") > run.budget {
                outcome = .leftOutBudget
                reason = "budget"
            }
            var caseId: Int64?
            if outcome == .planned {
                let application = CaseApplication(helpType: helpType, formJSON: formJSON)
                let filed = try CaseDomain.fileCase(
                    work, householdId: entry.householdId, application: application, by: .system, at: at,
                    policy: policy)
                _ = try CaseDomain.apply(work, .submit, toCase: filed.id, by: .system, at: at, policy: policy)
                caseId = filed.id
                run.committed = try run.committed.adding(entry.amount, "budget")
                let visitor = try entry.visitor ?? work.pairedHelper(householdId: entry.householdId)
                _ = try work.insertVisit(
                    householdId: entry.householdId, unitId: filed.unitId, runId: runId, visitor: visitor,
                    dueOn: visitDue, mustVisitEvent: nil, note: nil)
            }
            try work.insertCampaignMember(
                runId: runId, householdId: entry.householdId, outcome: outcome, caseId: caseId,
                amount: outcome == .planned ? entry.amount : .zero, reason: reason)
        }
        try work.setCampaignRun(id: runId, state: run.state, committed: run.committed)
        try work.audit(
            at: at, actor: Actor.system.id, action: "campaign_batch", entity: "campaign_run", entityId: String(runId))
        return run
    }

    public static func finishPlanning(_ work: some UnitOfWork, runId: Int64, at: Date) throws {
        guard let run = try work.campaignRun(id: runId), run.state == .planning else { return }
        try work.setCampaignRun(id: runId, state: .planned, committed: run.committed)
        try work.audit(
            at: at, actor: Actor.system.id, action: "campaign_planned", entity: "campaign_run", entityId: String(runId))
    }

    /// Closing a run (its planned visits cancelled) is for an approver of a top unit.
    public static func close(_ work: some UnitOfWork, runId: Int64, by actor: Actor, at: Date) throws {
        let tree = try work.unitTree()
        guard let run = try work.campaignRun(id: runId) else { throw RecordRef(.campaignRun, "#\(runId)").notFound }
        try actor.requireOnTop(anyOf: [.approver, .admin], in: tree, for: "campaign_close")
        guard run.state == .planned else {
            throw BangfuError(
                .invalidInput, zh: "活动尚未规划完成或已关闭", en: "the campaign run is still planning or already closed")
        }
        try work.setCampaignRun(id: runId, state: .closed, committed: run.committed)
        try work.cancelPlannedVisits(runId: runId)
        try work.audit(
            at: at, actor: actor.id, action: "campaign_close", entity: "campaign_run", entityId: String(runId))
    }

    /// A planned run opened again for planning (households archived since join it), by an approver
    /// or admin on a top unit: planning covers every unit. Returns the run.
    public static func reopen(_ work: some UnitOfWork, runId: Int64, by actor: Actor, at: Date) throws -> CampaignRun {
        let tree = try work.unitTree()
        guard let run = try work.campaignRun(id: runId) else { throw RecordRef(.campaignRun, "#\(runId)").notFound }
        try actor.requireOnTop(anyOf: [.approver, .admin], in: tree, for: "campaign_replan")
        guard run.state != .closed else {
            throw BangfuError(
                .invalidInput, zh: "活动已关闭，不能再增加家庭", en: "the campaign run is closed; no households join it")
        }
        guard run.state == .planned else { return run }
        try work.setCampaignRun(id: runId, state: .planning, committed: run.committed)
        try work.audit(
            at: at, actor: actor.id, action: "campaign_replan", entity: "campaign_run", entityId: String(runId))
        var reopened = run
        reopened.state = .planning
        return reopened
    }

    /// One event to every case of the run in `unit`'s subtree that is in `state` (batch review or
    /// approval), by a holder of one of `roles` on `unit`, each case through the same rules as a single case.
    public static func applyToRun(
        _ work: some UnitOfWork, runId: Int64, unit: String, from state: CaseState, roles: Set<Role>,
        event: (HelpCase, Money) -> CaseEvent, by actor: Actor, at: Date, policy: Policy, dryRun: Bool = false
    ) throws -> CampaignBatchResult {
        let tree = try work.unitTree()
        _ = try tree.require(unit)
        // The whole unit first: a batch never reaches into units where the caller holds no `roles`
        // (nor tells it which cases are there).
        try actor.require(anyOf: roles, on: unit, in: tree, for: "campaign_batch")
        guard try work.campaignRun(id: runId) != nil else { throw RecordRef(.campaignRun, "#\(runId)").notFound }
        let cases = try work.campaignCases(runId: runId, units: tree.subtree(of: unit), state: state)
        var done = 0
        var failed: [CampaignBatchResult.Failure] = []
        var items: [CampaignBatchResult.Item] = []
        for (caseId, amount) in cases {
            let helpCase = try work.helpCase(id: caseId)
            let archiveNo = try work.household(id: helpCase.householdId).archiveNo
            let item = CampaignBatchResult.Item(caseNo: helpCase.caseNo, archiveNo: archiveNo, amount: amount)
            // Asked first (a confirmation): what it would do, nothing done.
            if dryRun {
                items.append(item)
                continue
            }
            do {
                _ = try work.undoingOnError {
                    try CaseDomain.apply(
                        work, event(helpCase, amount), toCase: caseId, by: actor, at: at, policy: policy)
                }
                done += 1
                items.append(item)
            } catch let error as BangfuError {
                failed.append(.init(caseNo: helpCase.caseNo, code: error.code.rawValue, zh: error.zh, en: error.en))
            }
        }
        return CampaignBatchResult(done: done, failed: failed, items: items)
    }

    /// A planned visit recorded as done: by its visitor, or a helper, caseworker or branch reviewer
    /// (入户核查) of its unit. (Must-visits, `Care.RecordVisit`, keep to helpers and caseworkers.)
    public static func recordVisit(_ work: some UnitOfWork, id: Int64, note: String, by actor: Actor, at: Date) throws
        -> Visit
    {
        let record = RecordRef(.visit, "#\(id)")
        guard let visit = try work.visit(id: id) else { throw record.notFound }
        if visit.visitor != actor.id {
            try actor.require(
                anyOf: [.helper, .caseworker, .reviewer], on: record, unit: visit.unitId, in: try work.unitTree(),
                for: "record_visit")
        }
        guard visit.status == "planned" else {
            throw BangfuError(
                .invalidInput, zh: "走访 #\(id) 已是 \(visit.status) 状态", en: "visit #\(id) is already \(visit.status)")
        }
        let done = try work.markVisited(id: id, by: actor.id, at: at, note: note)
        try work.audit(at: at, actor: actor.id, action: "visit", entity: "visit", entityId: String(id))
        return done
    }
}
