import BangfuCore
import BangfuDomain
import BangfuJSON
import Foundation
import Synchronization

/// A `BangfuStore` over SQL: the engine gives transactions, the shared code (`StoreSQL`, the
/// `SQLStore` extensions, `SQLUnitOfWork`) gives every statement, once for both engines.
///
/// The requirements are the engine's: how a write transaction runs (grouped on SQLite, under the
/// chain's lock on PostgreSQL), how a read sees one snapshot, and the rules in force.
public protocol SQLStore: BangfuStore {
    /// The rules in force; replaced by `update(policy:)` after a configuration reload.
    var policy: Policy { get }
    /// The same store writing under no client's request (a write of bangfud's own).
    var unscoped: Self { get }
    /// Runs `body` in one write transaction, under this view's request id when it has one
    /// (`StoreSQL.answer`), mapping the engine's errors to typed ones.
    func write<T: Codable & Sendable>(_ body: @escaping @Sendable (SQLDatabase) throws -> T) async throws -> T
    /// Runs `body` in one read transaction (one snapshot for all its queries).
    func read<T: Sendable>(_ body: @escaping @Sendable (SQLDatabase) throws -> T) async throws -> T
    /// A read that may be long (whole-table checks, reports, listings), off the caller's executor.
    func readAside<T: Sendable>(_ body: @escaping @Sendable (SQLDatabase) throws -> T) async throws -> T
    /// Compares this instance's configuration (a digest per top-level key) with the one every
    /// instance on a shared store runs; `adopt` records it. A store of one instance agrees always.
    func agreeOnConfiguration(_ digests: [String: String], adopt: Bool, by actor: String, at: Date) async throws
        -> ConfigurationAgreement
}

/// How a configuration compared with the one kept for every instance on a shared store.
public struct ConfigurationAgreement: Codable, Sendable {
    /// The top-level keys that differ(ed), sorted.
    public var differing: [String]
    /// Whether this configuration was recorded as the one all instances run.
    public var recorded: Bool

    public init(differing: [String], recorded: Bool) {
        self.differing = differing
        self.recorded = recorded
    }
}

/// The statements both engines share, and the helpers they use.
public enum StoreSQL {
    /// Milliseconds since 1970, as every stored instant is kept.
    public static func ms(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }

    /// JSON the store keeps (archives, assessments, plans, answers), written as it goes (`JSONTextEncoder`).
    static func json<T: Encodable>(_ value: T) throws -> String {
        try JSONTextEncoder.encode(value)
    }

    /// JSON the store wrote (with `json`), read back without Foundation's decoder (`JSONValueDecoder`).
    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONValueDecoder.decode(type, from: text)
    }

    /// Next number of a yearly sequence, e.g. case numbers for 2026: one statement, so two
    /// instances counting at once each get their own number (the row's lock orders them).
    static func nextNumber(_ db: SQLDatabase, _ name: String) throws -> Int {
        let next = try Int.fetchOne(
            db.cachedStatement(
                sql: """
                    INSERT INTO counter(name, next) VALUES (?, 2)
                    ON CONFLICT(name) DO UPDATE SET next = counter.next + 1 RETURNING next
                    """), arguments: [name])
        guard let next else {
            throw BangfuError(.storage, zh: "编号 \(name) 无法取得", en: "no number could be taken for \(name)")
        }
        return next - 1
    }

    /// The unit tree, kept between transactions: a trigger bumps the `unit_tree` counter on any change to
    /// `org_unit` (also by another process), so one indexed read tells whether the kept tree still holds.
    static func loadTree(_ db: SQLDatabase) throws -> UnitTree {
        let version =
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT next FROM counter WHERE name = 'unit_tree'")) ?? 0
        let database = db.driver.identity
        if let kept = treeCache.withLock({ $0[database] }), kept.version == version { return kept.tree }
        let rows = try SQLRow.fetchAll(db.cachedStatement(sql: "SELECT id, name, parent_id, level FROM org_unit"))
        let tree = try UnitTree(
            rows.map { row in
                OrgUnit(
                    id: row["id"], name: row["name"], parentId: row["parent_id"],
                    level: UnitLevel(rawValue: row["level"]) ?? .grassroots)
            })
        treeCache.withLock { $0[database] = (version, tree) }
        return tree
    }

    /// Forgets every kept tree (after a write of units that may roll back).
    static func forgetTrees() { treeCache.withLock { $0.removeAll() } }

    /// Placeholders for `IN (...)`: `?,?,?`, or `NULL` (matching nothing) for an empty list.
    static func inList(_ count: Int) -> String {
        count == 0 ? "NULL" : Array(repeating: "?", count: count).joined(separator: ",")
    }

    /// Rows of `table` in `units`, optionally with `column = value`, in id order; with a page, at most
    /// `limit + 1` rows after its cursor (the one past the limit tells that another page follows).
    static func rowsInUnits(
        _ db: SQLDatabase, table: String, columns: String = "*", units: [String], column: String, value: String?,
        page: Page? = nil
    ) throws -> [SQLRow] {
        try rowsInUnits(
            db, table: table, columns: columns, units: units, column: column, values: value.map { [$0] }, page: page)
    }

    /// Rows of `table` in `units` whose `column` is one of `values` (any when nil), in id order, a page when given.
    static func rowsInUnits(
        _ db: SQLDatabase, table: String, columns: String = "*", units: [String], column: String, values: [String]?,
        page: Page? = nil
    ) throws -> [SQLRow] {
        var sql = "SELECT \(columns) FROM \(table) WHERE unit_id IN (\(inList(units.count)))"
        var arguments = SQLArguments(units)
        if let values {
            sql += " AND \(column) IN (\(inList(values.count)))"
            arguments += SQLArguments(values)
        }
        if let after = page?.afterId {
            sql += " AND id > ?"
            arguments += [after]
        }
        sql += " ORDER BY id"
        if let page { sql += " LIMIT \(page.limit + 1)" }
        return try SQLRow.fetchAll(db, sql: sql, arguments: arguments)
    }

    static func notFound(_ kind: RecordKind, _ key: String) -> BangfuError { BangfuError.notFound(kind, key) }

    /// One request inside a write transaction: the stored answer of an earlier call with the same
    /// id, or `body`'s, stored with it.
    public static func answer<T: Codable>(
        _ db: SQLDatabase, request: RequestKey?, _ body: (SQLDatabase) throws -> T
    ) throws -> T {
        guard let request else { return try body(db) }
        if let earlier = try SQLRow.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT params_hash, reply, expired_ms FROM request_log WHERE principal = ? AND request_id = ?
                    """), arguments: [request.principal, request.id])
        {
            guard earlier["params_hash"] as String == request.paramsHash else {
                throw BangfuError(
                    .requestIdReused, zh: "请求号 \(request.id) 已用于另一次不同的操作：请换一个请求号",
                    en: "request id \(request.id) was already used for a different call: use a new id")
            }
            guard earlier["expired_ms"] as Int64? == nil else {
                throw BangfuError(
                    .requestExpired,
                    zh: "请求号 \(request.id) 的操作早已完成，其答复已过保存期：未重复执行，请查询记录核对结果",
                    en:
                        "request id \(request.id) was carried out long ago and its reply has expired: nothing was done again; look the record up to check the result"
                )
            }
            return try decode(T.self, earlier["reply"])
        }
        let value = try body(db)
        try db.cachedStatement(
            sql: """
                INSERT INTO request_log(principal, request_id, params_hash, reply, created_ms) VALUES (?, ?, ?, ?, ?)
                """
        ).execute(arguments: [request.principal, request.id, request.paramsHash, try json(value), ms(request.at)])
        return value
    }
}

/// Unit trees by database, with the `unit_tree` version they were read at.
private let treeCache = Mutex<[String: (version: Int64, tree: UnitTree)]>([:])

/// The answer of a write that returns nothing.
public struct Empty: Codable, Sendable {
    public init() {}
}

extension SQLStore {
    /// One instance per store (SQLite): nothing to agree with.
    public func agreeOnConfiguration(_ digests: [String: String], adopt: Bool, by actor: String, at: Date)
        async throws -> ConfigurationAgreement
    {
        ConfigurationAgreement(differing: [], recorded: false)
    }

    public func syncUnits(_ units: [OrgUnit], at: Date) async throws {
        // Only this method changes units; a tree it read inside a transaction that rolled back must not be kept.
        defer { StoreSQL.forgetTrees() }
        _ = try await unscoped.write { db in
            try UnitDomain.sync(SQLUnitOfWork(db: db), units, at: at)
            return Empty()
        }
    }

    public func unitTree() async throws -> UnitTree {
        try await read { db in try StoreSQL.loadTree(db) }
    }

    public func ping() async throws {
        _ = try await write { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT 1")) ?? 1 }
    }
}

extension StoreSQL {
    /// The chain's last entry, nil while it is empty.
    public static func auditHead(_ db: SQLDatabase) throws -> AuditHead? {
        try SQLRow.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"))
            .map { row in AuditHead(seq: row["seq"], hash: row["hash"]) }
    }

    /// The anchors (heads kept outside) the chain no longer holds, oldest first, with the problem
    /// that names the first; `lastSeq` is the chain's last entry.
    public static func lostAnchors(_ db: SQLDatabase, _ anchors: [AuditHead], lastSeq: Int64) throws
        -> (lost: [AuditHead], problem: String?)
    {
        var lost: [AuditHead] = []
        for anchor in anchors.sorted(by: { first, second in first.seq < second.seq }) {
            let kept = try String.fetchOne(
                db.cachedStatement(sql: "SELECT hash FROM audit_log WHERE seq = ?"), arguments: [anchor.seq])
            if kept != anchor.hash { lost.append(anchor) }
        }
        guard let first = lost.first else { return ([], nil) }
        let problem =
            "\(lost.count) of \(anchors.count) heads kept outside are not in this chain; the first, audit row \(first.seq), "
            + (first.seq > lastSeq
                ? "is past its end (the chain was cut short)"
                : "has another hash (the chain was rewritten up to it)")
        return (lost, problem)
    }

    /// The ledger's invariants, as `verify` reports them: every transaction balances, no fund is
    /// overdrawn, every kept balance is the sum of its postings, every case's instalments paid
    /// are its disbursements.
    public static func ledgerProblems(_ db: SQLDatabase) throws -> [String] {
        var problems: [String] = []
        let unbalanced = try Int64.fetchAll(
            db,
            sql: """
                SELECT t.id FROM ledger_txn t LEFT JOIN ledger_posting p ON p.txn_id = t.id
                GROUP BY t.id HAVING COALESCE(SUM(p.amount_fen), 0) <> 0 OR COUNT(p.id) < 2 LIMIT 10
                """)
        for transaction in unbalanced { problems.append("ledger transaction \(transaction) does not balance") }
        let negative = try String.fetchAll(
            db,
            sql: """
                SELECT account FROM ledger_posting WHERE account LIKE 'fund:%' GROUP BY account HAVING SUM(amount_fen) < 0
                """)
        for account in negative { problems.append("\(account) is overdrawn") }
        let drifted = try String.fetchAll(
            db,
            sql: """
                SELECT COALESCE(b.account, l.account) FROM account_balance b
                FULL OUTER JOIN (SELECT account, SUM(amount_fen) AS fen FROM ledger_posting GROUP BY account) l ON l.account = b.account
                WHERE b.balance_fen IS DISTINCT FROM l.fen LIMIT 10
                """)
        for account in drifted { problems.append("\(account): the kept balance differs from the sum of its postings") }
        let badPaid = try String.fetchAll(
            db,
            sql: """
                SELECT c.case_no FROM help_case c WHERE c.instalments_paid <> (SELECT COUNT(*) FROM disbursement d WHERE d.case_id = c.id)
                """)
        for caseNo in badPaid { problems.append("case \(caseNo): instalments paid do not match its disbursements") }
        return problems
    }
}
