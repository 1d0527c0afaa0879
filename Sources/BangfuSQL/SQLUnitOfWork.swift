import BangfuCore
import BangfuDomain
import Foundation

/// The domain's transaction handle on SQLite: the SQL of each narrow read and write, no rules.
struct SQLUnitOfWork: UnitOfWork {
    let db: SQLDatabase

    func unitTree() throws -> UnitTree { try StoreSQL.loadTree(db) }

    func storedUnits() throws -> [String: OrgUnit] {
        let rows = try SQLRow.fetchAll(db.cachedStatement(sql: "SELECT id, name, parent_id, level FROM org_unit"))
        return try Dictionary(
            uniqueKeysWithValues: rows.map { row in
                guard let level = UnitLevel(rawValue: row["level"]) else {
                    throw BangfuError(
                        .storage, zh: "单位层级无效：\(row["id"] as String)",
                        en: "unit level not known: \(row["id"] as String)")
                }
                let unit = OrgUnit(id: row["id"], name: row["name"], parentId: row["parent_id"], level: level)
                return (unit.id, unit)
            })
    }

    func saveUnit(_ unit: OrgUnit) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO org_unit(id, name, parent_id, level) VALUES (?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET name = excluded.name, parent_id = excluded.parent_id, level = excluded.level
                """
        ).execute(arguments: [unit.id, unit.name, unit.parentId, unit.level.rawValue])
    }

    func household(id: Int64) throws -> Household { try StoreSQL.loadHousehold(db, id: id) }

    func helpCase(id: Int64) throws -> HelpCase { try StoreSQL.loadCase(db, id: id) }

    func helpCase(caseNo: String) throws -> HelpCase? {
        try SQLRow.fetchOne(db.cachedStatement(sql: StoreSQL.selectCase + " WHERE case_no = ?"), arguments: [caseNo])
            .map(StoreSQL.helpCase(from:))
    }

    func keepFormVersion(caseId: Int64, next formJSON: String, at: Date, actor: String, note: String) throws {
        // Version 1 is the form as filed, copied from the case before it changes.
        try db.cachedStatement(
            sql: """
                INSERT INTO case_form(case_id, version, form, at_ms, actor, note)
                SELECT id, 1, form, created_ms, filed_by, '原始申请' FROM help_case
                WHERE id = ? AND NOT EXISTS (SELECT 1 FROM case_form WHERE case_id = ?)
                """
        ).execute(arguments: [caseId, caseId])
        try db.cachedStatement(
            sql: """
                INSERT INTO case_form(case_id, version, form, at_ms, actor, note)
                SELECT ?, MAX(version) + 1, ?, ?, ?, ? FROM case_form WHERE case_id = ?
                """
        ).execute(arguments: [caseId, formJSON, StoreSQL.ms(at), actor, note, caseId])
    }

    func formVersions(caseId: Int64) throws -> [FormVersion] {
        try StoreSQL.formVersions(db, caseId: caseId)
    }

    func caseSummaries(householdId: Int64, zone: BusinessZone) throws -> [CaseSummary] {
        try StoreSQL.summaries(db, householdId: householdId, zone: zone)
    }

    func nextNumber(_ sequence: String) throws -> Int { try StoreSQL.nextNumber(db, sequence) }

    func insertCase(_ draft: HelpCase, at: Date) throws -> HelpCase {
        let insertedId = try db.cachedStatement(
            sql: """
                INSERT INTO help_case(case_no, household_id, unit_id, help_type, state, filed_by, version, created_ms, updated_ms,
                                      form, cause, temporary_aid, replaces)
                VALUES (?, ?, ?, ?, 'draft', ?, 0, ?, ?, ?, ?, ?, ?)
                """
        ).insert(arguments: [
            draft.caseNo, draft.householdId, draft.unitId, draft.helpType, draft.filedBy, StoreSQL.ms(at),
            StoreSQL.ms(at), draft.formJSON, draft.cause, draft.temporaryAid, draft.replaces,
        ])
        var filed = draft
        filed.id = insertedId
        return filed
    }

    func saveCase(_ helpCase: HelpCase, at: Date) throws { try StoreSQL.saveCase(db, helpCase, at: at) }

    func appendCaseEvent(
        caseId: Int64, at: Date, actor: String, event: CaseEventKind, from: CaseState, to: CaseState,
        comment: String?
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO case_event(case_id, at_ms, actor, event, from_state, to_state, comment) VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [caseId, StoreSQL.ms(at), actor, event.rawValue, from.rawValue, to.rawValue, comment])
    }

    func openArchiveHolding(_ idNumber: IDNumber, except: Int64?) throws -> (archiveNo: String, unitId: String)? {
        try SQLRow.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT h.archive_no, h.unit_id FROM household_person p JOIN household h ON h.id = p.household_id
                    WHERE p.id_number = ? AND p.is_open = 1 AND p.household_id IS DISTINCT FROM ?
                    """), arguments: [idNumber.value, except]
        ).map { row in (row[0], row[1]) }
    }

    func insertHousehold(_ household: Household) throws -> Int64 {
        let insertedId = try db.cachedStatement(
            sql: """
                INSERT INTO household(archive_no, unit_id, status, category, data, assessment, review_due, created_ms, version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)
                """
        ).insert(arguments: [
            household.archiveNo, household.input.unitId, household.status.rawValue,
            household.assessment.category?.rawValue, try StoreSQL.json(household.input),
            try StoreSQL.json(household.assessment), household.reviewDue.description,
            StoreSQL.ms(household.createdAt),
        ])
        return insertedId
    }

    func updateHousehold(_ household: Household) throws {
        try db.cachedStatement(
            sql: """
                UPDATE household SET unit_id = ?, status = ?, category = ?, data = ?, assessment = ?, review_due = ?,
                  closed_ms = ?, exit_reason = ?, erased_ms = ?, version = version + 1 WHERE id = ?
                """
        ).execute(arguments: [
            household.input.unitId, household.status.rawValue, household.assessment.category?.rawValue,
            try StoreSQL.json(household.input), try StoreSQL.json(household.assessment),
            household.reviewDue.description, household.closedAt.map(StoreSQL.ms), household.exitReason?.rawValue,
            household.erasedAt.map(StoreSQL.ms), household.id,
        ])
    }

    func replacePersons(householdId: Int64, idNumbers: [IDNumber], open: Bool) throws {
        try db.cachedStatement(sql: "DELETE FROM household_person WHERE household_id = ?").execute(arguments: [
            householdId
        ])
        for idNumber in idNumbers {
            try db.cachedStatement(
                sql: "INSERT INTO household_person(household_id, id_number, is_open) VALUES (?, ?, ?)"
            )
            .execute(arguments: [householdId, idNumber.value, open ? 1 : 0])
        }
    }

    func appendArchiveHistory(householdId: Int64, _ changes: [ArchiveChange]) throws {
        try StoreSQL.writeHistory(db, householdId, changes)
    }

    func undoingOnError<T>(_ body: () throws -> T) throws -> T {
        try db.inSavepoint(body)
    }

    func erasePersonalValues(householdId: Int64, at: Date) throws -> Int {
        try PersonalValues.erase(db, household: householdId, at: at)
    }

    func unfinishedCases(householdId: Int64) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT COUNT(*) FROM help_case WHERE household_id = ? AND state NOT IN ('closed','rejected','withdrawn')
                    """), arguments: [householdId]) ?? 0
    }

    func fund(id: String) throws -> FundAccount { try StoreSQL.loadFund(db, id: id) }

    func fundExists(id: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS(SELECT 1 FROM fund WHERE id = ?)"), arguments: [id])
            ?? false
    }

    func insertFund(_ fund: FundAccount, at: Date) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO fund(id, name, unit_id, source, donor, help_types, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            fund.id, fund.name, fund.unitId, fund.source.rawValue, fund.donor, try StoreSQL.json(fund.helpTypes),
            StoreSQL.ms(at),
        ])
    }

    func balance(fundId: String) throws -> Money { try StoreSQL.fundBalance(db, fundId) }

    func postLedger(
        kind: LedgerKind, at: Date, businessDate: LocalDate, actor: String, memo: String?, caseId: Int64?,
        instalment: Int?, postings: [(account: String, fen: Int64)]
    ) throws -> Int64 {
        let insertedId = try db.cachedStatement(
            sql: """
                INSERT INTO ledger_txn(kind, at_ms, business_date, actor, memo, case_id, instalment) VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).insert(arguments: [
            kind.rawValue, StoreSQL.ms(at), businessDate.description, actor, memo, caseId, instalment,
        ])
        let transaction = insertedId
        for posting in postings {
            try db.cachedStatement(sql: "INSERT INTO ledger_posting(txn_id, account, amount_fen) VALUES (?, ?, ?)")
                .execute(arguments: [transaction, posting.account, posting.fen])
        }
        return transaction
    }

    func disbursement(caseId: Int64, instalment: Int) throws -> Disbursement? {
        try StoreSQL.disbursement(db, caseId: caseId, instalment: instalment)
    }

    func firstPaymentFund(caseId: Int64) throws -> String? {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT fund_id FROM disbursement WHERE case_id = ? ORDER BY instalment LIMIT 1"),
            arguments: [caseId])
    }

    func insertDisbursement(_ paid: Disbursement, ledgerTransaction: Int64) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO disbursement(case_id, instalment, fund_id, amount_fen, txn_id, paid_ms, paid_by) VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            paid.caseId, paid.instalment, paid.fundId, paid.amount.fen, ledgerTransaction, StoreSQL.ms(paid.paidAt),
            paid.paidBy,
        ])
    }

    func insertTransfer(_ transfer: PendingTransfer) throws -> Int64 {
        let insertedId = try db.cachedStatement(
            sql: """
                INSERT INTO fund_transfer(from_fund, to_fund, amount_fen, reason, requested_by, requested_ms, expires_ms, state)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')
                """
        ).insert(arguments: [
            transfer.from, transfer.to, transfer.amount.fen, transfer.reason, transfer.requestedBy,
            StoreSQL.ms(transfer.requestedAt), StoreSQL.ms(transfer.expiresAt),
        ])
        return insertedId
    }

    func transfer(id: Int64) throws -> PendingTransfer? {
        try SQLRow.fetchOne(db.cachedStatement(sql: StoreSQL.selectTransfer + " WHERE id = ?"), arguments: [id]).map(
            StoreSQL.transfer(from:))
    }

    func decideTransfer(_ transfer: PendingTransfer, ledgerTransaction: Int64?) throws {
        try db.cachedStatement(
            sql: """
                UPDATE fund_transfer SET state = ?, decided_by = ?, decided_ms = ?, note = ?, txn_id = ? WHERE id = ? AND state = 'pending'
                """
        ).execute(arguments: [
            transfer.state.rawValue, transfer.decidedBy, transfer.decidedAt.map(StoreSQL.ms), transfer.note,
            ledgerTransaction, transfer.id,
        ])
        guard db.changesCount == 1 else {
            throw BangfuError(
                .storage, zh: "资金调拨 #\(transfer.id) 已被同时处理，请重试",
                en: "transfer #\(transfer.id) was decided concurrently; retry")
        }
    }

    func household(archiveNo: String) throws -> Household { try StoreSQL.loadHousehold(db, archiveNo: archiveNo) }

    func caseRef(caseNo: String) throws -> (id: Int64, unitId: String)? {
        try SQLRow.fetchOne(
            db.cachedStatement(sql: "SELECT id, unit_id FROM help_case WHERE case_no = ?"), arguments: [caseNo]
        )
        .map { row in (row[0], row[1]) }
    }

    func pairedHelper(householdId: Int64) throws -> String? {
        try String.fetchOne(
            db.cachedStatement(
                sql: "SELECT helper FROM pairing WHERE household_id = ? AND until_ms IS NULL ORDER BY id LIMIT 1"),
            arguments: [householdId])
    }

    func isPaired(householdId: Int64, helper: String) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(
                sql: "SELECT EXISTS(SELECT 1 FROM pairing WHERE household_id = ? AND helper = ? AND until_ms IS NULL)"),
            arguments: [householdId, helper]) ?? false
    }

    func startPairing(householdId: Int64, helper: String, at: Date) throws {
        try db.cachedStatement(sql: "INSERT INTO pairing(household_id, helper, since_ms) VALUES (?, ?, ?)")
            .execute(arguments: [householdId, helper, StoreSQL.ms(at)])
    }

    func endPairing(householdId: Int64, helper: String, at: Date) throws -> Int {
        try db.cachedStatement(
            sql: "UPDATE pairing SET until_ms = ? WHERE household_id = ? AND helper = ? AND until_ms IS NULL"
        )
        .execute(arguments: [StoreSQL.ms(at), householdId, helper])
        return db.changesCount
    }

    func householdsPaired(with helper: String, units: [String]) throws -> [Int64] {
        try Int64.fetchAll(
            db,
            sql: """
                SELECT p.household_id FROM pairing p JOIN household h ON h.id = p.household_id
                WHERE p.helper = ? AND p.until_ms IS NULL AND h.unit_id IN (\(StoreSQL.inList(units.count))) ORDER BY p.household_id
                """, arguments: SQLArguments([helper]) + SQLArguments(units))
    }

    func moveVisits(householdId: Int64, from: String, to: String) throws {
        try db.cachedStatement(
            sql: "UPDATE visit SET visitor = ? WHERE household_id = ? AND visitor = ? AND status = 'planned'"
        )
        .execute(arguments: [to, householdId, from])
    }

    func insertContact(householdId: Int64, helper: String, kind: String, at: Date, note: String?) throws {
        try db.cachedStatement(
            sql: "INSERT INTO contact(household_id, helper, kind, at_ms, note) VALUES (?, ?, ?, ?, ?)"
        )
        .execute(arguments: [householdId, helper, kind, StoreSQL.ms(at), note])
    }

    func recordIncome(householdId: Int64, month: String, perCapita: Money, at: Date) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO income_record(household_id, month, per_capita_fen, recorded_ms) VALUES (?, ?, ?, ?)
                ON CONFLICT(household_id, month) DO UPDATE SET per_capita_fen = excluded.per_capita_fen, recorded_ms = excluded.recorded_ms
                """
        ).execute(arguments: [householdId, month, perCapita.fen, StoreSQL.ms(at)])
    }

    func insertReception(
        _ reception: Reception, householdId: Int64?, caseId: Int64?, by: String, at: Date, businessDate: LocalDate
    )
        throws -> Int64
    {
        let insertedId = try db.cachedStatement(
            sql: """
                INSERT INTO reception(at_ms, business_date, unit_id, channel, kind, outcome, household_id, case_id, recorded_by, note)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).insert(arguments: [
            StoreSQL.ms(at), businessDate.description, reception.unitId, reception.channel, reception.kind,
            reception.outcome,
            householdId, caseId, by, reception.note,
        ])
        return insertedId
    }

    func insertVisit(
        householdId: Int64, unitId: String, runId: Int64?, visitor: String?, dueOn: LocalDate, mustVisitEvent: String?,
        note: String?
    ) throws -> Visit {
        let insertedId = try db.cachedStatement(
            sql: """
                INSERT INTO visit(household_id, unit_id, run_id, visitor, due_on, status, kind, event, note)
                VALUES (?, ?, ?, ?, ?, 'planned', ?, ?, ?)
                """
        ).insert(arguments: [
            householdId, unitId, runId, visitor, dueOn.description, mustVisitEvent == nil ? "campaign" : "must_visit",
            mustVisitEvent,
            note,
        ])
        return try visit(id: insertedId)!
    }

    func visit(id: Int64) throws -> Visit? {
        try SQLRow.fetchOne(
            db.cachedStatement(
                sql: "SELECT v.*, h.archive_no FROM visit v JOIN household h ON h.id = v.household_id WHERE v.id = ?"),
            arguments: [id]
        ).map(StoreSQL.visit(from:))
    }

    func markVisited(id: Int64, by: String, at: Date, note: String) throws -> Visit {
        try db.cachedStatement(
            sql: "UPDATE visit SET status = 'visited', visited_ms = ?, visited_by = ?, note = ? WHERE id = ?"
        )
        .execute(arguments: [StoreSQL.ms(at), by, note, id])
        return try visit(id: id)!
    }

    func campaignRun(id: Int64) throws -> CampaignRun? {
        try SQLRow.fetchOne(db.cachedStatement(sql: "SELECT * FROM campaign_run WHERE id = ?"), arguments: [id])
            .map(StoreSQL.campaignRun(from:))
    }

    func campaignRun(campaignId: String, holiday: LocalDate, budget: Money, targeted: Int, at: Date) throws
        -> (run: CampaignRun, inserted: Bool)
    {
        try db.cachedStatement(
            sql: """
                INSERT INTO campaign_run(campaign_id, holiday_date, state, budget_fen, targeted, started_ms) VALUES (?, ?, 'planning', ?, ?, ?)
                ON CONFLICT(campaign_id, holiday_date) DO NOTHING
                """
        ).execute(arguments: [campaignId, holiday.description, budget.fen, targeted, StoreSQL.ms(at)])
        let inserted = db.changesCount == 1
        let run = try StoreSQL.campaignRun(
            from: try SQLRow.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM campaign_run WHERE campaign_id = ? AND holiday_date = ?"),
                arguments: [campaignId, holiday.description])!)
        return (run, inserted)
    }

    func setCampaignRun(id: Int64, state: CampaignRun.State, committed: Money) throws {
        try db.cachedStatement(sql: "UPDATE campaign_run SET state = ?, committed_fen = ? WHERE id = ?")
            .execute(arguments: [state.rawValue, committed.fen, id])
    }

    func isCampaignMember(runId: Int64, householdId: Int64) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(
                sql: "SELECT EXISTS(SELECT 1 FROM campaign_member WHERE run_id = ? AND household_id = ?)"),
            arguments: [runId, householdId]) ?? false
    }

    func insertCampaignMember(
        runId: Int64, householdId: Int64, outcome: CampaignOutcome, caseId: Int64?, amount: Money, reason: String?
    )
        throws
    {
        try db.cachedStatement(
            sql:
                "INSERT INTO campaign_member(run_id, household_id, outcome, case_id, amount_fen, reason) VALUES (?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [runId, householdId, outcome.rawValue, caseId, amount.fen, reason])
    }

    func campaignCases(runId: Int64, units: [String], state: CaseState) throws -> [(caseId: Int64, amount: Money)] {
        try SQLRow.fetchAll(
            db,
            sql: """
                SELECT c.id, m.amount_fen FROM campaign_member m JOIN help_case c ON c.id = m.case_id
                WHERE m.run_id = ? AND c.state = ? AND c.unit_id IN (\(StoreSQL.inList(units.count)))
                ORDER BY c.id
                """,
            arguments: SQLArguments([runId, state.rawValue] as [any SQLValueConvertible])
                + SQLArguments(units)
        ).map { row in (row[0], Money(fen: row[1])) }
    }

    func cancelPlannedVisits(runId: Int64) throws {
        try db.cachedStatement(sql: "UPDATE visit SET status = 'cancelled' WHERE run_id = ? AND status = 'planned'")
            .execute(arguments: [runId])
    }

    func audit(at: Date, actor: String, action: String, entity: String, entityId: String) throws {
        try db.driver.appendAudit(at: at, actor: actor, action: action, entity: entity, entityId: entityId)
    }
}
