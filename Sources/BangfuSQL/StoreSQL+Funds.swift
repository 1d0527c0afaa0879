import BangfuCore
import BangfuDomain
import Foundation

extension StoreSQL {
    static func loadFund(_ db: SQLDatabase, id: String) throws -> FundAccount {
        guard let r = try SQLRow.fetchOne(db.cachedStatement(sql: "SELECT * FROM fund WHERE id = ?"), arguments: [id])
        else {
            throw notFound(.fund, id)
        }
        return FundAccount(
            id: r["id"], name: r["name"], unitId: r["unit_id"], source: FundSource(rawValue: r["source"]) ?? .donation,
            donor: r["donor"], helpTypes: try decode([String].self, r["help_types"]))
    }

    static func fundBalance(_ db: SQLDatabase, _ id: String) throws -> Money {
        Money(
            fen: try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT balance_fen FROM account_balance WHERE account = ?"),
                arguments: [LedgerAccount.fund(id)]) ?? 0)
    }

    static let selectTransfer = """
        SELECT id, from_fund, to_fund, amount_fen, reason, requested_by, requested_ms, expires_ms, state, decided_by, decided_ms, note
        FROM fund_transfer
        """

    static func transfer(from row: SQLRow) -> PendingTransfer {
        PendingTransfer(
            id: row[0], from: row[1], to: row[2], amount: Money(fen: row[3]), reason: row[4], requestedBy: row[5],
            requestedAt: date(ms: row[6]), expiresAt: date(ms: row[7]),
            state: TransferState(rawValue: row[8]) ?? .rejected,
            decidedBy: row[9], decidedAt: (row[10] as Int64?).map { date(ms: $0) }, note: row[11])
    }

    static func disbursements(_ db: SQLDatabase, caseId: Int64) throws -> [Disbursement] {
        try SQLRow.fetchAll(
            db.cachedStatement(sql: selectDisbursement + " WHERE case_id = ? ORDER BY instalment"), arguments: [caseId]
        ).map(disbursement(from:))
    }
}

extension SQLStore {

    public func createFund(_ fund: FundAccount, by actor: Actor, at: Date) async throws {
        _ = try await write { db in
            try FundDomain.createFund(SQLUnitOfWork(db: db), fund, by: actor, at: at)
            return Empty()
        }
    }

    public func deposit(fundId: String, amount: Money, memo: String, by actor: Actor, at: Date) async throws {
        let policy = self.policy
        _ = try await write { db in
            try FundDomain.deposit(
                SQLUnitOfWork(db: db), fundId: fundId, amount: amount, memo: memo, by: actor, at: at, policy: policy)
            return Empty()
        }
    }

    public func requestTransfer(from: String, to: String, amount: Money, reason: String, by actor: Actor, at: Date)
        async throws
        -> PendingTransfer
    {
        let policy = self.policy
        return try await write { db in
            try FundDomain.requestTransfer(
                SQLUnitOfWork(db: db), from: from, to: to, amount: amount, reason: reason, by: actor, at: at,
                policy: policy)
        }
    }

    public func decideTransfer(id: Int64, confirm: Bool, note: String?, by actor: Actor, at: Date) async throws
        -> PendingTransfer
    {
        let policy = self.policy
        return try await write { db in
            try FundDomain.decideTransfer(
                SQLUnitOfWork(db: db), id: id, confirm: confirm, note: note, by: actor, at: at, policy: policy)
        }
    }

    public func transfers(fundIds: [String]) async throws -> [PendingTransfer] {
        try await readAside { db in
            guard !fundIds.isEmpty else { return [] }
            let list = StoreSQL.inList(fundIds.count)
            return try SQLRow.fetchAll(
                db,
                sql: StoreSQL.selectTransfer + " WHERE from_fund IN (\(list)) OR to_fund IN (\(list)) ORDER BY id",
                arguments: SQLArguments(fundIds + fundIds)
            ).map(StoreSQL.transfer(from:))
        }
    }

    public func fund(id: String) async throws -> FundAccount {
        try await read { db in try StoreSQL.loadFund(db, id: id) }
    }

    public func funds() async throws -> [FundAccount] {
        try await read { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT id FROM fund ORDER BY id")).map {
                try StoreSQL.loadFund(db, id: $0)
            }
        }
    }

    public func balance(fundId: String) async throws -> Money {
        try await read { db in
            _ = try StoreSQL.loadFund(db, id: fundId)
            return try StoreSQL.fundBalance(db, fundId)
        }
    }

    public func disbursements(caseId: Int64) async throws -> [Disbursement] {
        try await read { db in try StoreSQL.disbursements(db, caseId: caseId) }
    }

    public func payments(units: [String], from: LocalDate, to: LocalDate, limit: Int) async throws -> [PaidLine] {
        try await readAside { db in
            try SQLRow.fetchAll(
                db,
                sql: """
                    SELECT d.case_id, d.instalment, d.fund_id, d.amount_fen, d.paid_ms, d.paid_by,
                           c.case_no, c.household_id, c.unit_id, c.help_type
                    FROM disbursement d JOIN ledger_txn t ON t.id = d.txn_id JOIN help_case c ON c.id = d.case_id
                    WHERE t.business_date BETWEEN ? AND ? AND c.unit_id IN (\(StoreSQL.inList(units.count)))
                    ORDER BY t.id LIMIT ?
                    """,
                arguments: SQLArguments([from.description, to.description]) + SQLArguments(units)
                    + SQLArguments([limit])
            ).map { row in
                PaidLine(
                    caseNo: row["case_no"], householdId: row["household_id"], unitId: row["unit_id"],
                    helpType: row["help_type"], disbursement: StoreSQL.disbursement(from: row))
            }
        }
    }

    public func ledger(fundId: String, from: LocalDate, to: LocalDate) async throws -> [LedgerLine] {
        try await ledger(fundId: fundId, from: from, to: to, page: nil)
    }

    public func ledger(fundId: String, from: LocalDate, to: LocalDate, page: Page?) async throws -> [LedgerLine] {
        try await readAside { db in
            _ = try StoreSQL.loadFund(db, id: fundId)
            return try SQLRow.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT t.id, t.at_ms, t.business_date, t.kind, p.amount_fen, t.actor, t.memo, c.case_no
                        FROM ledger_posting p JOIN ledger_txn t ON t.id = p.txn_id LEFT JOIN help_case c ON c.id = t.case_id
                        WHERE p.account = ? AND t.business_date BETWEEN ? AND ? AND t.id > ? ORDER BY t.id LIMIT ?
                        """),
                arguments: [
                    LedgerAccount.fund(fundId), from.description, to.description, page?.afterId ?? 0,
                    page.map { $0.limit + 1 } ?? -1,
                ]
            ).map { r in
                LedgerLine(
                    txn: r["id"], at: StoreSQL.date(ms: r["at_ms"]),
                    businessDate: try LocalDate(parsing: r["business_date"]),
                    kind: LedgerKind(rawValue: r["kind"]) ?? .deposit, amount: Money(fen: r["amount_fen"]),
                    actor: r["actor"],
                    memo: r["memo"], caseNo: r["case_no"])
            }
        }
    }

    public func statement(from: LocalDate, to: LocalDate) async throws -> [FundStatement] {
        guard from <= to else {
            throw BangfuError(
                .invalidInput, zh: "起始日期 \(from) 晚于结束日期 \(to)", en: "start date \(from) is after end date \(to)")
        }
        return try await readAside { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT id FROM fund ORDER BY id")).map { id in
                let f = try StoreSQL.loadFund(db, id: id)
                let account = LedgerAccount.fund(id)
                func sum(_ kind: LedgerKind, sign: String) throws -> Money {
                    Money(
                        fen: try Int64.fetchOne(
                            db,
                            sql: """
                                SELECT COALESCE(SUM(p.amount_fen), 0) FROM ledger_posting p JOIN ledger_txn t ON t.id = p.txn_id
                                WHERE p.account = ? AND t.kind = ? AND t.business_date BETWEEN ? AND ? AND p.amount_fen \(sign) 0
                                """, arguments: [account, kind.rawValue, from.description, to.description]) ?? 0)
                }
                let opening = Money(
                    fen: try Int64.fetchOne(
                        db.cachedStatement(
                            sql: """
                                SELECT COALESCE(SUM(p.amount_fen), 0) FROM ledger_posting p JOIN ledger_txn t ON t.id = p.txn_id
                                WHERE p.account = ? AND t.business_date < ?
                                """), arguments: [account, from.description]) ?? 0)
                let deposits = try sum(.deposit, sign: ">"), tin = try sum(.transfer, sign: ">"),
                    rep = try sum(.repayment, sign: ">")
                let dis = -(try sum(.disbursement, sign: "<")), loans = -(try sum(.loanOut, sign: "<")),
                    tout = -(try sum(.transfer, sign: "<"))
                var byType: [String: Money] = [:]
                for r in try SQLRow.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT c.help_type, SUM(d.amount_fen) AS fen FROM disbursement d JOIN help_case c ON c.id = d.case_id
                            JOIN ledger_txn t ON t.id = d.txn_id
                            WHERE d.fund_id = ? AND t.business_date BETWEEN ? AND ? GROUP BY c.help_type
                            """), arguments: [id, from.description, to.description])
                {
                    byType[r["help_type"]] = Money(fen: r["fen"])
                }
                let recipients =
                    try Int.fetchOne(
                        db.cachedStatement(
                            sql: """
                                SELECT COUNT(DISTINCT c.household_id) FROM disbursement d JOIN help_case c ON c.id = d.case_id
                                JOIN ledger_txn t ON t.id = d.txn_id WHERE d.fund_id = ? AND t.business_date BETWEEN ? AND ?
                                """), arguments: [id, from.description, to.description]) ?? 0
                let closing = opening + deposits + tin + rep - dis - loans - tout
                return FundStatement(
                    fundId: id, fundName: f.name, source: f.source, opening: opening, deposits: deposits,
                    transfersIn: tin, repayments: rep, disbursements: dis, loansOut: loans, transfersOut: tout,
                    closing: closing, byHelpType: byType, recipients: recipients)
            }
        }
    }
}
