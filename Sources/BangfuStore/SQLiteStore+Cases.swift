import BangfuCore
import Foundation
import GRDB

extension SQLiteStore {
    /// The case columns in the order `helpCase(from:)` reads them: by position, because GRDB's
    /// lookup by name compares lower-cased names column by column, which showed in every profile.
    static let caseColumns = ["id", "case_no", "household_id", "unit_id", "help_type", "filed_by", "form", "cause", "temporary_aid",
                              "approved_ms", "state", "reviewed_by", "approved_by", "plan", "notice_after", "notice_days",
                              "notice_deadline_ms", "frozen_remaining", "instalments_paid", "repaid_fen", "reason", "version", "created_ms"]
    /// `SELECT` list of `caseColumns`, optionally qualified by a table alias.
    static func caseSelect(_ alias: String? = nil) -> String {
        caseColumns.map { column in alias.map { "\($0).\(column)" } ?? column }.joined(separator: ", ")
    }
    static let selectCase = "SELECT \(caseSelect()) FROM help_case"
    /// Position of `created_ms` in `caseColumns`.
    static let createdColumn = 22

    static func helpCase(from r: Row) throws -> HelpCase {
        var c = HelpCase(id: r[0], caseNo: r[1], householdId: r[2], unitId: r[3], helpType: r[4], filedBy: r[5], formJSON: r[6],
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
        return c
    }

    static func loadCase(_ db: Database, id: Int64) throws -> HelpCase {
        guard let r = try Row.fetchOne(db.cachedStatement(sql: selectCase + " WHERE id = ?"), arguments: [id]) else {
            throw notFound("案件/case", "#\(id)")
        }
        return try helpCase(from: r)
    }

    public func fileCase(householdId: Int64, application app: CaseApplication, by actor: Actor, at: Date) async throws -> HelpCase {
        let helpType = app.helpType
        guard (try? JSONSerialization.jsonObject(with: Data(app.formJSON.utf8))) is [String: Any] else {
            throw BangfuError(.invalidInput, zh: "申请表不是 JSON 对象", en: "the application form is not a JSON object")
        }
        let rules = policy.hostRules
        guard !helpType.isEmpty, helpType.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw BangfuError(.invalidInput, zh: "帮扶项目代码“\(helpType)”无效", en: "help type id \"\(helpType)\" is invalid")
        }
        let zone = policy.caseRules.zone
        let today = zone.date(of: at)
        return try await write { db in
            try SQLiteStore.insertCase(db, householdId: householdId, app: app, actor: actor, at: at, today: today, zone: zone, rules: rules)
        }
    }

    /// Files a case inside a transaction the caller holds.
    static func insertCase(_ db: Database, householdId: Int64, app: CaseApplication, actor: Actor, at: Date, today: LocalDate,
                           zone: BusinessZone, rules: HostRules, tree knownTree: UnitTree? = nil) throws -> HelpCase {
            let helpType = app.helpType
            let tree = try knownTree ?? SQLiteStore.loadTree(db)
            let h = try SQLiteStore.householdForChange(db, id: householdId, actor: actor, roles: [.caseworker, .system], tree: tree,
                                                       for: "file_case")
            // 依档帮扶: no case without an open archive.
            guard h.status == .open else {
                throw BangfuError(.archiveClosed, zh: "档案 \(h.archiveNo) 已关闭，不能申请帮扶：如重新陷入困难请先办理返困",
                                  en: "archive \(h.archiveNo) is closed; no help can be applied for: re-enter it first")
            }
            try rules.checkFiling(app, on: today, prior: try SQLiteStore.summaries(db, householdId: h.id, zone: zone))
            let no = SQLiteStore.formatNumber("BF", today.year, try SQLiteStore.nextNumber(db, "case:\(today.year)"))
            try db.cachedStatement(sql: """
                INSERT INTO help_case(case_no, household_id, unit_id, help_type, state, filed_by, version, created_ms, updated_ms,
                                      form, cause, temporary_aid)
                VALUES (?, ?, ?, ?, 'draft', ?, 0, ?, ?, ?, ?, ?)
                """).execute(arguments: [no, h.id, h.input.unitId, helpType, actor.id, SQLiteStore.ms(at), SQLiteStore.ms(at),
                                 app.formJSON, app.cause, app.temporaryAid])
            let c = HelpCase(id: db.lastInsertedRowID, caseNo: no, householdId: h.id, unitId: h.input.unitId,
                             helpType: helpType, filedBy: actor.id, formJSON: app.formJSON, cause: app.cause, temporaryAid: app.temporaryAid)
            try Audit.append(db, at: at, actor: actor.id, action: "file_case", entity: "case", entityId: no,
                             detail: ["household": h.archiveNo, "help_type": helpType])
            return c
    }

    public func apply(_ event: CaseEvent, toCase id: Int64, by actor: Actor, at: Date) async throws -> CaseOutcome {
        let rules = policy.caseRules
        let hostRules = policy.hostRules
        return try await write { db in
            try SQLiteStore.applyEvent(db, event, caseId: id, actor: actor, at: at, rules: rules, hostRules: hostRules)
        }
    }

    /// One event inside a transaction the caller holds: roles, the machine, money, history, audit.
    static func applyEvent(_ db: Database, _ event: CaseEvent, caseId id: Int64, actor: Actor, at: Date, rules: CaseRules,
                           hostRules: HostRules, tree knownTree: UnitTree? = nil) throws -> CaseOutcome {
            let c = try SQLiteStore.loadCase(db, id: id)
            let tree = try knownTree ?? SQLiteStore.loadTree(db)
            // Who may see the case is settled before anything about its state or payments is told.
            let record = RecordRef(.helpCase, c.caseNo)
            try actor.requireRead(record, unit: c.unitId, in: tree)
            // A retried payment finds the first one and pays nothing more, told only to whoever may pay it.
            if case .payInstalment(let n, _) = event, let paid = try SQLiteStore.disbursement(db, caseId: id, instalment: n) {
                try actor.require(anyOf: [.treasurer, .system], on: record, unit: c.unitId, in: tree, for: event.kind.rawValue)
                var p = paid
                p.alreadyPaid = true
                return CaseOutcome(helpCase: c, disbursement: p)
            }
            let eventRoles = Set(CaseMachine.transitions.filter { $0.event == event.kind }.flatMap(\.roles))
            try actor.require(anyOf: eventRoles, on: record, unit: c.unitId, in: tree, for: event.kind.rawValue)
            let tr = try CaseMachine.transition(event.kind, from: c.state)
            try actor.require(anyOf: tr.roles, on: c.unitId, in: tree, for: event.kind.rawValue)
            let (next, effects) = try CaseMachine.apply(event, to: c, by: actor.id, at: at, rules: rules)
            if case .approve(let plan) = event {
                let others = try SQLiteStore.summaries(db, householdId: c.householdId, zone: rules.zone).filter { $0.caseNo != c.caseNo }
                try hostRules.checkApproval(plan, on: rules.zone.date(of: at), prior: others)
            }
            var disbursement: Disbursement?
            for effect in effects {
                switch effect {
                case .armNoticeTimer, .cancelNoticeTimer: break  // the deadline is saved with the case
                case .planDisbursements: break  // instalments are paid one by one against the stored plan
                case .debit(let fundId, let amount, let instalment, let loan):
                    disbursement = try SQLiteStore.pay(db, c, fundId: fundId, amount: amount, instalment: instalment,
                                                       loan: loan, actor: actor, tree: tree, at: at, rules: rules)
                case .credit(let fundId, let amount):
                    let fund = try SQLiteStore.loadFund(db, id: fundId)
                    try actor.require(anyOf: [.treasurer], on: RecordRef(.fund, fundId), unit: fund.unitId, in: tree, for: "receive_repayment")
                    // Repayments return to the fund that lent.
                    let lender = try String.fetchOne(db.cachedStatement(sql: """
                        SELECT fund_id FROM disbursement WHERE case_id = ? ORDER BY instalment LIMIT 1
                        """), arguments: [c.id])
                    guard lender == fundId else {
                        throw BangfuError(.notEarmarked, zh: "还款须退回出借的资金账户 \(lender ?? "?")，不能记入 \(fundId)",
                                          en: "a repayment returns to the fund that lent (\(lender ?? "?")), not to \(fundId)",
                                          context: ["field": "fundId"])
                    }
                    let balance = try SQLiteStore.fundBalance(db, fundId)
                    guard try balance.adding(amount, "balance") <= Money.maximumBalance else { throw Money.overflow("balance") }
                    try SQLiteStore.post(db, kind: .repayment, at: at, rules: rules, actor: actor.id, memo: c.caseNo, caseId: c.id,
                                         instalment: nil, postings: [(LedgerAccount.fund(fundId), amount.fen),
                                                                     (LedgerAccount.loansReceivable, -amount.fen)])
                }
            }
            try SQLiteStore.saveCase(db, next, at: at)
            try db.cachedStatement(sql: """
                INSERT INTO case_event(case_id, at_ms, actor, event, from_state, to_state, comment) VALUES (?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [c.id, SQLiteStore.ms(at), actor.id, event.kind.rawValue, c.state.rawValue, next.state.rawValue, event.comment])
            try Audit.append(db, at: at, actor: actor.id, action: event.kind.rawValue, entity: "case", entityId: c.caseNo,
                             detail: CaseAuditDetail(from: c.state.rawValue, to: next.state.rawValue, version: next.version,
                                                     comment: event.comment, amountFen: disbursement?.amount.fen))
            return CaseOutcome(helpCase: next, disbursement: disbursement)
    }

    static func saveCase(_ db: Database, _ c: HelpCase, at: Date) throws {
        try db.cachedStatement(sql: """
            UPDATE help_case SET state = ?, reviewed_by = ?, approved_by = ?, plan = ?, notice_after = ?, notice_days = ?,
              notice_deadline_ms = ?, frozen_remaining = ?, instalments_paid = ?, repaid_fen = ?, reason = ?, version = ?,
              updated_ms = ?, approved_ms = ?
            WHERE id = ? AND version = ?
            """).execute(arguments: [c.state.rawValue, c.reviewedBy, c.approvedBy, try c.plan.map(PlanText.text), c.notice?.countsAfter.description,
                             c.notice?.workingDays, c.noticeDeadline.map(ms), c.frozenRemainingDays, c.instalmentsPaid, c.repaid.fen,
                             c.reason, c.version, ms(at), c.approvedAt.map(ms), c.id, c.version - 1])
        guard db.changesCount == 1 else {
            throw BangfuError(.storage, zh: "案件 \(c.caseNo) 已被同时修改，请重试", en: "case \(c.caseNo) changed concurrently; retry")
        }
    }

    static func disbursement(_ db: Database, caseId: Int64, instalment: Int) throws -> Disbursement? {
        try Row.fetchOne(db.cachedStatement(sql: SQLiteStore.selectDisbursement + " WHERE case_id = ? AND instalment = ?"), arguments: [caseId, instalment])
            .map(disbursement(from:))
    }

    /// Disbursement columns in the order `disbursement(from:)` reads them (by position, as for cases).
    static let selectDisbursement = "SELECT case_id, instalment, fund_id, amount_fen, paid_ms, paid_by FROM disbursement"

    static func disbursement(from r: Row) -> Disbursement {
        Disbursement(caseId: r[0], instalment: r[1], fundId: r[2], amount: Money(fen: r[3]), paidAt: date(ms: r[4]), paidBy: r[5],
                     alreadyPaid: false)
    }

    /// Pays one instalment: earmarking, the fund's unit, the treasurer's role and the balance are all checked here,
    /// inside the transaction that writes the ledger.
    static func pay(_ db: Database, _ c: HelpCase, fundId: String, amount: Money, instalment: Int, loan: Bool,
                    actor: Actor, tree: UnitTree, at: Date, rules: CaseRules) throws -> Disbursement {
        let fund = try loadFund(db, id: fundId)
        try actor.requireRead(RecordRef(.fund, fundId), unit: fund.unitId, in: tree)
        try fund.requireEarmarked(for: c.helpType)
        guard tree.isWithin(c.unitId, root: fund.unitId) else {
            throw BangfuError(.notEarmarked, zh: "资金账户 \(fund.id) 属于 \(fund.unitId)，不能支付 \(c.unitId) 的案件",
                              en: "fund \(fund.id) belongs to \(fund.unitId) and may not pay cases of \(c.unitId)")
        }
        // The daemon pays by itself only when configured to pay at the end of the notice.
        try actor.require(anyOf: [.treasurer, .system], on: fund.unitId, in: tree, for: "pay_instalment")
        let balance = try fundBalance(db, fundId)
        guard balance >= amount else {
            throw BangfuError(.overdraft, zh: "资金账户 \(fund.id) 余额 \(balance)，不足以支付 \(amount)：拒绝透支，请先入账或调拨",
                              en: "fund \(fund.id) holds \(balance), not enough for \(amount): overdraft refused; deposit or transfer first")
        }
        let txn = try post(db, kind: loan ? .loanOut : .disbursement, at: at, rules: rules, actor: actor.id, memo: c.caseNo,
                           caseId: c.id, instalment: instalment,
                           postings: [(LedgerAccount.fund(fundId), -amount.fen),
                                      (loan ? LedgerAccount.loansReceivable : LedgerAccount.aidExpense, amount.fen)])
        try db.cachedStatement(sql: """
            INSERT INTO disbursement(case_id, instalment, fund_id, amount_fen, txn_id, paid_ms, paid_by) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [c.id, instalment, fundId, amount.fen, txn, ms(at), actor.id])
        return Disbursement(caseId: c.id, instalment: instalment, fundId: fundId, amount: amount, paidAt: at, paidBy: actor.id, alreadyPaid: false)
    }

    static func summaries(_ db: Database, householdId: Int64, zone: BusinessZone) throws -> [CaseSummary] {
        try Row.fetchAll(db.cachedStatement(sql: selectCase + " WHERE household_id = ? ORDER BY id"), arguments: [householdId]).map { r in
            let c = try helpCase(from: r)
            return CaseSummary(caseNo: c.caseNo, helpType: c.helpType, state: c.state, filedOn: zone.date(of: date(ms: r[createdColumn])),
                               approvedOn: c.approvedAt.map(zone.date(of:)), total: c.plan?.total, isLoan: c.plan?.isLoan ?? false,
                               cause: c.cause, temporaryAid: c.temporaryAid, formJSON: c.formJSON)
        }
    }

    public func caseSummaries(householdIds: [Int64]) async throws -> [Int64: [CaseSummary]] {
        let zone = policy.caseRules.zone
        return try await readAside { db in
            var out: [Int64: [CaseSummary]] = [:]
            for chunk in stride(from: 0, to: householdIds.count, by: 500).map({ Array(householdIds[$0..<min($0 + 500, householdIds.count)]) }) {
                let rows = try Row.fetchAll(db, sql: SQLiteStore.selectCase + " WHERE household_id IN (\(SQLiteStore.inList(chunk.count))) ORDER BY id",
                                            arguments: StatementArguments(chunk))
                for r in rows {
                    let c = try SQLiteStore.helpCase(from: r)
                    out[c.householdId, default: []].append(CaseSummary(
                        caseNo: c.caseNo, helpType: c.helpType, state: c.state, filedOn: zone.date(of: SQLiteStore.date(ms: r[SQLiteStore.createdColumn])),
                        approvedOn: c.approvedAt.map(zone.date(of:)), total: c.plan?.total, isLoan: c.plan?.isLoan ?? false,
                        cause: c.cause, temporaryAid: c.temporaryAid, formJSON: c.formJSON))
                }
            }
            return out
        }
    }

    public func caseSummaries(householdId: Int64) async throws -> [CaseSummary] {
        let zone = policy.caseRules.zone
        return try await read { db in try SQLiteStore.summaries(db, householdId: householdId, zone: zone) }
    }

    public func cases(helpType: String) async throws -> [HelpCase] {
        try await readAside { db in
            try Row.fetchAll(db.cachedStatement(sql: SQLiteStore.selectCase + " WHERE help_type = ? ORDER BY id"), arguments: [helpType])
                .map(SQLiteStore.helpCase(from:))
        }
    }

    public func cases(units: [String], state: CaseState?) async throws -> [HelpCase] {
        try await readAside { db in
            try SQLiteStore.rowsInUnits(db, table: "help_case", columns: SQLiteStore.caseSelect(), units: units, column: "state",
                                        value: state?.rawValue).map(SQLiteStore.helpCase(from:))
        }
    }

    public func helpCase(id: Int64) async throws -> HelpCase {
        try await read { db in try SQLiteStore.loadCase(db, id: id) }
    }

    public func helpCase(caseNo: String) async throws -> HelpCase {
        try await read { db in
            guard let r = try Row.fetchOne(db.cachedStatement(sql: SQLiteStore.selectCase + " WHERE case_no = ?"), arguments: [caseNo]) else {
                throw SQLiteStore.notFound("案件/case", caseNo)
            }
            return try SQLiteStore.helpCase(from: r)
        }
    }

    public func caseEvents(id: Int64) async throws -> [CaseEventRecord] {
        try await read { db in try SQLiteStore.events(db, caseId: id) }
    }

    static func events(_ db: Database, caseId id: Int64) throws -> [CaseEventRecord] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT at_ms, actor, event, from_state, to_state, comment FROM case_event WHERE case_id = ? ORDER BY id
            """), arguments: [id]).map { r in
            CaseEventRecord(at: SQLiteStore.date(ms: r[0]), actor: r[1], event: CaseEventKind(rawValue: r[2]) ?? .submit,
                            from: CaseState(rawValue: r[3]) ?? .draft, to: CaseState(rawValue: r[4]) ?? .draft, comment: r[5])
        }
    }

    public func caseDetail(caseNo: String) async throws -> CaseDetail {
        try await read { db in
            guard let r = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT \(SQLiteStore.caseSelect("c")), h.archive_no FROM help_case c JOIN household h ON h.id = c.household_id WHERE c.case_no = ?
                """), arguments: [caseNo]) else {
                throw SQLiteStore.notFound("案件/case", caseNo)
            }
            let c = try SQLiteStore.helpCase(from: r)
            return CaseDetail(helpCase: c, archiveNo: r[SQLiteStore.caseColumns.count], events: try SQLiteStore.events(db, caseId: c.id),
                              disbursements: try SQLiteStore.disbursements(db, caseId: c.id), unitTree: try SQLiteStore.loadTree(db))
        }
    }

    public func archiveNumbers(householdIds: [Int64]) async throws -> [Int64: String] {
        try await read { db in
            var out: [Int64: String] = [:]
            let ids = Array(Set(householdIds))
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[start..<min(start + 500, ids.count)])
                for r in try Row.fetchAll(db, sql: "SELECT id, archive_no FROM household WHERE id IN (\(SQLiteStore.inList(chunk.count)))",
                                          arguments: StatementArguments(chunk)) {
                    out[r["id"]] = r["archive_no"]
                }
            }
            return out
        }
    }

    public func casesWithNoticeDue(at: Date) async throws -> [Int64] {
        try await read { db in
            try Int64.fetchAll(db.cachedStatement(sql: """
                SELECT id FROM help_case WHERE state = 'in_notice' AND notice_deadline_ms <= ? ORDER BY notice_deadline_ms, id
                """), arguments: [SQLiteStore.ms(at)])
        }
    }

    public func nextNoticeDeadline() async throws -> Date? {
        try await read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT MIN(notice_deadline_ms) FROM help_case WHERE state = 'in_notice'")).map { SQLiteStore.date(ms: $0) }
        }
    }
}

/// What the audit row of a case event hashes: states and amounts, never personal values.
struct CaseAuditDetail: Encodable {
    var from: String
    var to: String
    var version: Int
    var comment: String?
    var amountFen: Int64?
}
