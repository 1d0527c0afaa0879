import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation

extension ControlAPI {
    struct RunParams: Decodable, Sendable { var runId: Int64 }
    struct RunUnit: Decodable, Sendable {
        var runId: Int64
        var unit: String
    }
    struct VisitsParams: Decodable, Sendable {
        var runId: Int64
        var unit: String?
    }
    struct RecordVisitParams: Decodable, Sendable {
        var visitId: Int64
        var note: String
    }

    static func runWire(_ r: CampaignRun) -> JSONValue {
        .object([
            "id": .int(r.id), "campaignId": .string(r.campaignId), "holiday": .string(r.holiday.description),
            "state": .string(r.state.rawValue),
            "budget": .int(r.budget.fen), "committed": .int(r.committed.fen), "targeted": .int(Int64(r.targeted)),
        ])
    }

    func campaigns() -> VarlinkInterface {
        let i = "org.bangfu.Campaigns"
        let runtime = self.runtime
        let store = runtime.store
        let clock = runtime.clock
        let staff: Set<Role> = [.caseworker, .reviewer, .approver, .treasurer, .auditor, .helper, .admin]
        let methods: [(String, VarlinkMethod)] = [
            method(.campaignsDefinitions, roles: staff, Empty.self) { _, _ in
                let today = runtime.config.businessZone.date(of: clock.now())
                return .reply([
                    "campaigns": .array(
                        runtime.config.campaigns.map { d in
                            let next = [today.year, today.year + 1].compactMap { d.holiday.date(in: $0) }.filter {
                                $0 >= today
                            }.min()
                            let rule: String =
                                switch d.holiday {
                                case .gregorian(let m, let day): "gregorian:\(m)-\(day)"
                                case .lunar(let m, let day): "lunar:\(m)-\(day)"
                                case .window(let m1, let d1, let m2, let d2): "window:\(m1)-\(d1)..\(m2)-\(d2)"
                                }
                            return .object([
                                "id": .string(d.id), "name": .string(d.name), "holiday": .string(rule),
                                "leadDays": .int(Int64(d.leadDays)),
                                "helpType": .string(d.helpType), "budget": .int(d.budget.fen),
                                "nextHoliday": next.map { .string($0.description) } ?? .null,
                            ])
                        })
                ])
            },
            method(.campaignsList, roles: staff, Empty.self) { _, _ in
                .reply(["runs": .array(try await store.campaignRuns().map(ControlAPI.runWire))])
            },
            method(.campaignsProgress, roles: staff, RunParams.self) { _, p in
                let g = try await store.campaignProgress(runId: p.runId)
                return .reply([
                    "progress": .object([
                        "run": ControlAPI.runWire(g.run), "processed": .int(Int64(g.processed)),
                        "planned": .int(Int64(g.planned)),
                        "leftOut": .int(Int64(g.leftOut)), "ineligible": .int(Int64(g.ineligible)),
                        "visited": .int(Int64(g.visited)),
                        "approved": .int(Int64(g.approved)), "paid": .int(Int64(g.paid)),
                        "budgetLeft": .int(g.budgetLeft.fen),
                    ])
                ])
            },
            method(.campaignsLeftOut, roles: [.caseworker, .reviewer, .approver, .auditor, .admin], RunParams.self) {
                actor, p in
                // Only households of units the caller holds one of these roles on.
                let units = Set(
                    try await readableUnits(
                        actor, roles: [.caseworker, .reviewer, .approver, .auditor, .admin], under: nil))
                let members = try await store.campaignMembers(runId: p.runId, outcome: .leftOutBudget)
                return .stream(
                    members.filter { h, _, _ in units.contains(h.input.unitId) }.map { h, _, _ in
                        [
                            "household": .object([
                                "archiveNo": .string(h.archiveNo), "name": .string(maskedName(h.input.head.name)),
                                "unitId": .string(h.input.unitId),
                                "category": h.assessment.category.map { .string($0.rawValue) } ?? .null,
                            ])
                        ]
                    })
            },
            method(.campaignsVisits, roles: staff, VisitsParams.self) { actor, p in
                let units = try await readableUnits(actor, roles: staff, under: p.unit)
                return .stream(
                    try await store.visits(runId: p.runId, units: units).map { ["visit": ControlAPI.visitWire($0)] })
            },
            change(.campaignsRecordVisit, roles: [.helper, .caseworker], RecordVisitParams.self) {
                actor, p, writes in
                .reply([
                    "visit": ControlAPI.visitWire(
                        try await writes.store.recordVisit(id: p.visitId, note: p.note, by: actor, at: clock.now()))
                ])
            },
            change(.campaignsPassReview, roles: [.reviewer], RunUnit.self) { actor, p, writes in
                let n = try await writes.store.applyToRun(
                    runId: p.runId, unit: p.unit, from: .submitted, roles: [.reviewer],
                    event: { _, _ in .passReview(comment: "走访活动批量初审") },
                    by: actor, at: clock.now())
                return .reply(["cases": .int(Int64(n))])
            },
            change(.campaignsApprove, roles: [.approver], RunUnit.self) { actor, p, writes in
                let n = try await writes.store.applyToRun(
                    runId: p.runId, unit: p.unit, from: .branchReviewPassed, roles: [.approver],
                    event: { _, amount in .approve(plan: .oneOff(amount)) }, by: actor, at: clock.now())
                return .reply(["cases": .int(Int64(n))])
            },
            change(.campaignsClose, roles: [.approver, .admin], RunParams.self) { actor, p, writes in
                try await writes.store.closeCampaignRun(runId: p.runId, by: actor, at: clock.now())
                guard let r = try await writes.store.campaignRuns().first(where: { $0.id == p.runId }) else {
                    throw BangfuError(.notFound, zh: "活动不存在", en: "no such campaign run")
                }
                return .reply(["run": ControlAPI.runWire(r)])
            },
        ]
        return VarlinkInterface(
            name: i, description: ControlAPI.idl(PackageResources.org_bangfu_Campaigns_varlink),
            methods: Dictionary(uniqueKeysWithValues: methods))
    }
}
