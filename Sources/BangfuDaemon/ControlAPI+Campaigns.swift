import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation

extension Wire.Campaigns.Run {
    init(_ run: CampaignRun) {
        self.init(
            id: run.id, campaignId: run.campaignId, holiday: run.holiday.description, state: run.state.rawValue,
            budget: run.budget.fen, committed: run.committed.fen, targeted: Int64(run.targeted))
    }
}

extension ControlAPI {
    func campaigns() -> VarlinkInterface {
        let runtime = self.runtime
        let store = runtime.store
        let clock = runtime.clock
        let staff: Set<Role> = [.caseworker, .reviewer, .approver, .treasurer, .auditor, .helper, .admin]
        let leftOutReaders: Set<Role> = [.caseworker, .reviewer, .approver, .auditor, .admin]
        let methods: [(String, VarlinkMethod)] = [
            method(Wire.Campaigns.Definitions.self, roles: staff) { _, _ in
                let today = runtime.config.businessZone.date(of: clock.now())
                return .init(
                    campaigns: runtime.config.campaigns.map { definition in
                        let next = [today.year, today.year + 1].compactMap { year in definition.holiday.date(in: year) }
                            .filter { date in date >= today }.min()
                        let rule: String =
                            switch definition.holiday {
                            case .gregorian(let month, let day): "gregorian:\(month)-\(day)"
                            case .lunar(let month, let day): "lunar:\(month)-\(day)"
                            case .window(let fromMonth, let fromDay, let toMonth, let toDay):
                                "window:\(fromMonth)-\(fromDay)..\(toMonth)-\(toDay)"
                            }
                        return Wire.Campaigns.Definition(
                            id: definition.id, name: definition.name, holiday: rule,
                            leadDays: Int64(definition.leadDays), helpType: definition.helpType,
                            budget: definition.budget.fen, nextHoliday: next?.description)
                    })
            },
            method(Wire.Campaigns.List.self, roles: staff) { _, _ in
                .init(
                    runs: try await store.campaignRuns().map(Wire.Campaigns.Run.init),
                    missed: try await runtime.missedCampaigns().map { missed in
                        Wire.Campaigns.Missed(campaignId: missed.definition.id, holiday: missed.holiday.description)
                    })
            },
            method(Wire.Campaigns.Progress.self, roles: staff) { actor, call in
                let units = try await readableUnits(actor, roles: staff, under: call.unit)
                let progress = try await store.campaignProgress(runId: call.runId, units: units)
                return .init(progress: Wire.Campaigns.RunProgress(progress))
            },
            method(Wire.Campaigns.Replan.self, roles: [.approver, .admin]) { actor, call in
                let holiday = try LocalDate(parsing: call.holiday)
                let progress = try await runtime.replan(campaignId: call.campaignId, holiday: holiday, by: actor)
                runtime.clock.poke()
                return .init(progress: Wire.Campaigns.RunProgress(progress))
            },
            listing(Wire.Campaigns.LeftOut.self, roles: leftOutReaders) { actor, call in
                let page = try Page(limit: call.limit, after: call.after, keyLength: 3)
                // Only households of units the caller holds one of these roles on.
                let units = try await readableUnits(actor, roles: leftOutReaders, under: nil)
                let outcome =
                    try call.outcome.map { text -> CampaignOutcome in
                        guard let outcome = CampaignOutcome(rawValue: text), outcome != .planned else {
                            throw VarlinkError.invalidParameter("outcome")
                        }
                        return outcome
                    } ?? .leftOutBudget
                let (members, next) = page.cut(
                    try await store.campaignMembers(runId: call.runId, outcome: outcome, units: units, page: page)
                ) { household, _, _ in
                    let key = CampaignTarget.PriorityKey(household)
                    return [Int64(key.rank), key.perCapitaFen, key.householdId]
                }
                return ControlAPI.paged(members, next: next) { household, _, reason in
                    .init(
                        household: Wire.Campaigns.LeftOutHousehold(
                            archiveNo: household.archiveNo, name: maskedName(household.input.head.name),
                            unitId: household.input.unitId, category: household.assessment.category?.rawValue,
                            outcome: outcome.rawValue, reason: reason))
                }
            },
            listing(Wire.Campaigns.Visits.self, roles: staff) { actor, call in
                let page = try Page(limit: call.limit, after: call.after, keyLength: 2)
                let units = try await readableUnits(actor, roles: staff, under: call.unit)
                let (visits, next) = page.cut(try await store.visits(runId: call.runId, units: units, page: page)) {
                    visit in [visit.dueOn.sortKey, visit.id]
                }
                return ControlAPI.paged(visits, next: next) { visit in .init(visit: Wire.Campaigns.Visit(visit)) }
            },
            change(Wire.Campaigns.RecordVisit.self, roles: [.helper, .caseworker, .reviewer]) { actor, call, writes in
                let visit = try await writes.store.recordVisit(
                    id: call.visitId, note: call.note, by: actor, at: clock.now())
                return .init(visit: Wire.Campaigns.Visit(visit))
            },
            change(Wire.Campaigns.PassReview.self, roles: [.reviewer]) { actor, call, writes in
                let passed = try await writes.store.applyToRun(
                    runId: call.runId, unit: call.unit, from: .submitted, roles: [.reviewer],
                    event: { _, _ in .passReview(comment: "走访活动批量初审") }, by: actor, at: clock.now(),
                    dryRun: call.dryRun ?? false)
                return .init(
                    cases: Int64(passed.done), failed: passed.failed.map(Wire.Campaigns.BatchFailure.init),
                    items: passed.items.map(Wire.Campaigns.BatchItem.init))
            },
            change(Wire.Campaigns.Approve.self, roles: [.approver]) { actor, call, writes in
                let approved = try await writes.store.applyToRun(
                    runId: call.runId, unit: call.unit, from: .branchReviewPassed, roles: [.approver],
                    event: { _, amount in .approve(plan: .oneOff(amount)) }, by: actor, at: clock.now(),
                    dryRun: call.dryRun ?? false)
                // The batch's notice is published: its head, signed, goes to the journal.
                if approved.done > 0 { await runtime.checkpoint(.notice) }
                return .init(
                    cases: Int64(approved.done), failed: approved.failed.map(Wire.Campaigns.BatchFailure.init),
                    items: approved.items.map(Wire.Campaigns.BatchItem.init))
            },
            change(Wire.Campaigns.Close.self, roles: [.approver, .admin]) { actor, call, writes in
                try await writes.store.closeCampaignRun(runId: call.runId, by: actor, at: clock.now())
                guard let run = try await writes.store.campaignRuns().first(where: { run in run.id == call.runId })
                else {
                    throw BangfuError(.notFound, zh: "活动不存在", en: "no such campaign run")
                }
                return .init(run: Wire.Campaigns.Run(run))
            },
        ]
        return VarlinkInterface(
            name: "org.bangfu.Campaigns",
            description: ControlAPI.idl(PackageResources.org_bangfu_Campaigns_varlink),
            methods: Dictionary(uniqueKeysWithValues: methods))
    }
}

extension Wire.Campaigns.RunProgress {
    init(_ progress: CampaignProgress) {
        self.init(
            run: Wire.Campaigns.Run(progress.run), processed: Int64(progress.processed),
            planned: Int64(progress.planned), leftOut: Int64(progress.leftOut),
            ineligible: Int64(progress.ineligible), visited: Int64(progress.visited),
            approved: Int64(progress.approved), paid: Int64(progress.paid), budgetLeft: progress.budgetLeft.fen)
    }
}

extension Wire.Campaigns.BatchItem {
    init(_ item: CampaignBatchResult.Item) {
        self.init(caseNo: item.caseNo, archiveNo: item.archiveNo, amount: item.amount.fen)
    }
}

extension Wire.Campaigns.BatchFailure {
    init(_ failure: CampaignBatchResult.Failure) {
        self.init(caseNo: failure.caseNo, code: failure.code, message: failure.zh, messageEn: failure.en)
    }
}
