import BangfuCore
import BangfuDomain
import Foundation
import GRDB

extension SQLiteStore {
    static func campaignRun(from r: Row) throws -> CampaignRun {
        CampaignRun(
            id: r["id"], campaignId: r["campaign_id"], holiday: try LocalDate(parsing: r["holiday_date"]),
            state: CampaignRun.State(rawValue: r["state"]) ?? .planning, budget: Money(fen: r["budget_fen"]),
            committed: Money(fen: r["committed_fen"]), targeted: r["targeted"], startedAt: date(ms: r["started_ms"]))
    }

    static func loadRun(_ db: Database, _ id: Int64) throws -> CampaignRun {
        guard
            let r = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM campaign_run WHERE id = ?"), arguments: [id])
        else {
            throw notFound("走访活动/campaign run", "#\(id)")
        }
        return try campaignRun(from: r)
    }

    public func startCampaignRun(campaignId: String, holiday: LocalDate, budget: Money, targeted: Int, at: Date)
        async throws -> CampaignRun
    {
        try await write { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO campaign_run(campaign_id, holiday_date, state, budget_fen, targeted, started_ms) VALUES (?, ?, 'planning', ?, ?, ?)
                    ON CONFLICT(campaign_id, holiday_date) DO NOTHING
                    """
            ).execute(arguments: [campaignId, holiday.description, budget.fen, targeted, SQLiteStore.ms(at)])
            if db.changesCount == 1 {
                try Audit.append(
                    db, at: at, actor: Actor.system.id, action: "campaign_start", entity: "campaign_run",
                    entityId: "\(campaignId)@\(holiday)", detail: ["budget": budget.fen, "targeted": Int64(targeted)])
            }
            return try SQLiteStore.campaignRun(
                from: try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM campaign_run WHERE campaign_id = ? AND holiday_date = ?"),
                    arguments: [campaignId, holiday.description])!)
        }
    }

    public func campaignRuns() async throws -> [CampaignRun] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM campaign_run ORDER BY holiday_date, campaign_id"))
                .map(SQLiteStore.campaignRun(from:))
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
        runId: Int64, entries: [CampaignEntry], helpType: String, formJSON: String, visitDue: LocalDate,
        at: Date
    ) async throws -> CampaignRun {
        let policy = self.policy
        return try await write { db in
            let work = SQLiteUnitOfWork(db: db)
            var run = try SQLiteStore.loadRun(db, runId)
            guard run.state == .planning else { return run }
            for e in entries {
                // Already decided (a batch repeated after a crash): nothing twice.
                if try Bool.fetchOne(
                    db.cachedStatement(
                        sql: "SELECT EXISTS(SELECT 1 FROM campaign_member WHERE run_id = ? AND household_id = ?)"),
                    arguments: [runId, e.householdId]) == true
                {
                    continue
                }
                var outcome = e.outcome
                var reason = e.reason
                if outcome == .planned && run.committed + e.amount > run.budget {
                    outcome = .leftOutBudget
                    reason = "budget"
                }
                var caseId: Int64?
                if outcome == .planned {
                    let app = CaseApplication(helpType: helpType, formJSON: formJSON)
                    let c = try CaseDomain.fileCase(
                        work, householdId: e.householdId, application: app, by: .system, at: at, policy: policy)
                    _ = try CaseDomain.apply(work, .submit, toCase: c.id, by: .system, at: at, policy: policy)
                    caseId = c.id
                    run.committed = run.committed + e.amount
                    // The paired helper visits; without one, the unit's pool does (visitor NULL).
                    let helper =
                        try e.visitor
                        ?? String.fetchOne(
                            db.cachedStatement(
                                sql:
                                    "SELECT helper FROM pairing WHERE household_id = ? AND until_ms IS NULL ORDER BY id LIMIT 1"
                            ),
                            arguments: [e.householdId])
                    try db.cachedStatement(
                        sql: """
                            INSERT INTO visit(household_id, unit_id, run_id, visitor, due_on, status) VALUES (?, ?, ?, ?, ?, 'planned')
                            """
                    ).execute(arguments: [e.householdId, c.unitId, runId, helper, visitDue.description])
                }
                try db.cachedStatement(
                    sql: """
                        INSERT INTO campaign_member(run_id, household_id, outcome, case_id, amount_fen, reason) VALUES (?, ?, ?, ?, ?, ?)
                        """
                ).execute(arguments: [
                    runId, e.householdId, outcome.rawValue, caseId, outcome == .planned ? e.amount.fen : 0, reason,
                ])
            }
            try db.cachedStatement(sql: "UPDATE campaign_run SET committed_fen = ? WHERE id = ?").execute(arguments: [
                run.committed.fen, runId,
            ])
            try Audit.append(
                db, at: at, actor: Actor.system.id, action: "campaign_batch", entity: "campaign_run",
                entityId: String(runId),
                detail: entries.map { "\($0.householdId):\($0.outcome.rawValue):\($0.amount.fen)" })
            return run
        }
    }

    public func finishCampaignRun(runId: Int64, at: Date) async throws {
        _ = try await write { db in
            try db.cachedStatement(sql: "UPDATE campaign_run SET state = 'planned' WHERE id = ? AND state = 'planning'")
                .execute(arguments: [runId])
            try Audit.append(
                db, at: at, actor: Actor.system.id, action: "campaign_planned", entity: "campaign_run",
                entityId: String(runId), detail: [runId])
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

    public func closeCampaignRun(runId: Int64, by actor: Actor, at: Date) async throws {
        _ = try await write { db in
            let run = try SQLiteStore.loadRun(db, runId)
            guard run.state == .planned else {
                throw BangfuError(
                    .invalidInput, zh: "活动尚未规划完成或已关闭", en: "the campaign run is still planning or already closed")
            }
            let tree = try SQLiteStore.loadTree(db)
            guard
                actor.isRoot
                    || actor.grants.contains(where: { $0.role == .approver && tree.path(of: $0.unitId).count == 1 })
            else {
                throw BangfuError(
                    .permissionDenied, zh: "关闭走访活动需要最上级单位的审批人", en: "closing a campaign needs an approver of a top unit"
                )
            }
            try db.cachedStatement(sql: "UPDATE campaign_run SET state = 'closed' WHERE id = ?").execute(arguments: [
                runId
            ])
            try db.cachedStatement(sql: "UPDATE visit SET status = 'cancelled' WHERE run_id = ? AND status = 'planned'")
                .execute(arguments: [runId])
            try Audit.append(
                db, at: at, actor: actor.id, action: "campaign_close", entity: "campaign_run", entityId: String(runId),
                detail: [runId])
            return Empty()
        }
    }

    public func campaignProgress(runId: Int64) async throws -> CampaignProgress {
        try await read { db in
            let run = try SQLiteStore.loadRun(db, runId)
            func count(_ sql: String) throws -> Int { try Int.fetchOne(db, sql: sql, arguments: [runId]) ?? 0 }
            return CampaignProgress(
                run: run,
                processed: try count("SELECT COUNT(*) FROM campaign_member WHERE run_id = ?"),
                planned: try count("SELECT COUNT(*) FROM campaign_member WHERE run_id = ? AND outcome = 'planned'"),
                leftOut: try count(
                    "SELECT COUNT(*) FROM campaign_member WHERE run_id = ? AND outcome = 'left_out_budget'"),
                ineligible: try count(
                    "SELECT COUNT(*) FROM campaign_member WHERE run_id = ? AND outcome = 'ineligible'"),
                visited: try count("SELECT COUNT(*) FROM visit WHERE run_id = ? AND status = 'visited'"),
                approved: try count(
                    """
                    SELECT COUNT(*) FROM campaign_member m JOIN help_case c ON c.id = m.case_id WHERE m.run_id = ?
                    AND c.state IN ('in_notice','objected','notice_passed','disbursing','active','closed')
                    """),
                paid: try count(
                    "SELECT COUNT(DISTINCT d.case_id) FROM campaign_member m JOIN disbursement d ON d.case_id = m.case_id WHERE m.run_id = ?"
                ),
                budgetLeft: run.budget - run.committed)
        }
    }

    public func campaignMembers(runId: Int64, outcome: CampaignOutcome) async throws -> [(Household, Money, String)] {
        try await read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT h.*, m.amount_fen AS m_amount, m.reason AS m_reason FROM campaign_member m JOIN household h ON h.id = m.household_id
                        WHERE m.run_id = ? AND m.outcome = ?
                        """), arguments: [runId, outcome.rawValue]
            ).map { r in
                (try SQLiteStore.household(from: r), Money(fen: r["m_amount"]), (r["m_reason"] as String?) ?? "")
            }.sorted { CampaignTarget.priority($0.0, $1.0) }
        }
    }

    public func applyToRun(
        runId: Int64, unit: String, from state: CaseState, event: @escaping @Sendable (HelpCase, Money) -> CaseEvent,
        by actor: Actor, at: Date
    ) async throws -> Int {
        let policy = self.policy
        return try await write { db in
            let work = SQLiteUnitOfWork(db: db)
            let tree = try SQLiteStore.loadTree(db)
            _ = try tree.require(unit)
            let units = tree.subtree(of: unit)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT c.id, m.amount_fen FROM campaign_member m JOIN help_case c ON c.id = m.case_id
                    WHERE m.run_id = ? AND c.state = ? AND c.unit_id IN (\(SQLiteStore.inList(units.count)))
                    ORDER BY c.id
                    """,
                arguments: StatementArguments([runId, state.rawValue] as [any DatabaseValueConvertible])
                    + StatementArguments(units))
            for r in rows {
                let c = try SQLiteStore.loadCase(db, id: r["id"])
                _ = try CaseDomain.apply(
                    work, event(c, Money(fen: r["amount_fen"])), toCase: c.id, by: actor, at: at, policy: policy)
            }
            return rows.count
        }
    }

    static func visit(from r: Row) throws -> Visit {
        Visit(
            id: r["id"], householdId: r["household_id"], archiveNo: r["archive_no"], unitId: r["unit_id"],
            runId: r["run_id"],
            visitor: r["visitor"], dueOn: try LocalDate(parsing: r["due_on"]), status: r["status"],
            visitedAt: (r["visited_ms"] as Int64?).map { date(ms: $0) }, visitedBy: r["visited_by"], note: r["note"],
            event: r["event"])
    }

    public func visits(runId: Int64?, units: [String]) async throws -> [Visit] {
        try await read { db in
            var sql =
                "SELECT v.*, h.archive_no FROM visit v JOIN household h ON h.id = v.household_id WHERE v.unit_id IN (\(SQLiteStore.inList(units.count)))"
            var args = StatementArguments(units)
            if let runId {
                sql += " AND v.run_id = ?"
                args += [runId]
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY v.due_on, v.id", arguments: args).map(
                SQLiteStore.visit(from:))
        }
    }

    public func recordVisit(id: Int64, note: String, by actor: Actor, at: Date) async throws -> Visit {
        try await write { db in
            guard
                let r = try Row.fetchOne(
                    db.cachedStatement(
                        sql:
                            "SELECT v.*, h.archive_no FROM visit v JOIN household h ON h.id = v.household_id WHERE v.id = ?"
                    ),
                    arguments: [id])
            else { throw SQLiteStore.notFound("走访/visit", "#\(id)") }
            let v = try SQLiteStore.visit(from: r)
            guard v.status == "planned" else {
                throw BangfuError(
                    .invalidInput, zh: "走访 #\(id) 已是 \(v.status) 状态", en: "visit #\(id) is already \(v.status)")
            }
            let tree = try SQLiteStore.loadTree(db)
            if v.visitor != actor.id {
                try actor.require(anyOf: [.helper, .caseworker], on: v.unitId, in: tree, for: "record_visit")
            }
            try db.execute(
                sql: "UPDATE visit SET status = 'visited', visited_ms = ?, visited_by = ?, note = ? WHERE id = ?",
                arguments: [SQLiteStore.ms(at), actor.id, note, id])
            try Audit.append(
                db, at: at, actor: actor.id, action: "visit", entity: "visit", entityId: String(id), detail: [note])
            return try SQLiteStore.visit(
                from: try Row.fetchOne(
                    db.cachedStatement(
                        sql:
                            "SELECT v.*, h.archive_no FROM visit v JOIN household h ON h.id = v.household_id WHERE v.id = ?"
                    ), arguments: [id])!)
        }
    }
}
