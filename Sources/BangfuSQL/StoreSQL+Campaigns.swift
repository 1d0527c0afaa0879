import BangfuCore
import BangfuDomain
import Foundation

extension StoreSQL {
    static func campaignRun(from r: SQLRow) throws -> CampaignRun {
        CampaignRun(
            id: r["id"], campaignId: r["campaign_id"], holiday: try LocalDate(parsing: r["holiday_date"]),
            state: CampaignRun.State(rawValue: r["state"]) ?? .planning, budget: Money(fen: r["budget_fen"]),
            committed: Money(fen: r["committed_fen"]), targeted: r["targeted"], startedAt: date(ms: r["started_ms"]))
    }

    static func loadRun(_ db: SQLDatabase, _ id: Int64) throws -> CampaignRun {
        guard
            let r = try SQLRow.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM campaign_run WHERE id = ?"), arguments: [id])
        else {
            throw notFound(.campaignRun, "#\(id)")
        }
        return try campaignRun(from: r)
    }

    /// The order of `CampaignTarget.priority` in SQL (category rank, per-capita income, id), which
    /// is also the key of a page's cursor.
    static func priorityKey(_ dialect: SQLDialect) -> String {
        """
        CASE h.category WHEN 'deep' THEN 0 WHEN 'accident' THEN 1 WHEN 'relative' THEN 2 ELSE 3 END,
        CAST(\(dialect.jsonText("h.assessment", ["perCapitaMonthly"])) AS BIGINT), h.id
        """
    }

    static func visit(from r: SQLRow) throws -> Visit {
        Visit(
            id: r["id"], householdId: r["household_id"], archiveNo: r["archive_no"], unitId: r["unit_id"],
            runId: r["run_id"],
            visitor: r["visitor"], dueOn: try LocalDate(parsing: r["due_on"]), status: r["status"],
            visitedAt: (r["visited_ms"] as Int64?).map { date(ms: $0) }, visitedBy: r["visited_by"], note: r["note"],
            event: r["event"])
    }

    /// A page of visits in `units` matching `condition`, earliest due first; the cursor's key is
    /// the due day as yyyymmdd and the id.
    static func visits(
        _ db: SQLDatabase, where condition: String, _ arguments: SQLArguments, units: [String], page: Page
    ) throws -> [Visit] {
        var sql = """
            SELECT v.*, h.archive_no FROM visit v JOIN household h ON h.id = v.household_id
            WHERE \(condition) AND v.unit_id IN (\(StoreSQL.inList(units.count)))
            """
        var all = arguments + SQLArguments(units)
        if let after = page.afterKey, after.count == 2 {
            sql += " AND (v.due_on, v.id) > (?, ?)"
            all += [StoreSQL.dayText(after[0]), after[1]]
        }
        sql += " ORDER BY v.due_on, v.id LIMIT \(page.limit + 1)"
        return try SQLRow.fetchAll(db, sql: sql, arguments: all).map(StoreSQL.visit(from:))
    }

    /// The stored text of a day from its cursor key (`LocalDate.sortKey`) (a forged key only moves where the page starts).
    static func dayText(_ key: Int64) -> String {
        let year = key / 10_000
        let month = key / 100 % 100
        let day = key % 100
        return "\(String(repeating: "0", count: max(0, 4 - String(year).count)))\(year)-"
            + (month < 10 ? "0\(month)" : "\(month)") + "-" + (day < 10 ? "0\(day)" : "\(day)")
    }
}

extension SQLStore {

    public func startCampaignRun(campaignId: String, holiday: LocalDate, budget: Money, targeted: Int, at: Date)
        async throws -> CampaignRun
    {
        try await write { db in
            try CampaignDomain.start(
                SQLUnitOfWork(db: db), campaignId: campaignId, holiday: holiday, budget: budget, targeted: targeted,
                at: at)
        }
    }

    public func campaignRuns() async throws -> [CampaignRun] {
        try await read { db in
            try SQLRow.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM campaign_run ORDER BY holiday_date, campaign_id")
            )
            .map(StoreSQL.campaignRun(from:))
        }
    }

    public func campaignDecided(runId: Int64) async throws -> Set<Int64> {
        try await readAside { db in
            Set(
                try Int64.fetchAll(
                    db.cachedStatement(sql: "SELECT household_id FROM campaign_member WHERE run_id = ?"),
                    arguments: [runId]))
        }
    }

    public func recordCampaignBatch(
        runId: Int64, entries: [CampaignEntry], helpType: String, formJSON: String, visitDue: LocalDate, at: Date
    ) async throws -> CampaignRun {
        let policy = self.policy
        return try await write { db in
            try CampaignDomain.recordBatch(
                SQLUnitOfWork(db: db), runId: runId, entries: entries, helpType: helpType, formJSON: formJSON,
                visitDue: visitDue,
                at: at, policy: policy)
        }
    }

    public func finishCampaignRun(runId: Int64, at: Date) async throws {
        _ = try await write { db in
            try CampaignDomain.finishPlanning(SQLUnitOfWork(db: db), runId: runId, at: at)
            return Empty()
        }
    }

    public func campaignOf(caseId: Int64) async throws -> String? {
        try await read { db in
            try String.fetchOne(
                db.cachedStatement(
                    sql:
                        "SELECT r.campaign_id FROM campaign_member m JOIN campaign_run r ON r.id = m.run_id WHERE m.case_id = ?"
                ),
                arguments: [caseId])
        }
    }

    public func reopenCampaignRun(runId: Int64, by actor: Actor, at: Date) async throws -> CampaignRun {
        try await write { db in
            try CampaignDomain.reopen(SQLUnitOfWork(db: db), runId: runId, by: actor, at: at)
        }
    }

    public func firstActivity() async throws -> Date? {
        try await read { db in
            try (Int64.fetchOne(db, sql: "SELECT MIN(at_ms) FROM audit_log")).map { StoreSQL.date(ms: $0) }
        }
    }

    public func closeCampaignRun(runId: Int64, by actor: Actor, at: Date) async throws {
        _ = try await write { db in
            try CampaignDomain.close(SQLUnitOfWork(db: db), runId: runId, by: actor, at: at)
            return Empty()
        }
    }

    public func campaignProgress(runId: Int64, units: [String]?) async throws -> CampaignProgress {
        try await read { db in
            let run = try StoreSQL.loadRun(db, runId)
            // Counted over the households of `units` (all of them for the planner).
            let inUnits = units.map { units in " AND h.unit_id IN (\(StoreSQL.inList(units.count)))" } ?? ""
            let arguments = SQLArguments([runId]) + SQLArguments(units ?? [])
            func count(_ sql: String) throws -> Int {
                try Int.fetchOne(db, sql: sql + inUnits, arguments: arguments) ?? 0
            }
            let members =
                "SELECT COUNT(*) FROM campaign_member m JOIN household h ON h.id = m.household_id WHERE m.run_id = ?"
            return CampaignProgress(
                run: run,
                processed: try count(members),
                planned: try count(members + " AND m.outcome = 'planned'"),
                leftOut: try count(members + " AND m.outcome = 'left_out_budget'"),
                ineligible: try count(members + " AND m.outcome = 'ineligible'"),
                visited: try count(
                    "SELECT COUNT(*) FROM visit v JOIN household h ON h.id = v.household_id WHERE v.run_id = ? AND v.status = 'visited'"
                ),
                approved: try count(
                    """
                    SELECT COUNT(*) FROM campaign_member m JOIN help_case c ON c.id = m.case_id
                    JOIN household h ON h.id = m.household_id WHERE m.run_id = ?
                    AND c.state IN ('in_notice','objected','notice_passed','disbursing','active','closed')
                    """),
                paid: try count(
                    """
                    SELECT COUNT(DISTINCT d.case_id) FROM campaign_member m JOIN disbursement d ON d.case_id = m.case_id
                    JOIN household h ON h.id = m.household_id WHERE m.run_id = ?
                    """),
                budgetLeft: run.budget - run.committed)
        }
    }

    public func campaignMembers(runId: Int64, outcome: CampaignOutcome, units: [String], page: Page) async throws
        -> [(Household, Money, String)]
    {
        try await readAside { db in
            var sql = """
                SELECT h.*, m.amount_fen AS m_amount, m.reason AS m_reason FROM campaign_member m
                JOIN household h ON h.id = m.household_id
                WHERE m.run_id = ? AND m.outcome = ? AND h.unit_id IN (\(StoreSQL.inList(units.count)))
                """
            var arguments: SQLArguments = [runId, outcome.rawValue]
            arguments += SQLArguments(units)
            if let after = page.afterKey {
                sql += " AND (\(StoreSQL.priorityKey(db.dialect))) > (?, ?, ?)"
                arguments += SQLArguments(after)
            }
            sql += " ORDER BY \(StoreSQL.priorityKey(db.dialect)) LIMIT \(page.limit + 1)"
            return try SQLRow.fetchAll(db, sql: sql, arguments: arguments).map { row in
                (try StoreSQL.household(from: row), Money(fen: row["m_amount"]), (row["m_reason"] as String?) ?? "")
            }
        }
    }

    public func applyToRun(
        runId: Int64, unit: String, from state: CaseState, roles: Set<Role>,
        event: @escaping @Sendable (HelpCase, Money) -> CaseEvent, by actor: Actor, at: Date, dryRun: Bool = false
    ) async throws -> CampaignBatchResult {
        let policy = self.policy
        return try await write { db in
            try CampaignDomain.applyToRun(
                SQLUnitOfWork(db: db), runId: runId, unit: unit, from: state, roles: roles, event: event, by: actor,
                at: at, policy: policy, dryRun: dryRun)
        }
    }

    public func visits(runId: Int64, units: [String], page: Page) async throws -> [Visit] {
        try await readAside { db in
            try StoreSQL.visits(db, where: "v.run_id = ?", [runId], units: units, page: page)
        }
    }

    public func recordVisit(id: Int64, note: String, by actor: Actor, at: Date) async throws -> Visit {
        try await write { db in
            try CampaignDomain.recordVisit(SQLUnitOfWork(db: db), id: id, note: note, by: actor, at: at)
        }
    }
}
