import BangfuConfig
import BangfuCore
import BangfuWorkflow
import Foundation

extension Runtime {
    /// Campaign occurrences whose holiday has passed with no run: the daemon was down over their
    /// lead days, or the (manual) clock moved past them. Counted from the store's first record, so
    /// a new installation misses nothing before it existed.
    func missedCampaigns() async throws -> [(definition: CampaignDefinition, holiday: LocalDate)] {
        try await Self.missedCampaigns(store: store, config: config, now: clock.now())
    }

    static func missedCampaigns(store: any BangfuStore, config: BangfuConfiguration, now: Date) async throws
        -> [(definition: CampaignDefinition, holiday: LocalDate)]
    {
        guard let first = try await store.firstActivity() else { return [] }
        let zone = config.businessZone
        let today = zone.date(of: now)
        let planned = Set(try await store.campaignRuns().map { run in "\(run.campaignId) \(run.holiday)" })
        return config.campaigns.flatMap { definition in
            definition.occurrences(from: zone.date(of: first), before: today)
                .filter { holiday in !planned.contains("\(definition.id) \(holiday)") }
                .map { holiday in (definition, holiday) }
        }
    }

    /// Plans the occurrence of `campaignId` on `holiday` now: a missed one late, or a planned one
    /// again so that households archived since join it (those already decided stay as they were).
    func replan(campaignId: String, holiday: LocalDate, by actor: Actor) async throws -> CampaignProgress {
        guard let definition = config.campaigns.first(where: { $0.id == campaignId }) else {
            throw RecordRef(.campaignRun, campaignId).notFound
        }
        let tree = try await store.unitTree()
        try actor.requireOnTop(anyOf: [.approver, .admin], in: tree, for: "campaign_replan")
        let now = clock.now()
        let today = config.businessZone.date(of: now)
        guard definition.isOccurrence(holiday) else {
            throw BangfuError(
                .invalidInput, zh: "\(ReadableTime.date(holiday.description, .zh)) 不是“\(definition.name)”的节日",
                en: "\(holiday) is not a holiday of campaign \(campaignId)")
        }
        guard holiday.adding(days: -definition.leadDays) <= today else {
            throw BangfuError(
                .invalidInput, zh: "还没到“\(definition.name)”的规划日（节前 \(definition.leadDays) 天）",
                en: "campaign \(campaignId) is not due for planning yet (\(definition.leadDays) days before)")
        }
        if let run = try await store.campaignRuns().first(where: {
            $0.campaignId == campaignId && $0.holiday == holiday
        }) {
            _ = try await store.reopenCampaignRun(runId: run.id, by: actor, at: now)
        }
        return try await CampaignPlanner(workflow: workflow, hostRules: config.hostRules).plan(
            definition, holiday: holiday, at: now)
    }
}
