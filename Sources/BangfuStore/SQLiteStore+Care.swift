import BangfuCore
import BangfuDomain
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

    public func recordMustVisit(archiveNo: String, event: MustVisitEvent, note: String?, by actor: Actor, at: Date)
        async throws -> Visit
    {
        let policy = self.policy
        return try await write { db in
            try CareDomain.mustVisit(
                SQLiteUnitOfWork(db: db), archiveNo: archiveNo, event: event, note: note, by: actor, at: at,
                policy: policy)
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
        _ = try await write { db in
            try CareDomain.pair(SQLiteUnitOfWork(db: db), archiveNo: archiveNo, helper: helper, by: actor, at: at)
            return Empty()
        }
    }

    public func unpair(archiveNo: String, helper: String, by actor: Actor, at: Date) async throws {
        _ = try await write { db in
            try CareDomain.unpair(SQLiteUnitOfWork(db: db), archiveNo: archiveNo, helper: helper, by: actor, at: at)
            return Empty()
        }
    }

    public func reassign(from: String, to: String, unit: String, by actor: Actor, at: Date) async throws -> Int {
        try await write { db in
            try CareDomain.reassign(SQLiteUnitOfWork(db: db), from: from, to: to, unit: unit, by: actor, at: at)
        }
    }

    public func recordContact(archiveNo: String, kind: String, note: String?, by actor: Actor, at: Date) async throws {
        _ = try await write { db in
            try CareDomain.contact(
                SQLiteUnitOfWork(db: db), archiveNo: archiveNo, kind: kind, note: note, by: actor, at: at)
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
        _ = try await write { db in
            try CareDomain.income(
                SQLiteUnitOfWork(db: db), archiveNo: archiveNo, month: month, perCapita: perCapita, by: actor, at: at)
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

    public func recordReception(_ reception: Reception, by actor: Actor, at: Date) async throws -> Int64 {
        let policy = self.policy
        return try await write { db in
            try CareDomain.reception(SQLiteUnitOfWork(db: db), reception, by: actor, at: at, policy: policy)
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
