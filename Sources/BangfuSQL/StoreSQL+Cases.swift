import BangfuCore
import BangfuDomain
import Foundation

extension StoreSQL {
    /// The case columns in the order `helpCase(from:)` reads them: by position, because GRDB's
    /// lookup by name compares lower-cased names column by column, which showed in every profile.
    static let caseColumns = [
        "id", "case_no", "household_id", "unit_id", "help_type", "filed_by", "form", "cause", "temporary_aid",
        "approved_ms", "state", "reviewed_by", "approved_by", "plan", "notice_after", "notice_days",
        "notice_deadline_ms", "frozen_remaining", "instalments_paid", "repaid_fen", "reason", "version", "created_ms",
        "replaces",
    ]

    /// `SELECT` list of `caseColumns`, optionally qualified by a table alias.
    static func caseSelect(_ alias: String? = nil) -> String {
        caseColumns.map { column in alias.map { "\($0).\(column)" } ?? column }.joined(separator: ", ")
    }

    static let selectCase = "SELECT \(caseSelect()) FROM help_case"

    /// A case by number with its archive's number; built once (joining the column list on every
    /// read cost a fourteenth of a case read).
    static let selectCaseDetail = """
        SELECT \(caseSelect("c")), h.archive_no FROM help_case c JOIN household h ON h.id = c.household_id
        WHERE c.case_no = ?
        """

    /// Position of `created_ms` in `caseColumns`.
    static let createdColumn = 22

    static func helpCase(from r: SQLRow) throws -> HelpCase {
        var c = HelpCase(
            id: r[0], caseNo: r[1], householdId: r[2], unitId: r[3], helpType: r[4], filedBy: r[5], formJSON: r[6],
            cause: r[7], temporaryAid: r[8])
        c.approvedAt = (r[9] as Int64?).map { date(ms: $0) }
        guard let state = CaseState(rawValue: r[10]) else {
            throw BangfuError(.storage, zh: "案件 \(c.caseNo) 的状态无法识别", en: "case \(c.caseNo) has an unknown state")
        }
        c.state = state
        c.reviewedBy = r[11]
        c.approvedBy = r[12]
        c.plan = try (r[13] as String?).map(PlanText.plan)
        if let after = r[14] as String?, let days = r[15] as Int? {
            c.notice = NoticePeriod(countsAfter: try LocalDate(parsing: after), workingDays: days)
        }
        c.noticeDeadline = (r[16] as Int64?).map { date(ms: $0) }
        c.frozenRemainingDays = r[17]
        c.instalmentsPaid = r[18]
        c.repaid = Money(fen: r[19])
        c.reason = r[20]
        c.version = r[21]
        c.replaces = r[23]
        return c
    }

    static func loadCase(_ db: SQLDatabase, id: Int64) throws -> HelpCase {
        guard let r = try SQLRow.fetchOne(db.cachedStatement(sql: selectCase + " WHERE id = ?"), arguments: [id]) else {
            throw notFound(.helpCase, "#\(id)")
        }
        return try helpCase(from: r)
    }

    static func saveCase(_ db: SQLDatabase, _ c: HelpCase, at: Date) throws {
        try db.cachedStatement(
            sql: """
                UPDATE help_case SET state = ?, reviewed_by = ?, approved_by = ?, plan = ?, notice_after = ?, notice_days = ?,
                  notice_deadline_ms = ?, frozen_remaining = ?, instalments_paid = ?, repaid_fen = ?, reason = ?, version = ?,
                  updated_ms = ?, approved_ms = ?, form = ?, cause = ?
                WHERE id = ? AND version = ?
                """
        ).execute(arguments: [
            c.state.rawValue, c.reviewedBy, c.approvedBy, try c.plan.map(PlanText.text),
            c.notice?.countsAfter.description,
            c.notice?.workingDays, c.noticeDeadline.map(ms), c.frozenRemainingDays, c.instalmentsPaid, c.repaid.fen,
            c.reason, c.version, ms(at), c.approvedAt.map(ms), c.formJSON, c.cause, c.id, c.version - 1,
        ])
        guard db.changesCount == 1 else {
            throw BangfuError(
                .storage, zh: "案件 \(c.caseNo) 已被同时修改，请重试", en: "case \(c.caseNo) changed concurrently; retry")
        }
    }

    /// The domain's transition, with the archive number the reply shows read in the same transaction.
    static func apply(
        _ work: SQLUnitOfWork, _ event: CaseEvent, toCase id: Int64, by actor: Actor, at: Date, policy: Policy
    ) throws -> CaseOutcome {
        var outcome = try CaseDomain.apply(work, event, toCase: id, by: actor, at: at, policy: policy)
        outcome.archiveNo = try archiveNo(work.db, householdId: outcome.helpCase.householdId)
        return outcome
    }

    static func archiveNo(_ db: SQLDatabase, householdId: Int64) throws -> String? {
        try SQLRow.fetchOne(
            db.cachedStatement(sql: "SELECT archive_no FROM household WHERE id = ?"), arguments: [householdId]
        ).map { row in row[0] }
    }

    static func formVersions(_ db: SQLDatabase, caseId: Int64) throws -> [FormVersion] {
        try SQLRow.fetchAll(
            db.cachedStatement(
                sql: "SELECT version, form, at_ms, actor, note FROM case_form WHERE case_id = ? ORDER BY version"),
            arguments: [caseId]
        ).map { row in
            FormVersion(version: row[0], formJSON: row[1], at: date(ms: row[2]), actor: row[3], note: row[4])
        }
    }

    static func disbursement(_ db: SQLDatabase, caseId: Int64, instalment: Int) throws -> Disbursement? {
        try SQLRow.fetchOne(
            db.cachedStatement(sql: StoreSQL.selectDisbursement + " WHERE case_id = ? AND instalment = ?"),
            arguments: [caseId, instalment]
        )
        .map(disbursement(from:))
    }

    /// Disbursement columns in the order `disbursement(from:)` reads them (by position, as for cases).
    static let selectDisbursement =
        "SELECT case_id, instalment, fund_id, amount_fen, paid_ms, paid_by FROM disbursement"

    static func disbursement(from r: SQLRow) -> Disbursement {
        Disbursement(
            caseId: r[0], instalment: r[1], fundId: r[2], amount: Money(fen: r[3]), paidAt: date(ms: r[4]),
            paidBy: r[5],
            alreadyPaid: false)
    }

    static func summaries(_ db: SQLDatabase, householdId: Int64, zone: BusinessZone) throws -> [CaseSummary] {
        try SQLRow.fetchAll(
            db.cachedStatement(sql: selectCase + " WHERE household_id = ? ORDER BY id"), arguments: [householdId]
        ).map { r in
            let c = try helpCase(from: r)
            return CaseSummary(
                caseNo: c.caseNo, helpType: c.helpType, state: c.state,
                filedOn: zone.date(of: date(ms: r[createdColumn])),
                approvedOn: c.approvedAt.map(zone.date(of:)), total: c.plan?.total, isLoan: c.plan?.isLoan ?? false,
                cause: c.cause, temporaryAid: c.temporaryAid, formJSON: c.formJSON)
        }
    }

    static func events(_ db: SQLDatabase, caseId id: Int64) throws -> [CaseEventRecord] {
        try SQLRow.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT at_ms, actor, event, from_state, to_state, comment FROM case_event WHERE case_id = ? ORDER BY id
                    """), arguments: [id]
        ).map { r in
            // An entry written around the store (or by a later version) is an error, not a draft. The
            // message names no row: a case read reaches here before the caller's role on the case is
            // checked, and the caller already knows which case it asked for.
            guard let event = CaseEventKind(rawValue: r[2]), let from = CaseState(rawValue: r[3]),
                let to = CaseState(rawValue: r[4])
            else {
                throw BangfuError(
                    .storage, zh: "该案件有一条无法识别的经办记录：事件或状态不在已知之列，请运行 bangfu-db verify",
                    en: "the case has a history entry with an unknown event or state: run bangfu-db verify")
            }
            return CaseEventRecord(
                at: StoreSQL.date(ms: r[0]), actor: r[1], event: event, from: from, to: to, comment: r[5])
        }
    }

}

extension SQLStore {
    public func caseDetail(caseNo: String) async throws -> CaseDetail {
        try await read { db in
            guard
                let r = try SQLRow.fetchOne(db.cachedStatement(sql: StoreSQL.selectCaseDetail), arguments: [caseNo])
            else {
                throw StoreSQL.notFound(.helpCase, caseNo)
            }
            let c = try StoreSQL.helpCase(from: r)
            var detail = CaseDetail(
                helpCase: c, archiveNo: r[StoreSQL.caseColumns.count],
                events: try StoreSQL.events(db, caseId: c.id),
                disbursements: try StoreSQL.disbursements(db, caseId: c.id), unitTree: try StoreSQL.loadTree(db))
            detail.formVersions = try StoreSQL.formVersions(db, caseId: c.id)
            return detail
        }
    }

    public func archiveNumbers(householdIds: [Int64]) async throws -> [Int64: String] {
        try await read { db in
            var out: [Int64: String] = [:]
            let ids = Array(Set(householdIds))
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[start..<min(start + 500, ids.count)])
                for r in try SQLRow.fetchAll(
                    db, sql: "SELECT id, archive_no FROM household WHERE id IN (\(StoreSQL.inList(chunk.count)))",
                    arguments: SQLArguments(chunk))
                {
                    out[r["id"]] = r["archive_no"]
                }
            }
            return out
        }
    }

    public func casesWithNoticeDue(at: Date) async throws -> [Int64] {
        try await read { db in
            try Int64.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT id FROM help_case WHERE state = 'in_notice' AND notice_deadline_ms <= ? ORDER BY notice_deadline_ms, id
                        """), arguments: [StoreSQL.ms(at)])
        }
    }

    public func nextNoticeDeadline() async throws -> Date? {
        try await read { db in
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT MIN(notice_deadline_ms) FROM help_case WHERE state = 'in_notice'")
            ).map { StoreSQL.date(ms: $0) }
        }
    }

    public func fileCase(householdId: Int64, application: CaseApplication, by actor: Actor, at: Date) async throws
        -> HelpCase
    {
        try CaseDomain.checkApplication(application)
        let policy = self.policy
        return try await write { db in
            try CaseDomain.fileCase(
                SQLUnitOfWork(db: db), householdId: householdId, application: application, by: actor, at: at,
                policy: policy)
        }
    }

    public func apply(_ event: CaseEvent, toCase id: Int64, by actor: Actor, at: Date) async throws -> CaseOutcome {
        let policy = self.policy
        return try await write { db in
            try StoreSQL.apply(SQLUnitOfWork(db: db), event, toCase: id, by: actor, at: at, policy: policy)
        }
    }

    public func apply(_ event: CaseEvent, toCaseNo caseNo: String, by actor: Actor, at: Date) async throws
        -> CaseOutcome
    {
        let policy = self.policy
        return try await write { db in
            let work = SQLUnitOfWork(db: db)
            guard let id = try work.helpCase(caseNo: caseNo)?.id else { throw StoreSQL.notFound(.helpCase, caseNo) }
            return try StoreSQL.apply(work, event, toCase: id, by: actor, at: at, policy: policy)
        }
    }

    public func caseSummaries(householdIds: [Int64]) async throws -> [Int64: [CaseSummary]] {
        let zone = policy.caseRules.zone
        return try await readAside { db in
            var out: [Int64: [CaseSummary]] = [:]
            for chunk in stride(from: 0, to: householdIds.count, by: 500).map({
                Array(householdIds[$0..<min($0 + 500, householdIds.count)])
            }) {
                let rows = try SQLRow.fetchAll(
                    db,
                    sql: StoreSQL.selectCase
                        + " WHERE household_id IN (\(StoreSQL.inList(chunk.count))) ORDER BY id",
                    arguments: SQLArguments(chunk))
                for r in rows {
                    let c = try StoreSQL.helpCase(from: r)
                    out[c.householdId, default: []].append(
                        CaseSummary(
                            caseNo: c.caseNo, helpType: c.helpType, state: c.state,
                            filedOn: zone.date(of: StoreSQL.date(ms: r[StoreSQL.createdColumn])),
                            approvedOn: c.approvedAt.map(zone.date(of:)), total: c.plan?.total,
                            isLoan: c.plan?.isLoan ?? false,
                            cause: c.cause, temporaryAid: c.temporaryAid, formJSON: c.formJSON))
                }
            }
            return out
        }
    }

    public func caseSummaries(householdId: Int64) async throws -> [CaseSummary] {
        let zone = policy.caseRules.zone
        return try await read { db in try StoreSQL.summaries(db, householdId: householdId, zone: zone) }
    }

    public func cases(helpType: String) async throws -> [HelpCase] {
        try await readAside { db in
            try SQLRow.fetchAll(
                db.cachedStatement(sql: StoreSQL.selectCase + " WHERE help_type = ? ORDER BY id"),
                arguments: [helpType]
            )
            .map(StoreSQL.helpCase(from:))
        }
    }

    public func cases(units: [String], state: CaseState?) async throws -> [HelpCase] {
        try await cases(units: units, state: state, page: nil)
    }

    public func cases(units: [String], states: [CaseState], page: Page) async throws -> [HelpCase] {
        try await readAside { db in
            try StoreSQL.rowsInUnits(
                db, table: "help_case", columns: StoreSQL.caseSelect(), units: units, column: "state",
                values: states.map(\.rawValue), page: page
            ).map(StoreSQL.helpCase(from:))
        }
    }

    public func caseCounts(units: [String]) async throws -> [CaseState: Int] {
        try await readAside { db in
            var counts: [CaseState: Int] = [:]
            for row in try SQLRow.fetchAll(
                db,
                sql:
                    "SELECT state, COUNT(*) AS n FROM help_case WHERE unit_id IN (\(StoreSQL.inList(units.count))) GROUP BY 1",
                arguments: SQLArguments(units))
            {
                if let state = CaseState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    public func cases(units: [String], state: CaseState?, page: Page?) async throws -> [HelpCase] {
        try await readAside { db in
            try StoreSQL.rowsInUnits(
                db, table: "help_case", columns: StoreSQL.caseSelect(), units: units, column: "state",
                value: state?.rawValue, page: page
            ).map(StoreSQL.helpCase(from:))
        }
    }

    public func helpCase(id: Int64) async throws -> HelpCase {
        try await read { db in try StoreSQL.loadCase(db, id: id) }
    }

    public func helpCase(caseNo: String) async throws -> HelpCase {
        try await read { db in
            guard
                let r = try SQLRow.fetchOne(
                    db.cachedStatement(sql: StoreSQL.selectCase + " WHERE case_no = ?"), arguments: [caseNo])
            else {
                throw StoreSQL.notFound(.helpCase, caseNo)
            }
            return try StoreSQL.helpCase(from: r)
        }
    }

    public func caseEvents(id: Int64) async throws -> [CaseEventRecord] {
        try await read { db in try StoreSQL.events(db, caseId: id) }
    }
}
