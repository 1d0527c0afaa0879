import BangfuCore
import BangfuPluginKit
import Foundation
import Synchronization

/// Plans one occurrence of a campaign: targets deepest hardship first, assesses them through the
/// help type in batches, and records each batch in one transaction until the budget is spent.
/// Resumable: households already decided in the run are skipped.
public struct CampaignPlanner: Sendable {
    public let workflow: Workflow
    /// The rules an approval will check (the yearly cap): a household they would refuse is flagged
    /// at planning, with the reason, instead of being selected and refused in the batch.
    public let hostRules: HostRules
    /// Households per transaction (and per plugin call).
    public let batchSize: Int

    public init(workflow: Workflow, hostRules: HostRules, batchSize: Int = 200) {
        self.workflow = workflow
        self.hostRules = hostRules
        self.batchSize = batchSize
    }

    /// Plans (or resumes) the run of `def` for `holiday`; `progress` is called after each batch.
    @discardableResult
    public func plan(
        _ def: CampaignDefinition, holiday: LocalDate, at now: Date,
        progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> CampaignProgress {
        let store = workflow.store
        let tree = try await store.unitTree()
        let day = workflow.zone.date(of: now)
        // Only the order keys of the targets are kept; archives are read again a batch at a time.
        let keys = Mutex<[CampaignTarget.PriorityKey]>([])
        let target = def.target
        try await store.scanHouseholds(units: tree.units.keys.sorted(), status: .open) { h in
            if target.includes(h, on: day, tree: tree) { keys.withLock { $0.append(CampaignTarget.PriorityKey(h)) } }
        }
        let targets = keys.withLock { $0 }.sorted()
        let run = try await store.startCampaignRun(
            campaignId: def.id, holiday: holiday, budget: def.budget, targeted: targets.count, at: now)
        guard run.state == .planning else { return try await store.campaignProgress(runId: run.id, units: nil) }
        let decided = try await store.campaignDecided(runId: run.id)
        let todo = targets.filter { !decided.contains($0.householdId) }.map(\.householdId)
        var form = def.form.mapValues { FormValue.string($0) }
        // The holiday's occurrence, for help types that count "once per holiday" by it.
        if try workflow.plugins.helpType(def.helpType).descriptor.fields.contains(where: { $0.key == "holiday_date" }) {
            form["holiday_date"] = .string(holiday.description)
        }
        let formJSON = try Workflow.canonical(form)
        var committed = run.committed
        var done = decided.count
        for start in stride(from: 0, to: todo.count, by: batchSize) {
            let batch = try await store.households(ids: Array(todo[start..<min(start + batchSize, todo.count)]))
            let results = try await workflow.assess(households: batch, helpType: def.helpType, form: form, at: now)
            let prior = try await store.caseSummaries(householdIds: batch.map(\.id))
            var entries: [CampaignEntry] = []
            for (h, a) in zip(batch, results) {
                // Kept as people read it: the left-out list says why, by name.
                let reason = a.reasons.map(\.zh).joined(separator: "；")
                guard a.eligible, let plan = a.plan else {
                    entries.append(
                        CampaignEntry(householdId: h.id, outcome: .ineligible, amount: .zero, reason: reason))
                    continue
                }
                let amount = Money(fen: plan.totalFen)
                do {
                    try hostRules.checkApproval(.oneOff(amount), on: day, prior: prior[h.id] ?? [])
                } catch let refused as BangfuError {
                    entries.append(
                        CampaignEntry(householdId: h.id, outcome: .ineligible, amount: .zero, reason: refused.zh))
                    continue
                }
                // Deepest hardship first: once the budget is spent, the rest are left out (and reported).
                if committed + amount > def.budget {
                    entries.append(
                        CampaignEntry(
                            householdId: h.id, outcome: .leftOutBudget, amount: .zero, reason: "预算已用完（按困难程度排序）"))
                } else {
                    committed = committed + amount
                    entries.append(CampaignEntry(householdId: h.id, outcome: .planned, amount: amount, reason: reason))
                }
            }
            _ = try await store.recordCampaignBatch(
                runId: run.id, entries: entries, helpType: def.helpType, formJSON: formJSON,
                visitDue: def.visitDue(for: holiday), at: now)
            done += batch.count
            progress(done, targets.count)
        }
        try await store.finishCampaignRun(runId: run.id, at: now)
        return try await store.campaignProgress(runId: run.id, units: nil)
    }
}
