import BangfuCore
import BangfuDomain
import Foundation

extension StoreSQL {
    static func loadHousehold(_ db: SQLDatabase, archiveNo: String) throws -> Household {
        guard
            let r = try SQLRow.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM household WHERE archive_no = ?"), arguments: [archiveNo])
        else {
            throw notFound(.archive, archiveNo)
        }
        return try household(from: r)
    }

    /// The recorded per-capita income of a household for a month (`YYYY-MM`), if any.
    static func recordedIncome(_ db: SQLDatabase, householdId: Int64, month: String) throws -> Money? {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT per_capita_fen FROM income_record WHERE household_id = ? AND month = ?"),
            arguments: [householdId, month]
        ).map { fen in Money(fen: fen) }
    }
}

extension SQLStore {

    public func recordMustVisit(archiveNo: String, event: MustVisitEvent, note: String?, by actor: Actor, at: Date)
        async throws -> Visit
    {
        let policy = self.policy
        return try await write { db in
            try CareDomain.mustVisit(
                SQLUnitOfWork(db: db), archiveNo: archiveNo, event: event, note: note, by: actor, at: at,
                policy: policy)
        }
    }

    public func overdueVisits(units: [String], on day: LocalDate, page: Page) async throws -> [Visit] {
        try await readAside { db in
            try StoreSQL.visits(
                db, where: "v.status = 'planned' AND v.due_on < ?", [day.description], units: units, page: page)
        }
    }

    public func pair(archiveNo: String, helper: Actor, by actor: Actor, at: Date) async throws {
        _ = try await write { db in
            try CareDomain.pair(SQLUnitOfWork(db: db), archiveNo: archiveNo, helper: helper, by: actor, at: at)
            return Empty()
        }
    }

    public func unpair(archiveNo: String, helper: String, by actor: Actor, at: Date) async throws {
        _ = try await write { db in
            try CareDomain.unpair(SQLUnitOfWork(db: db), archiveNo: archiveNo, helper: helper, by: actor, at: at)
            return Empty()
        }
    }

    public func reassign(from: String, to: Actor, unit: String, by actor: Actor, at: Date) async throws -> Int {
        try await write { db in
            try CareDomain.reassign(SQLUnitOfWork(db: db), from: from, to: to, unit: unit, by: actor, at: at)
        }
    }

    public func recordContact(archiveNo: String, kind: String, note: String?, by actor: Actor, at: Date) async throws {
        _ = try await write { db in
            try CareDomain.contact(
                SQLUnitOfWork(db: db), archiveNo: archiveNo, kind: kind, note: note, by: actor, at: at)
            return Empty()
        }
    }

    /// Paired households whose last contact (or, never contacted, whose first pairing: a helper
    /// reassigned does not restart the count) is more than `days` ago. (The inner query names
    /// the instants; the outer one filters and orders on them, as both engines allow.)
    public func contactsDue(units: [String], days: Int, at: Date, page: Page) async throws -> [ContactDue] {
        let cutoff = StoreSQL.ms(at.addingTimeInterval(-Double(days) * 86400))
        return try await readAside { db in
            var sql = """
                SELECT * FROM (
                    SELECT h.id, h.archive_no, h.unit_id, \(db.dialect.joinedText("p.helper")) AS helpers,
                           (SELECT MAX(c.at_ms) FROM contact c WHERE c.household_id = h.id) AS last_ms,
                           (SELECT MIN(q.since_ms) FROM pairing q WHERE q.household_id = h.id) AS first_paired_ms
                    FROM pairing p JOIN household h ON h.id = p.household_id
                    WHERE p.until_ms IS NULL AND h.status = 'open' AND h.unit_id IN (\(StoreSQL.inList(units.count)))
                    GROUP BY h.id, h.archive_no, h.unit_id
                ) AS paired
                WHERE COALESCE(last_ms, first_paired_ms) < ?
                """
            var arguments = SQLArguments(units) + SQLArguments([cutoff])
            // Longest without contact first; the cursor's key is that instant and the household's id.
            if let after = page.afterKey, after.count == 2 {
                sql += " AND (COALESCE(last_ms, first_paired_ms), id) > (?, ?)"
                arguments += SQLArguments(after)
            }
            sql += " ORDER BY COALESCE(last_ms, first_paired_ms), id LIMIT \(page.limit + 1)"
            return try SQLRow.fetchAll(db, sql: sql, arguments: arguments).map { row in
                ContactDue(
                    householdId: row["id"], archiveNo: row["archive_no"], unitId: row["unit_id"],
                    helpers: (row["helpers"] as String? ?? "").split(separator: ",").map(String.init),
                    lastContact: (row["last_ms"] as Int64?).map { StoreSQL.date(ms: $0) },
                    dueSince: StoreSQL.date(ms: (row["last_ms"] as Int64?) ?? row["first_paired_ms"]))
            }
        }
    }

    public func helpers(archiveNo: String) async throws -> [String] {
        try await read { db in
            let h = try StoreSQL.loadHousehold(db, archiveNo: archiveNo)
            return try String.fetchAll(
                db.cachedStatement(
                    sql: "SELECT helper FROM pairing WHERE household_id = ? AND until_ms IS NULL ORDER BY id"),
                arguments: [h.id])
        }
    }

    public func recordIncome(archiveNo: String, month: String, perCapita: Money, by actor: Actor, at: Date) async throws
    {
        let zone = policy.caseRules.zone
        _ = try await write { db in
            try CareDomain.income(
                SQLUnitOfWork(db: db), archiveNo: archiveNo, month: month, perCapita: perCapita, by: actor, at: at,
                zone: zone)
            return Empty()
        }
    }

    public func reviewsDue(units: [String], on day: LocalDate, within days: Int, page: Page) async throws
        -> [ReviewDue]
    {
        let limit = day.adding(days: days)
        let rules = policy.categoryRules
        return try await readAside { db in
            // Earliest review first; the cursor's key is the review day as yyyymmdd and the id. The open
            // archives are read as a cursor and kept only while the page fills.
            var sql =
                "SELECT * FROM household WHERE status = 'open' AND unit_id IN (\(StoreSQL.inList(units.count)))"
            var arguments = SQLArguments(units)
            if let after = page.afterKey, after.count == 2 {
                sql += " AND (review_due, id) > (?, ?)"
                arguments += [StoreSQL.dayText(after[0]), after[1]]
            }
            var due: [ReviewDue] = []
            try SQLRow.forEach(db, sql: sql + " ORDER BY review_due, id", arguments: arguments) { row in
                let household = try StoreSQL.household(from: row)
                let suggest = try CareDomain.suggestsExit(household, before: day, rules: rules) { month in
                    try StoreSQL.recordedIncome(db, householdId: household.id, month: month)
                }
                if household.reviewDue <= limit || suggest {
                    due.append(
                        ReviewDue(
                            householdId: household.id, archiveNo: household.archiveNo, unitId: household.input.unitId,
                            reviewDue: household.reviewDue, overdue: household.reviewDue < day, suggestExit: suggest))
                }
                return due.count <= page.limit
            }
            return due
        }
    }

    public func recordReception(_ reception: Reception, by actor: Actor, at: Date) async throws -> Int64 {
        let policy = self.policy
        return try await write { db in
            try CareDomain.reception(SQLUnitOfWork(db: db), reception, by: actor, at: at, policy: policy)
        }
    }

    public func receptionSummary(units: [String], from: LocalDate, to: LocalDate) async throws -> ReceptionSummary {
        try await read { db in
            let rows = try SQLRow.fetchAll(
                db,
                sql: """
                    SELECT kind, outcome, COUNT(*) AS n FROM reception
                    WHERE business_date BETWEEN ? AND ? AND unit_id IN (\(StoreSQL.inList(units.count))) GROUP BY kind, outcome
                    """, arguments: SQLArguments([from.description, to.description]) + SQLArguments(units))
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
