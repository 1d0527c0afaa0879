import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation

/// The IDL's Visit, declared alike by org.bangfu.Care and org.bangfu.Campaigns: one way to build both.
protocol VisitWire {
    init(
        id: Int64, archiveNo: String, unitId: String, visitor: String?, dueOn: String, status: String, event: String?,
        visitedAt: String?, visitedBy: String?)
}

extension Wire.Care.Visit: VisitWire {}
extension Wire.Campaigns.Visit: VisitWire {}

extension VisitWire {
    init(_ visit: Visit) {
        self.init(
            id: visit.id, archiveNo: visit.archiveNo, unitId: visit.unitId, visitor: visit.visitor,
            dueOn: visit.dueOn.description, status: visit.status, event: visit.event,
            visitedAt: visit.visitedAt.map(Wire.time), visitedBy: visit.visitedBy)
    }
}

extension ControlAPI {
    func care() -> VarlinkInterface {
        let runtime = self.runtime
        let store = runtime.store
        let clock = runtime.clock
        let staff: Set<Role> = [.caseworker, .reviewer, .approver, .auditor, .helper, .admin]
        @Sendable func today() -> LocalDate { runtime.config.businessZone.date(of: clock.now()) }
        let methods: [(String, VarlinkMethod)] = [
            change(Wire.Care.MustVisit.self, roles: [.caseworker, .helper]) { actor, call, writes in
                guard let event = runtime.config.mustVisitEvents.first(where: { $0.id == call.event }) else {
                    let ids = runtime.config.mustVisitEvents.map(\.id).joined(separator: ", ")
                    throw BangfuError(
                        .invalidInput, zh: "未配置的必访事件“\(call.event)”（可选：\(ids)）",
                        en: "must-visit event \"\(call.event)\" is not configured (allowed: \(ids))")
                }
                let visit = try await writes.store.recordMustVisit(
                    archiveNo: call.archiveNo, event: event, note: call.note, by: actor, at: clock.now())
                return .init(visit: Wire.Care.Visit(visit))
            },
            listing(Wire.Care.OverdueVisits.self, roles: staff) { actor, call in
                let page = try Page(limit: call.limit, after: call.after, keyLength: 2)
                let units = try await readableUnits(actor, roles: staff, under: call.unit)
                let (visits, next) = page.cut(try await store.overdueVisits(units: units, on: today(), page: page)) {
                    visit in [visit.dueOn.sortKey, visit.id]
                }
                return ControlAPI.paged(visits, next: next) { visit in .init(visit: Wire.Care.Visit(visit)) }
            },
            change(Wire.Care.RecordVisit.self, roles: [.helper, .caseworker]) { actor, call, writes in
                let visit = try await writes.store.recordVisit(
                    id: call.visitId, note: call.note, by: actor, at: clock.now())
                return .init(visit: Wire.Care.Visit(visit))
            },
            change(Wire.Care.Pair.self, roles: [.caseworker]) { actor, call, writes in
                try await writes.store.pair(
                    archiveNo: call.archiveNo, helper: runtime.config.actor(named: call.helper), by: actor,
                    at: clock.now())
                return .init(helpers: try await writes.store.helpers(archiveNo: call.archiveNo))
            },
            change(Wire.Care.Unpair.self, roles: [.caseworker]) { actor, call, writes in
                try await writes.store.unpair(
                    archiveNo: call.archiveNo, helper: call.helper, by: actor, at: clock.now())
                return .init(helpers: try await writes.store.helpers(archiveNo: call.archiveNo))
            },
            change(Wire.Care.Reassign.self, roles: [.caseworker]) { actor, call, writes in
                let moved = try await writes.store.reassign(
                    from: call.from, to: runtime.config.actor(named: call.to), unit: call.unit, by: actor,
                    at: clock.now())
                return .init(households: Int64(moved))
            },
            change(Wire.Care.RecordContact.self, roles: [.helper, .caseworker]) { actor, call, writes in
                try await writes.store.recordContact(
                    archiveNo: call.archiveNo, kind: call.kind, note: call.note, by: actor, at: clock.now())
                return .init()
            },
            listing(Wire.Care.OverdueContacts.self, roles: staff) { actor, call in
                let page = try Page(limit: call.limit, after: call.after, keyLength: 2)
                let units = try await readableUnits(actor, roles: staff, under: call.unit)
                let (due, next) = page.cut(
                    try await store.contactsDue(
                        units: units, days: runtime.config.contactIntervalDays, at: clock.now(), page: page)
                ) { contact in [Int64((contact.dueSince.timeIntervalSince1970 * 1000).rounded()), contact.householdId] }
                return ControlAPI.paged(due, next: next) { contact in
                    .init(
                        household: Wire.Care.ContactDue(
                            archiveNo: contact.archiveNo, unitId: contact.unitId, helpers: contact.helpers,
                            lastContact: contact.lastContact.map(Wire.time)))
                }
            },
            change(Wire.Care.RecordIncome.self, roles: [.caseworker]) { actor, call, writes in
                try await writes.store.recordIncome(
                    archiveNo: call.archiveNo, month: call.month, perCapita: Money(fen: call.perCapitaMonthly),
                    by: actor, at: clock.now())
                return .init()
            },
            listing(Wire.Care.ReviewsDue.self, roles: staff) { actor, call in
                let page = try Page(limit: call.limit, after: call.after, keyLength: 2)
                let units = try await readableUnits(actor, roles: staff, under: call.unit)
                let days = try ControlAPI.days(call.days ?? 30, field: "days")
                let (reviews, next) = page.cut(
                    try await store.reviewsDue(units: units, on: today(), within: days, page: page)
                ) { review in [review.reviewDue.sortKey, review.householdId] }
                return ControlAPI.paged(reviews, next: next) { review in
                    .init(
                        review: Wire.Care.ReviewDue(
                            archiveNo: review.archiveNo, unitId: review.unitId,
                            reviewDue: review.reviewDue.description, overdue: review.overdue,
                            suggestExit: review.suggestExit))
                }
            },
            change(Wire.Care.RecordReception.self, roles: [.caseworker]) { actor, call, writes in
                let reception = Reception(
                    unitId: call.unitId, channel: call.channel, kind: call.kind, outcome: call.outcome,
                    archiveNo: call.archiveNo, caseNo: call.caseNo, note: call.note)
                return .init(id: try await writes.store.recordReception(reception, by: actor, at: clock.now()))
            },
            method(Wire.Care.ReceptionSummary.self, roles: staff) { actor, call in
                let period = try LocalDate.period(from: call.from, to: call.to)
                let units = try await readableUnits(actor, roles: staff, under: call.unit)
                let summary = try await store.receptionSummary(units: units, from: period.from, to: period.to)
                return .init(
                    received: Int64(summary.received), helped: Int64(summary.helped),
                    byKind: summary.byKind.mapValues { count in Int64(count) })
            },
        ]
        return VarlinkInterface(
            name: "org.bangfu.Care", description: ControlAPI.idl(PackageResources.org_bangfu_Care_varlink),
            methods: Dictionary(uniqueKeysWithValues: methods))
    }
}
