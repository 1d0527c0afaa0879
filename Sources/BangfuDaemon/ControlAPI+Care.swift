import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation

extension ControlAPI {
    struct MustVisitParams: Decodable, Sendable {
        var archiveNo: String
        var event: String
        var note: String?
    }
    struct UnitParam: Decodable, Sendable { var unit: String? }
    struct PairParams: Decodable, Sendable {
        var archiveNo: String
        var helper: String
    }
    struct ReassignParams: Decodable, Sendable {
        var from: String
        var to: String
        var unit: String
    }
    struct ContactParams: Decodable, Sendable {
        var archiveNo: String
        var kind: String
        var note: String?
    }
    struct IncomeParams: Decodable, Sendable {
        var archiveNo: String
        var month: String
        var perCapitaMonthly: Int64
    }
    struct ReviewsParams: Decodable, Sendable {
        var unit: String?
        var days: Int?
    }
    struct ReceptionParams: Decodable, Sendable {
        var unitId, channel, kind, outcome: String
        var archiveNo: String?
        var caseNo: String?
        var note: String?
    }
    struct SummaryParams: Decodable, Sendable {
        var from, to: String
        var unit: String?
    }

    /// The IDL's Visit, shared by org.bangfu.Care and org.bangfu.Campaigns.
    static func visitWire(_ v: Visit) -> JSONValue {
        .object([
            "id": .int(v.id), "archiveNo": .string(v.archiveNo), "unitId": .string(v.unitId),
            "visitor": v.visitor.map { .string($0) } ?? .null,
            "dueOn": .string(v.dueOn.description), "status": .string(v.status),
            "event": v.event.map { .string($0) } ?? .null,
            "visitedAt": v.visitedAt.map { .string(Wire.time($0)) } ?? .null,
            "visitedBy": v.visitedBy.map { .string($0) } ?? .null,
        ])
    }

    func care() -> VarlinkInterface {
        let i = "org.bangfu.Care"
        let runtime = self.runtime
        let store = runtime.store
        let clock = runtime.clock
        let staff: Set<Role> = [.caseworker, .reviewer, .approver, .auditor, .helper, .admin]
        @Sendable func today() -> LocalDate { runtime.config.businessZone.date(of: clock.now()) }
        let methods: [(String, VarlinkMethod)] = [
            change(.careMustVisit, roles: [.caseworker, .helper], MustVisitParams.self) { actor, p, writes in
                guard let event = runtime.config.mustVisitEvents.first(where: { $0.id == p.event }) else {
                    let ids = runtime.config.mustVisitEvents.map(\.id).joined(separator: ", ")
                    throw BangfuError(
                        .invalidInput, zh: "未配置的必访事件“\(p.event)”（可选：\(ids)）",
                        en: "must-visit event \"\(p.event)\" is not configured (allowed: \(ids))")
                }
                return .reply([
                    "visit": ControlAPI.visitWire(
                        try await writes.store.recordMustVisit(
                            archiveNo: p.archiveNo, event: event, note: p.note, by: actor, at: clock.now()))
                ])
            },
            method(.careOverdueVisits, roles: staff, UnitParam.self) { actor, p in
                let units = try await readableUnits(actor, roles: staff, under: p.unit)
                return .stream(
                    try await store.overdueVisits(units: units, on: today()).map { ["visit": ControlAPI.visitWire($0)] }
                )
            },
            change(.careRecordVisit, roles: [.helper, .caseworker], RecordVisitParams.self) {
                actor, p, writes in
                .reply([
                    "visit": ControlAPI.visitWire(
                        try await writes.store.recordVisit(id: p.visitId, note: p.note, by: actor, at: clock.now()))
                ])
            },
            change(.carePair, roles: [.caseworker], PairParams.self) { actor, p, writes in
                try await writes.store.pair(archiveNo: p.archiveNo, helper: p.helper, by: actor, at: clock.now())
                return .reply([
                    "helpers": .array(try await writes.store.helpers(archiveNo: p.archiveNo).map { .string($0) })
                ])
            },
            change(.careUnpair, roles: [.caseworker], PairParams.self) { actor, p, writes in
                try await writes.store.unpair(archiveNo: p.archiveNo, helper: p.helper, by: actor, at: clock.now())
                return .reply([
                    "helpers": .array(try await writes.store.helpers(archiveNo: p.archiveNo).map { .string($0) })
                ])
            },
            change(.careReassign, roles: [.caseworker], ReassignParams.self) { actor, p, writes in
                .reply([
                    "households": .int(
                        Int64(
                            try await writes.store.reassign(
                                from: p.from, to: p.to, unit: p.unit, by: actor, at: clock.now())))
                ])
            },
            change(.careRecordContact, roles: [.helper, .caseworker], ContactParams.self) { actor, p, writes in
                try await writes.store.recordContact(
                    archiveNo: p.archiveNo, kind: p.kind, note: p.note, by: actor, at: clock.now())
                return .reply([:])
            },
            method(.careOverdueContacts, roles: staff, UnitParam.self) { actor, p in
                let units = try await readableUnits(actor, roles: staff, under: p.unit)
                let due = try await store.contactsDue(
                    units: units, days: runtime.config.contactIntervalDays, at: clock.now())
                return .stream(
                    due.map { d in
                        [
                            "household": .object([
                                "archiveNo": .string(d.archiveNo), "unitId": .string(d.unitId),
                                "helpers": .array(d.helpers.map { .string($0) }),
                                "lastContact": d.lastContact.map { .string(Wire.time($0)) } ?? .null,
                            ])
                        ]
                    })
            },
            change(.careRecordIncome, roles: [.caseworker], IncomeParams.self) { actor, p, writes in
                try await writes.store.recordIncome(
                    archiveNo: p.archiveNo, month: p.month, perCapita: Money(fen: p.perCapitaMonthly), by: actor,
                    at: clock.now())
                return .reply([:])
            },
            method(.careReviewsDue, roles: staff, ReviewsParams.self) { actor, p in
                let units = try await readableUnits(actor, roles: staff, under: p.unit)
                return .stream(
                    try await store.reviewsDue(
                        units: units, on: today(), within: try ControlAPI.days(p.days ?? 30, field: "days")
                    ).map {
                        r in
                        [
                            "review": .object([
                                "archiveNo": .string(r.archiveNo), "unitId": .string(r.unitId),
                                "reviewDue": .string(r.reviewDue.description),
                                "overdue": .bool(r.overdue), "suggestExit": .bool(r.suggestExit),
                            ])
                        ]
                    })
            },
            change(.careRecordReception, roles: [.caseworker], ReceptionParams.self) { actor, p, writes in
                let id = try await writes.store.recordReception(
                    Reception(
                        unitId: p.unitId, channel: p.channel, kind: p.kind, outcome: p.outcome,
                        archiveNo: p.archiveNo, caseNo: p.caseNo, note: p.note), by: actor, at: clock.now())
                return .reply(["id": .int(id)])
            },
            method(.careReceptionSummary, roles: staff, SummaryParams.self) { actor, p in
                let period = try LocalDate.period(from: p.from, to: p.to)
                let units = try await readableUnits(actor, roles: staff, under: p.unit)
                let s = try await store.receptionSummary(units: units, from: period.from, to: period.to)
                return .reply([
                    "received": .int(Int64(s.received)), "helped": .int(Int64(s.helped)),
                    "byKind": .object(s.byKind.mapValues { .int(Int64($0)) }),
                ])
            },
        ]
        return VarlinkInterface(
            name: i, description: ControlAPI.idl(PackageResources.org_bangfu_Care_varlink),
            methods: Dictionary(uniqueKeysWithValues: methods))
    }
}
