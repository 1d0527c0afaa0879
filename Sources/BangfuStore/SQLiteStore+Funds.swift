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

    /// Loads a fund for `actor` to act on: `not_found` when it may not read it, `permission_denied`
    /// without one of `roles` on the fund's unit.
    static func fundForChange(_ db: Database, id: String, actor: Actor, roles: Set<Role>, tree: UnitTree, for what: String) throws
        -> FundAccount
    {
        let fund = try loadFund(db, id: id)
        try actor.require(anyOf: roles, on: RecordRef(.fund, id), unit: fund.unitId, in: tree, for: what)
        return fund
    }

    public func deposit(fundId: String, amount: Money, memo: String, by actor: Actor, at: Date) async throws {
        _ = try amount.bounded(field: "amount", minimum: 1)
        let rules = policy.caseRules
        _ = try await write { db in
            let fund = try SQLiteStore.fundForChange(db, id: fundId, actor: actor, roles: [.treasurer], tree: try SQLiteStore.loadTree(db),
                                                     for: "deposit")
            let balance = try SQLiteStore.fundBalance(db, fundId)
            guard try balance.adding(amount, "balance") <= Money.maximumBalance else {
                throw BangfuError(.invalidInput, zh: "入账后余额将超过 \(Money.maximumBalance)：请核对金额", en: "the balance would pass \(Money.maximumBalance): check the amount",
                                  context: ["field": "amount"])
            }
            try SQLiteStore.post(db, kind: .deposit, at: at, rules: rules, actor: actor.id, memo: memo, caseId: nil, instalment: nil,
                                 postings: [(LedgerAccount.fund(fundId), amount.fen), (LedgerAccount.income(fund.source), -amount.fen)])
            return Empty()
        }
    }

    static let selectTransfer = """
        SELECT id, from_fund, to_fund, amount_fen, reason, requested_by, requested_ms, expires_ms, state, decided_by, decided_ms, note
        FROM fund_transfer
        """

    static func transfer(from row: Row) -> PendingTransfer {
        PendingTransfer(id: row[0], from: row[1], to: row[2], amount: Money(fen: row[3]), reason: row[4], requestedBy: row[5],
                        requestedAt: date(ms: row[6]), expiresAt: date(ms: row[7]), state: TransferState(rawValue: row[8]) ?? .rejected,
                        decidedBy: row[9], decidedAt: (row[10] as Int64?).map { date(ms: $0) }, note: row[11])
    }

    /// Both funds of a transfer, checked for `actor`: it must hold `approver` on both funds' units.
    static func transferFunds(_ db: Database, from: String, to: String, actor: Actor, tree: UnitTree, for what: String) throws
        -> (FundAccount, FundAccount)
    {
        // Moving earmarked money is an approval decision, not a bookkeeping one.
        let source = try fundForChange(db, id: from, actor: actor, roles: [.approver], tree: tree, for: what)
        let target = try fundForChange(db, id: to, actor: actor, roles: [.approver], tree: tree, for: what)
        return (source, target)
    }

    public func requestTransfer(from: String, to: String, amount: Money, reason: String, by actor: Actor, at: Date) async throws
        -> PendingTransfer
    {
        _ = try amount.bounded(field: "amount", minimum: 1)
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw BangfuError(.invalidInput, zh: "资金调拨必须写明理由", en: "a transfer between funds needs a reason", context: ["field": "reason"])
        }
        guard from != to else { throw BangfuError(.invalidInput, zh: "不能调拨到同一账户", en: "cannot transfer a fund to itself") }
        let expires = at.addingTimeInterval(Double(policy.transferExpiryDays) * 86_400)
        return try await write { db in
            let tree = try SQLiteStore.loadTree(db)
            let (source, target) = try SQLiteStore.transferFunds(db, from: from, to: to, actor: actor, tree: tree, for: "transfer")
            guard source.mayTransfer(to: target) else {
                throw BangfuError(.notEarmarked,
                                  zh: "资金账户 \(from)（\(source.source.zh)）不能调拨到 \(to)（\(target.source.zh)）：调拨须保持资金来源，且目标账户可支付的项目须在来源账户的范围内",
                                  en: "fund \(from) (\(source.source.rawValue)) may not transfer to \(to) (\(target.source.rawValue)): money keeps its source, and the target may pay only for help types the source may pay for")
            }
            try db.cachedStatement(sql: """
                INSERT INTO fund_transfer(from_fund, to_fund, amount_fen, reason, requested_by, requested_ms, expires_ms, state)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')
                """).execute(arguments: [from, to, amount.fen, reason, actor.id, SQLiteStore.ms(at), SQLiteStore.ms(expires)])
            let id = db.lastInsertedRowID
            try Audit.append(db, at: at, actor: actor.id, action: "request_transfer", entity: "fund_transfer", entityId: String(id),
                             detail: ["from": from, "to": to, "amount_fen": String(amount.fen)])
            return PendingTransfer(id: id, from: from, to: to, amount: amount, reason: reason, requestedBy: actor.id, requestedAt: at,
                                   expiresAt: expires, state: .pending)
        }
    }

    public func decideTransfer(id: Int64, confirm: Bool, note: String?, by actor: Actor, at: Date) async throws -> PendingTransfer {
        let rules = policy.caseRules
        let what = confirm ? "confirm_transfer" : "reject_transfer"
        return try await write { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: SQLiteStore.selectTransfer + " WHERE id = ?"), arguments: [id]) else {
                throw RecordRef(.transfer, "#\(id)").notFound
            }
            var transfer = SQLiteStore.transfer(from: row)
            let tree = try SQLiteStore.loadTree(db)
            let record = RecordRef(.transfer, "#\(id)")
            for fundId in [transfer.from, transfer.to] {
                let fund = try SQLiteStore.loadFund(db, id: fundId)
                try actor.require(anyOf: [.approver], on: record, unit: fund.unitId, in: tree, for: what)
            }
            guard transfer.state(at: at) == .pending else {
                throw BangfuError(.invalidTransition, zh: "资金调拨 #\(id) 已是“\(transfer.state(at: at).rawValue)”，不能再处理",
                                  en: "transfer #\(id) is already \(transfer.state(at: at).rawValue); it cannot be decided again",
                                  context: ["state": transfer.state(at: at).rawValue, "event": what])
            }
            guard transfer.requestedBy != actor.id else {
                throw BangfuError(.separationOfDuties, zh: "职责分离：提出调拨的人不能自己确认或驳回，须由另一名审批人处理",
                                  en: "separation of duties: whoever asked for the transfer may not decide it; another approver must")
            }
            var txn: Int64?
            if confirm {
                let balance = try SQLiteStore.fundBalance(db, transfer.from)
                guard balance >= transfer.amount else {
                    throw BangfuError(.overdraft, zh: "资金账户 \(transfer.from) 余额 \(balance)，不足以调拨 \(transfer.amount)：拒绝透支",
                                      en: "fund \(transfer.from) holds \(balance), not enough to transfer \(transfer.amount): overdraft refused")
                }
                txn = try SQLiteStore.post(db, kind: .transfer, at: at, rules: rules, actor: actor.id, memo: transfer.reason, caseId: nil,
                                           instalment: nil,
                                           postings: [(LedgerAccount.fund(transfer.from), -transfer.amount.fen),
                                                      (LedgerAccount.fund(transfer.to), transfer.amount.fen)])
            }
            transfer.state = confirm ? .confirmed : .rejected
            transfer.decidedBy = actor.id
            transfer.decidedAt = at
            transfer.note = note
            try db.cachedStatement(sql: """
                UPDATE fund_transfer SET state = ?, decided_by = ?, decided_ms = ?, note = ?, txn_id = ? WHERE id = ? AND state = 'pending'
                """).execute(arguments: [transfer.state.rawValue, actor.id, SQLiteStore.ms(at), note, txn, id])
            try Audit.append(db, at: at, actor: actor.id, action: what, entity: "fund_transfer", entityId: String(id),
                             detail: ["state": transfer.state.rawValue, "txn": txn.map(String.init) ?? ""])
            return transfer
        }
    }

    public func transfers(fundIds: [String]) async throws -> [PendingTransfer] {
        try await readAside { db in
            guard !fundIds.isEmpty else { return [] }
            let list = SQLiteStore.inList(fundIds.count)
            return try Row.fetchAll(db, sql: SQLiteStore.selectTransfer + " WHERE from_fund IN (\(list)) OR to_fund IN (\(list)) ORDER BY id",
                                    arguments: StatementArguments(fundIds + fundIds)).map(SQLiteStore.transfer(from:))
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
