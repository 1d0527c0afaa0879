import BangfuCore
import Foundation
import GRDB

extension SQLiteStore {
    static func loadFund(_ db: Database, id: String) throws -> FundAccount {
        guard let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM fund WHERE id = ?"), arguments: [id]) else {
            throw notFound("资金账户/fund", id)
        }
        return FundAccount(id: r["id"], name: r["name"], unitId: r["unit_id"], source: FundSource(rawValue: r["source"]) ?? .donation,
                           donor: r["donor"], helpTypes: try decode([String].self, r["help_types"]))
    }

    static func fundBalance(_ db: Database, _ id: String) throws -> Money {
        Money(fen: try Int64.fetchOne(db.cachedStatement(sql: "SELECT balance_fen FROM account_balance WHERE account = ?"),
                                      arguments: [LedgerAccount.fund(id)]) ?? 0)
    }

    /// Writes one balanced ledger transaction and its postings; returns the transaction id.
    @discardableResult
    static func post(_ db: Database, kind: LedgerKind, at: Date, rules: CaseRules, actor: String, memo: String?, caseId: Int64?,
                     instalment: Int?, postings: [(String, Int64)]) throws -> Int64 {
        precondition(postings.reduce(0) { $0 + $1.1 } == 0, "unbalanced ledger transaction")
        try db.cachedStatement(sql: """
            INSERT INTO ledger_txn(kind, at_ms, business_date, actor, memo, case_id, instalment) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [kind.rawValue, ms(at), rules.zone.date(of: at).description, actor, memo, caseId, instalment])
        let txn = db.lastInsertedRowID
        for (account, fen) in postings {
            try db.cachedStatement(sql: "INSERT INTO ledger_posting(txn_id, account, amount_fen) VALUES (?, ?, ?)").execute(arguments: [txn, account, fen])
        }
        try Audit.append(db, at: at, actor: actor, action: "ledger_\(kind.rawValue)", entity: "ledger_txn", entityId: String(txn),
                         detail: postings.map { "\($0.0)=\($0.1)" })
        return txn
    }

    public func createFund(_ fund: FundAccount, by actor: Actor, at: Date) async throws {
        try fund.validate()
        _ = try await write { db in
            let tree = try SQLiteStore.loadTree(db)
            _ = try tree.require(fund.unitId)
            try actor.require(anyOf: [.treasurer], on: fund.unitId, in: tree, for: "create_fund")
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS(SELECT 1 FROM fund WHERE id = ?)"), arguments: [fund.id]) == false else {
                throw BangfuError(.duplicate, zh: "资金账户 \(fund.id) 已存在", en: "fund \(fund.id) already exists")
            }
            try db.cachedStatement(sql: """
                INSERT INTO fund(id, name, unit_id, source, donor, help_types, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [fund.id, fund.name, fund.unitId, fund.source.rawValue, fund.donor, try SQLiteStore.json(fund.helpTypes),
                                 SQLiteStore.ms(at)])
            try Audit.append(db, at: at, actor: actor.id, action: "create_fund", entity: "fund", entityId: fund.id, detail: fund)
            return Empty()
        }
    }

    public func deposit(fundId: String, amount: Money, memo: String, by actor: Actor, at: Date) async throws {
        guard amount.fen > 0 else { throw BangfuError(.invalidInput, zh: "入账金额必须大于 0", en: "a deposit must be above 0") }
        let rules = policy.caseRules
        _ = try await write { db in
            let fund = try SQLiteStore.loadFund(db, id: fundId)
            try actor.require(anyOf: [.treasurer], on: fund.unitId, in: try SQLiteStore.loadTree(db), for: "deposit")
            try SQLiteStore.post(db, kind: .deposit, at: at, rules: rules, actor: actor.id, memo: memo, caseId: nil, instalment: nil,
                                 postings: [(LedgerAccount.fund(fundId), amount.fen), (LedgerAccount.income(fund.source), -amount.fen)])
            return Empty()
        }
    }

    public func transfer(from: String, to: String, amount: Money, reason: String, by actor: Actor, at: Date) async throws {
        guard amount.fen > 0 else { throw BangfuError(.invalidInput, zh: "调拨金额必须大于 0", en: "a transfer must be above 0") }
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw BangfuError(.invalidInput, zh: "资金调拨必须写明理由", en: "a transfer between funds needs a reason")
        }
        guard from != to else { throw BangfuError(.invalidInput, zh: "不能调拨到同一账户", en: "cannot transfer a fund to itself") }
        let rules = policy.caseRules
        _ = try await write { db in
            let a = try SQLiteStore.loadFund(db, id: from)
            let b = try SQLiteStore.loadFund(db, id: to)
            let tree = try SQLiteStore.loadTree(db)
            // Moving earmarked money is an approval decision, not a bookkeeping one.
            try actor.require(anyOf: [.approver], on: a.unitId, in: tree, for: "transfer")
            try actor.require(anyOf: [.approver], on: b.unitId, in: tree, for: "transfer")
            let balance = try SQLiteStore.fundBalance(db, from)
            guard balance >= amount else {
                throw BangfuError(.overdraft, zh: "资金账户 \(from) 余额 \(balance)，不足以调拨 \(amount)：拒绝透支",
                                  en: "fund \(from) holds \(balance), not enough to transfer \(amount): overdraft refused")
            }
            try SQLiteStore.post(db, kind: .transfer, at: at, rules: rules, actor: actor.id, memo: reason, caseId: nil, instalment: nil,
                                 postings: [(LedgerAccount.fund(from), -amount.fen), (LedgerAccount.fund(to), amount.fen)])
            return Empty()
        }
    }

    public func fund(id: String) async throws -> FundAccount {
        try await read { db in try SQLiteStore.loadFund(db, id: id) }
    }

    public func funds() async throws -> [FundAccount] {
        try await read { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT id FROM fund ORDER BY id")).map { try SQLiteStore.loadFund(db, id: $0) }
        }
    }

    public func balance(fundId: String) async throws -> Money {
        try await read { db in
            _ = try SQLiteStore.loadFund(db, id: fundId)
            return try SQLiteStore.fundBalance(db, fundId)
        }
    }

    public func disbursements(caseId: Int64) async throws -> [Disbursement] {
        try await read { db in try SQLiteStore.disbursements(db, caseId: caseId) }
    }

    static func disbursements(_ db: Database, caseId: Int64) throws -> [Disbursement] {
        try Row.fetchAll(db.cachedStatement(sql: selectDisbursement + " WHERE case_id = ? ORDER BY instalment"), arguments: [caseId]).map(disbursement(from:))
    }

    public func ledger(fundId: String, from: LocalDate, to: LocalDate) async throws -> [LedgerLine] {
        try await readAside { db in
            _ = try SQLiteStore.loadFund(db, id: fundId)
            return try Row.fetchAll(db.cachedStatement(sql: """
                SELECT t.id, t.at_ms, t.business_date, t.kind, p.amount_fen, t.actor, t.memo, c.case_no
                FROM ledger_posting p JOIN ledger_txn t ON t.id = p.txn_id LEFT JOIN help_case c ON c.id = t.case_id
                WHERE p.account = ? AND t.business_date BETWEEN ? AND ? ORDER BY t.id
                """), arguments: [LedgerAccount.fund(fundId), from.description, to.description]).map { r in
                LedgerLine(txn: r["id"], at: SQLiteStore.date(ms: r["at_ms"]), businessDate: try LocalDate(parsing: r["business_date"]),
                           kind: LedgerKind(rawValue: r["kind"]) ?? .deposit, amount: Money(fen: r["amount_fen"]), actor: r["actor"],
                           memo: r["memo"], caseNo: r["case_no"])
            }
        }
    }

    public func statement(from: LocalDate, to: LocalDate) async throws -> [FundStatement] {
        guard from <= to else {
            throw BangfuError(.invalidInput, zh: "起始日期 \(from) 晚于结束日期 \(to)", en: "start date \(from) is after end date \(to)")
        }
        return try await readAside { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT id FROM fund ORDER BY id")).map { id in
                let f = try SQLiteStore.loadFund(db, id: id)
                let account = LedgerAccount.fund(id)
                func sum(_ kind: LedgerKind, sign: String) throws -> Money {
                    Money(fen: try Int64.fetchOne(db, sql: """
                        SELECT COALESCE(SUM(p.amount_fen), 0) FROM ledger_posting p JOIN ledger_txn t ON t.id = p.txn_id
                        WHERE p.account = ? AND t.kind = ? AND t.business_date BETWEEN ? AND ? AND p.amount_fen \(sign) 0
                        """, arguments: [account, kind.rawValue, from.description, to.description]) ?? 0)
                }
                let opening = Money(fen: try Int64.fetchOne(db.cachedStatement(sql: """
                    SELECT COALESCE(SUM(p.amount_fen), 0) FROM ledger_posting p JOIN ledger_txn t ON t.id = p.txn_id
                    WHERE p.account = ? AND t.business_date < ?
                    """), arguments: [account, from.description]) ?? 0)
                let deposits = try sum(.deposit, sign: ">"), tin = try sum(.transfer, sign: ">"), rep = try sum(.repayment, sign: ">")
                let dis = -(try sum(.disbursement, sign: "<")), loans = -(try sum(.loanOut, sign: "<")), tout = -(try sum(.transfer, sign: "<"))
                var byType: [String: Money] = [:]
                for r in try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT c.help_type, SUM(d.amount_fen) AS fen FROM disbursement d JOIN help_case c ON c.id = d.case_id
                    JOIN ledger_txn t ON t.id = d.txn_id
                    WHERE d.fund_id = ? AND t.business_date BETWEEN ? AND ? GROUP BY c.help_type
                    """), arguments: [id, from.description, to.description]) {
                    byType[r["help_type"]] = Money(fen: r["fen"])
                }
                let recipients = try Int.fetchOne(db.cachedStatement(sql: """
                    SELECT COUNT(DISTINCT c.household_id) FROM disbursement d JOIN help_case c ON c.id = d.case_id
                    JOIN ledger_txn t ON t.id = d.txn_id WHERE d.fund_id = ? AND t.business_date BETWEEN ? AND ?
                    """), arguments: [id, from.description, to.description]) ?? 0
                let closing = opening + deposits + tin + rep - dis - loans - tout
                return FundStatement(fundId: id, fundName: f.name, source: f.source, opening: opening, deposits: deposits,
                                     transfersIn: tin, repayments: rep, disbursements: dis, loansOut: loans, transfersOut: tout,
                                     closing: closing, byHelpType: byType, recipients: recipients)
            }
        }
    }
}
