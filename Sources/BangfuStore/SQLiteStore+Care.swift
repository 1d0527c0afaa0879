import BangfuCore
import Foundation
import GRDB

extension SQLiteStore {
    static func loadHousehold(_ db: Database, archiveNo: String) throws -> Household {
        guard
            let r = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM household WHERE archive_no = ?"), arguments: [archiveNo])
        else {
            throw notFound("档案/archive", archiveNo)
        }
        return try household(from: r)
    }

    /// A household for care work by `actor`: `not_found` unless it may see the archive (staff of its
    /// unit, or a helper there), `permission_denied` without one of `roles`; before anything else is told.
    static func householdForCare(_ db: Database, archiveNo: String, actor: Actor, roles: Set<Role>, for what: String)
        throws
        -> Household
    {
        let household = try loadHousehold(db, archiveNo: archiveNo)
        try actor.require(
            anyOf: roles, on: RecordRef(.archive, archiveNo), unit: household.input.unitId, in: try loadTree(db),
            readers: [.helper],
            for: what)
        return household
    }

    public func recordMustVisit(archiveNo: String, event: MustVisitEvent, note: String?, by actor: Actor, at: Date)
        async throws -> Visit
    {
        let today = policy.caseRules.zone.date(of: at)
        return try await write { db in
            let h = try SQLiteStore.householdForCare(
                db, archiveNo: archiveNo, actor: actor, roles: [.caseworker, .helper], for: "must_visit")
            guard h.status == .open else {
                throw BangfuError(.archiveClosed, zh: "档案 \(archiveNo) 已关闭", en: "archive \(archiveNo) is closed")
            }
            let helper = try String.fetchOne(
                db.cachedStatement(
                    sql: "SELECT helper FROM pairing WHERE household_id = ? AND until_ms IS NULL ORDER BY id LIMIT 1"),
                arguments: [h.id])
            try db.cachedStatement(
                sql: """
                    INSERT INTO visit(household_id, unit_id, run_id, visitor, due_on, status, kind, event, note) VALUES (?, ?, NULL, ?, ?, 'planned', 'must_visit', ?, ?)
                    """
            ).execute(arguments: [
                h.id, h.input.unitId, helper, today.adding(days: event.dueDays).description, event.id, note,
            ])
            let id = db.lastInsertedRowID
            try Audit.append(
                db, at: at, actor: actor.id, action: "must_visit", entity: "visit", entityId: String(id),
                detail: [archiveNo, event.id])
            return try SQLiteStore.visit(
                from: try Row.fetchOne(
                    db.cachedStatement(
                        sql:
                            "SELECT v.*, h.archive_no FROM visit v JOIN household h ON h.id = v.household_id WHERE v.id = ?"
                    ), arguments: [id])!)
        }
    }

    public func overdueVisits(units: [String], on day: LocalDate) async throws -> [Visit] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT v.*, h.archive_no FROM visit v JOIN household h ON h.id = v.household_id
                    WHERE v.status = 'planned' AND v.due_on < ? AND v.unit_id IN (\(SQLiteStore.inList(units.count))) ORDER BY v.due_on, v.id
                    """, arguments: StatementArguments([day.description]) + StatementArguments(units)
            ).map(SQLiteStore.visit(from:))
        }
    }

    public func pair(archiveNo: String, helper: String, by actor: Actor, at: Date) async throws {
        guard !helper.isEmpty else { throw BangfuError(.invalidInput, zh: "必须指定帮扶联系人", en: "a helper is required") }
        _ = try await write { db in
            let h = try SQLiteStore.householdForCare(
                db, archiveNo: archiveNo, actor: actor, roles: [.caseworker], for: "pair")
            guard
                try Bool.fetchOne(
                    db.cachedStatement(
                        sql:
                            "SELECT EXISTS(SELECT 1 FROM pairing WHERE household_id = ? AND helper = ? AND until_ms IS NULL)"
                    ),
                    arguments: [h.id, helper]) == false
            else {
                throw BangfuError(
                    .duplicate, zh: "\(helper) 已与 \(archiveNo) 结对", en: "\(helper) is already paired with \(archiveNo)")
            }
            try db.cachedStatement(sql: "INSERT INTO pairing(household_id, helper, since_ms) VALUES (?, ?, ?)").execute(
                arguments: [h.id, helper, SQLiteStore.ms(at)])
            try Audit.append(
                db, at: at, actor: actor.id, action: "pair", entity: "household", entityId: archiveNo, detail: [helper])
            return Empty()
        }
    }

    public func unpair(archiveNo: String, helper: String, by actor: Actor, at: Date) async throws {
        _ = try await write { db in
            let h = try SQLiteStore.householdForCare(
                db, archiveNo: archiveNo, actor: actor, roles: [.caseworker], for: "unpair")
            try db.execute(
                sql: "UPDATE pairing SET until_ms = ? WHERE household_id = ? AND helper = ? AND until_ms IS NULL",
                arguments: [SQLiteStore.ms(at), h.id, helper])
            guard db.changesCount > 0 else {
                throw BangfuError(
                    .notFound, zh: "\(helper) 未与 \(archiveNo) 结对", en: "\(helper) is not paired with \(archiveNo)")
            }
            try Audit.append(
                db, at: at, actor: actor.id, action: "unpair", entity: "household", entityId: archiveNo,
                detail: [helper])
            return Empty()
        }
    }

    public func reassign(from: String, to: String, unit: String, by actor: Actor, at: Date) async throws -> Int {
        try await write { db in
            let tree = try SQLiteStore.loadTree(db)
            _ = try tree.require(unit)
            try actor.require(anyOf: [.caseworker], on: unit, in: tree, for: "reassign")
            let units = tree.subtree(of: unit)
            let ids = try Int64.fetchAll(
                db,
                sql: """
                    SELECT p.household_id FROM pairing p JOIN household h ON h.id = p.household_id
                    WHERE p.helper = ? AND p.until_ms IS NULL AND h.unit_id IN (\(SQLiteStore.inList(units.count)))
                    """, arguments: StatementArguments([from]) + StatementArguments(units))
            for id in ids {
                try db.cachedStatement(
                    sql: "UPDATE pairing SET until_ms = ? WHERE household_id = ? AND helper = ? AND until_ms IS NULL"
                ).execute(arguments: [SQLiteStore.ms(at), id, from])
                try db.cachedStatement(
                    sql: "INSERT INTO pairing(household_id, helper, since_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
                ).execute(arguments: [id, to, SQLiteStore.ms(at)])
                // Planned visits follow the household to its new helper.
                try db.cachedStatement(
                    sql: "UPDATE visit SET visitor = ? WHERE household_id = ? AND visitor = ? AND status = 'planned'"
                ).execute(arguments: [to, id, from])
            }
            try Audit.append(
                db, at: at, actor: actor.id, action: "reassign", entity: "unit", entityId: unit,
                detail: [from, to, String(ids.count)])
            return ids.count
        }
    }

    public func recordContact(archiveNo: String, kind: String, note: String?, by actor: Actor, at: Date) async throws {
        guard ["visit", "phone", "other"].contains(kind) else {
            throw BangfuError(
                .invalidInput, zh: "联系方式只能是 visit、phone 或 other", en: "a contact is visit, phone or other")
        }
        _ = try await write { db in
            let h = try SQLiteStore.householdForCare(
                db, archiveNo: archiveNo, actor: actor, roles: [.caseworker, .helper], for: "record_contact")
            let paired =
                try Bool.fetchOne(
                    db.cachedStatement(
                        sql:
                            "SELECT EXISTS(SELECT 1 FROM pairing WHERE household_id = ? AND helper = ? AND until_ms IS NULL)"
                    ),
                    arguments: [h.id, actor.id]) ?? false
            // The paired helper records their own contacts; a caseworker of the unit may record any.
            if !paired {
                try actor.require(
                    anyOf: [.caseworker], on: h.input.unitId, in: try SQLiteStore.loadTree(db), for: "record_contact")
            }
            try db.execute(
                sql: "INSERT INTO contact(household_id, helper, kind, at_ms, note) VALUES (?, ?, ?, ?, ?)",
                arguments: [h.id, actor.id, kind, SQLiteStore.ms(at), note])
            try Audit.append(
                db, at: at, actor: actor.id, action: "contact", entity: "household", entityId: archiveNo, detail: [kind]
            )
            return Empty()
        }
    }

    public func contactsDue(units: [String], days: Int, at: Date) async throws -> [ContactDue] {
        let cutoff = SQLiteStore.ms(at.addingTimeInterval(-Double(days) * 86400))
        return try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT h.archive_no, h.unit_id, group_concat(p.helper, ',') AS helpers,
                           (SELECT MAX(c.at_ms) FROM contact c WHERE c.household_id = h.id) AS last_ms,
                           MIN(p.since_ms) AS since_ms
                    FROM pairing p JOIN household h ON h.id = p.household_id
                    WHERE p.until_ms IS NULL AND h.status = 'open' AND h.unit_id IN (\(SQLiteStore.inList(units.count)))
                    GROUP BY h.id
                    HAVING COALESCE(last_ms, since_ms) < ?
                    ORDER BY COALESCE(last_ms, since_ms)
                    """, arguments: StatementArguments(units) + StatementArguments([cutoff])
            ).map { r in
                ContactDue(
                    archiveNo: r["archive_no"], unitId: r["unit_id"],
                    helpers: (r["helpers"] as String? ?? "").split(separator: ",").map(String.init),
                    lastContact: (r["last_ms"] as Int64?).map { SQLiteStore.date(ms: $0) })
            }
        }
    }

    public func helpers(archiveNo: String) async throws -> [String] {
        try await read { db in
            let h = try SQLiteStore.loadHousehold(db, archiveNo: archiveNo)
            return try String.fetchAll(
                db.cachedStatement(
                    sql: "SELECT helper FROM pairing WHERE household_id = ? AND until_ms IS NULL ORDER BY id"),
                arguments: [h.id])
        }
    }

    public func recordIncome(archiveNo: String, month: String, perCapita: Money, by actor: Actor, at: Date) async throws
    {
        let parts = month.split(separator: "-")
        guard month.count == 7, parts.count == 2, let y = Int(parts[0]), let m = Int(parts[1]),
            (2000...2100).contains(y), (1...12).contains(m)
        else {
            throw BangfuError(.invalidDate, zh: "月份应写成 YYYY-MM", en: "a month looks like YYYY-MM")
        }
        _ = try perCapita.bounded(field: "perCapita", minimum: 0)
        _ = try await write { db in
            let h = try SQLiteStore.householdForCare(
                db, archiveNo: archiveNo, actor: actor, roles: [.caseworker], for: "record_income")
            try db.cachedStatement(
                sql: """
                    INSERT INTO income_record(household_id, month, per_capita_fen, recorded_ms) VALUES (?, ?, ?, ?)
                    ON CONFLICT(household_id, month) DO UPDATE SET per_capita_fen = excluded.per_capita_fen, recorded_ms = excluded.recorded_ms
                    """
            ).execute(arguments: [h.id, month, perCapita.fen, SQLiteStore.ms(at)])
            try SQLiteStore.writeHistory(
                db, h.id,
                [
                    ArchiveChange(
                        at: at, actor: actor.id, action: "record_income", field: "income.\(month)",
                        oldValue: nil, newValue: String(perCapita.fen))
                ])
            try Audit.append(
                db, at: at, actor: actor.id, action: "record_income", entity: "household", entityId: archiveNo,
                detail: [month])
            return Empty()
        }
    }

    public func reviewsDue(units: [String], on day: LocalDate, within days: Int) async throws -> [ReviewDue] {
        let limit = day.adding(days: days)
        let rules = policy.categoryRules
        return try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM household WHERE status = 'open' AND unit_id IN (\(SQLiteStore.inList(units.count)))
                    """, arguments: StatementArguments(units))
            var out: [ReviewDue] = []
            for r in rows {
                let h = try SQLiteStore.household(from: r)
                // 脱困 suggestion: the last 6 months up to last month all recorded, each at or above the 低保 in force.
                var monthStart = LocalDate(year: day.year, month: day.month, day: 1)!.adding(months: -1)
                var above = 0
                for _ in 0..<6 {
                    let key = String(monthStart.description.prefix(7))
                    guard
                        let fen = try Int64.fetchOne(
                            db.cachedStatement(
                                sql: "SELECT per_capita_fen FROM income_record WHERE household_id = ? AND month = ?"),
                            arguments: [h.id, key]),
                        let std = try? rules.dibaoStandard(region: h.input.region, on: monthStart),
                        fen >= std.monthly.fen
                    else { break }
                    above += 1
                    monthStart = monthStart.adding(months: -1)
                }
                let suggest = above == 6
                if h.reviewDue <= limit || suggest {
                    out.append(
                        ReviewDue(
                            archiveNo: h.archiveNo, unitId: h.input.unitId, reviewDue: h.reviewDue,
                            overdue: h.reviewDue < day, suggestExit: suggest))
                }
            }
            return out.sorted { ($0.reviewDue, $0.archiveNo) < ($1.reviewDue, $1.archiveNo) }
        }
    }

    public func recordReception(_ rec: Reception, by actor: Actor, at: Date) async throws -> Int64 {
        guard ["window", "hotline_12351", "visit", "other"].contains(rec.channel) else {
            throw BangfuError(
                .invalidInput, zh: "接待渠道只能是 window、hotline_12351、visit、other",
                en: "a channel is window, hotline_12351, visit or other")
        }
        guard ["helped", "referred", "not_helped", "pending"].contains(rec.outcome) else {
            throw BangfuError(
                .invalidInput, zh: "结果只能是 helped、referred、not_helped、pending",
                en: "an outcome is helped, referred, not_helped or pending")
        }
        guard Reception.kinds.contains(rec.kind) else {
            throw BangfuError(
                .invalidInput, zh: "接待类别只能是：\(Reception.kinds.joined(separator: ", "))",
                en: "a reception kind is one of: \(Reception.kinds.joined(separator: ", "))")
        }
        let day = policy.caseRules.zone.date(of: at)
        return try await write { db in
            let tree = try SQLiteStore.loadTree(db)
            _ = try tree.require(rec.unitId)
            try actor.require(anyOf: [.caseworker], on: rec.unitId, in: tree, for: "record_reception")
            let hid = try rec.archiveNo.map { try SQLiteStore.loadHousehold(db, archiveNo: $0).id }
            let cid = try rec.caseNo.map { no -> Int64 in
                guard
                    let id = try Int64.fetchOne(
                        db.cachedStatement(sql: "SELECT id FROM help_case WHERE case_no = ?"), arguments: [no])
                else { throw SQLiteStore.notFound("案件/case", no) }
                return id
            }
            try db.cachedStatement(
                sql: """
                    INSERT INTO reception(at_ms, business_date, unit_id, channel, kind, outcome, household_id, case_id, recorded_by, note)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                SQLiteStore.ms(at), day.description, rec.unitId, rec.channel, rec.kind, rec.outcome, hid, cid, actor.id,
                rec.note,
            ])
            let id = db.lastInsertedRowID
            try Audit.append(
                db, at: at, actor: actor.id, action: "reception", entity: "reception", entityId: String(id),
                detail: [rec.kind, rec.outcome])
            return id
        }
    }

    public func receptionSummary(units: [String], from: LocalDate, to: LocalDate) async throws -> ReceptionSummary {
        try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT kind, outcome, COUNT(*) AS n FROM reception
                    WHERE business_date BETWEEN ? AND ? AND unit_id IN (\(SQLiteStore.inList(units.count))) GROUP BY kind, outcome
                    """, arguments: StatementArguments([from.description, to.description]) + StatementArguments(units))
            var s = ReceptionSummary(received: 0, helped: 0, byKind: [:])
            for r in rows {
                let n: Int = r["n"]
                s.received += n
                if ["helped", "referred"].contains(r["outcome"] as String) { s.helped += n }
                s.byKind[r["kind"], default: 0] += n
            }
            return s
        }
    }
}
