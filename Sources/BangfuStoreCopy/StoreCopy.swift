import BangfuCore
import BangfuPostgres
import Crypto
import Foundation
import GRDB

/// The copy of a SQLite store into an empty PostgreSQL database, in one PostgreSQL transaction
/// from one SQLite snapshot, and its proof.
///
/// Rows go in with the database's rules on: the ledger's trigger rebuilds every balance from the
/// postings as they arrive (so a copied history that overdraws anything fails), and the rebuilt
/// balances must equal SQLite's. Then each table's rows, in key order and spelled alike
/// (`CopyValue.canonical`), must hash the same on both sides.
public struct StoreCopy {
    let source: DatabaseQueue
    let target: PGConnection

    public init(source: DatabaseQueue, target: PGConnection) {
        self.source = source
        self.target = target
    }

    public struct Proof {
        public struct Table {
            public let name: String
            public let rows: Int
            public let equal: Bool
        }
        public var tables: [Table]
        /// The audit chain's last entry, SEQ:HASH, when both sides agree on it.
        public var head: String?
        /// How many account balances were compared.
        public var balances: Int
        /// How many audited rows PostgreSQL checked against their audit facts with its own row texts.
        public var factsChecked = 0
        /// What that check found (nothing, for a proven copy).
        public var factProblems: [String] = []
        public var proven: Bool { tables.allSatisfy(\.equal) && factProblems.isEmpty }
    }

    /// The order rows can go in (references first). A table the copy does not know stops it: the
    /// two schemas have drifted apart.
    static let order = [
        "org_unit", "counter", "household", "household_person", "personal_value", "archive_history", "help_case",
        "case_event", "case_form", "fund", "ledger_txn", "ledger_posting", "disbursement", "fund_transfer",
        "audit_log", "audit_fact", "audit_meta", "request_log", "campaign_run", "campaign_member", "visit", "pairing",
        "contact", "income_record", "reception", "pending_fact",
    ]
    /// The advisory lock a copy holds ("bfcopy").
    static let copyLock: Int64 = 0x6266_636F_7079
    /// Kept by the target itself from the rows above, and compared, not copied.
    static let derived = ["account_balance"]

    public func run() throws -> Proof {
        try source.read { db in
            let tables = try String.fetchAll(
                db,
                sql: """
                    SELECT name FROM sqlite_master WHERE type = 'table'
                    AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'
                    """)
            let unknown = Set(tables).subtracting(Self.order + Self.derived)
            guard unknown.isEmpty else {
                throw BangfuError(
                    .storage, zh: "数据库中有复制工具不认识的表：\(unknown.sorted().joined(separator: "、"))，请先升级 bangfu",
                    en:
                        "the store has tables the copy does not know: \(unknown.sorted().joined(separator: ", ")); upgrade bangfu first"
                )
            }
            // The copy and its proof in one transaction: a copy that does not prove equal is undone.
            struct NotProven: Error { let proof: Proof }
            do {
                return try target.transaction {
                    // Two copies at once into one database: the second waits, then finds it taken.
                    try target.execute("SELECT pg_advisory_xact_lock(\(Self.copyLock))")
                    let held = try target.execute(
                        "SELECT (SELECT count(*) FROM org_unit) + (SELECT count(*) FROM audit_log) AS n"
                    ).int(0, "n")
                    guard held == 0 else {
                        throw BangfuError(
                            .duplicate, zh: "目标数据库已有 bangfu 的记录：只能复制到空库",
                            en: "the target database already holds bangfu records: copy into an empty one only")
                    }
                    for table in Self.order where tables.contains(table) {
                        try copy(table, db)
                    }
                    // The copy's own inserts noted every row as a pending fact: the source's list stands.
                    try target.execute("DELETE FROM pending_fact")
                    try copy("pending_fact", db)
                    try resetIdentities()
                    let proof = try prove(tables, db)
                    if !proof.proven { throw NotProven(proof: proof) }
                    return proof
                }
            } catch let failure as NotProven {
                return failure.proof
            }
        }
    }

    /// Row counts and digests per table, the balances the target rebuilt, and the audit head.
    private func prove(_ tables: [String], _ db: Database) throws -> Proof {
        var proof = Proof(tables: [], head: nil, balances: 0)
        for table in Self.order + Self.derived where tables.contains(table) {
            let (rows, sourceDigest) = try digest(sqlite: table, db)
            let (targetRows, targetDigest) = try digest(postgres: table, keyOf: db)
            proof.tables.append(
                .init(name: table, rows: rows, equal: rows == targetRows && sourceDigest == targetDigest))
        }
        proof.balances = try Int.fetchOne(db, sql: "SELECT count(*) FROM account_balance") ?? 0
        let sourceHead = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .map { row in "\(row["seq"] as Int64):\(row["hash"] as String)" }
        let lastEntry = try target.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        let targetHead =
            lastEntry.count == 0 ? nil : "\(lastEntry.text(0, "seq") ?? ""):\(lastEntry.text(0, "hash") ?? "")"
        proof.head = sourceHead == targetHead ? sourceHead : nil
        // The chain holds on PostgreSQL's own row texts too: what a later verify there will check.
        let facts = try PostgresAudit(target).checkFacts(target)
        (proof.factsChecked, proof.factProblems) = (facts.checked, facts.problems)
        if sourceHead != targetHead { proof.tables.append(.init(name: "audit head", rows: 1, equal: false)) }
        return proof
    }

    private func columns(_ table: String, _ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [table])
    }

    /// The primary key's columns, in key order.
    private func key(_ table: String, _ db: Database) throws -> [String] {
        try String.fetchAll(
            db, sql: "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", arguments: [table])
    }

    /// The table's rows into PostgreSQL, many to a statement, parents before children for units.
    private func copy(_ table: String, _ db: Database) throws {
        let names = try columns(table, db)
        let quoted = names.map { "\"\($0)\"" }.joined(separator: ", ")
        var rows = try Row.fetchAll(
            db, sql: "SELECT \(quoted) FROM \(table) ORDER BY \(try key(table, db).joined(separator: ", "))")
        if table == "org_unit" { rows = Self.parentsFirst(rows) }
        let conflict =
            table == "counter" ? " ON CONFLICT (name) DO UPDATE SET next = EXCLUDED.next" : ""
        let perStatement = max(1, 30_000 / names.count)
        for start in stride(from: 0, to: rows.count, by: perStatement) {
            let batch = rows[start..<min(start + perStatement, rows.count)]
            var parameters: [String?] = []
            var tuples: [String] = []
            for row in batch {
                let values = try names.map { name in
                    try CopyValue(row[name] as DatabaseValue, table: table, column: name)
                }
                tuples.append(
                    "(" + values.indices.map { index in "$\(parameters.count + index + 1)" }.joined(separator: ", ")
                        + ")")
                parameters += values.map(\.parameter)
            }
            try target.execute(
                "INSERT INTO \(table) (\(quoted)) VALUES \(tuples.joined(separator: ", "))\(conflict)", parameters)
        }
    }

    /// Units in an order where each one's parent is already there.
    static func parentsFirst(_ rows: [Row]) -> [Row] {
        var placed = Set<String>()
        var ordered: [Row] = []
        var waiting = rows
        while !waiting.isEmpty {
            let ready = waiting.filter { row in (row["parent_id"] as String?).map(placed.contains) ?? true }
            guard !ready.isEmpty else { return ordered + waiting }  // a loop: let the database refuse it
            for row in ready { placed.insert(row["id"] as String) }
            ordered += ready
            waiting.removeAll { row in placed.contains(row["id"] as String) }
        }
        return ordered
    }

    /// Identity columns go on from the highest id copied, so new rows never reuse one.
    private func resetIdentities() throws {
        let identities = try target.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = 'public' AND is_identity = 'YES'
            """)
        for index in 0..<identities.count {
            guard let table = identities.text(index, "table_name"), let column = identities.text(index, "column_name")
            else { continue }
            try target.execute(
                """
                SELECT setval(pg_get_serial_sequence('\(table)', '\(column)'),
                    GREATEST((SELECT max(\(column)) FROM \(table)), 1), (SELECT max(\(column)) FROM \(table)) IS NOT NULL)
                """)
        }
    }

    /// How many rows, and the SHA-256 of their canonical texts in key order, in SQLite.
    private func digest(sqlite table: String, _ db: Database) throws -> (Int, String) {
        let names = try columns(table, db)
        var hash = SHA256()
        var count = 0
        let rows = try Row.fetchCursor(
            db,
            sql: "SELECT \(names.map { "\"\($0)\"" }.joined(separator: ", ")) FROM \(table) ORDER BY "
                + (try key(table, db)).joined(separator: ", "))
        while let row = try rows.next() {
            let text = try names.map { name in
                try CopyValue(row[name] as DatabaseValue, table: table, column: name).canonical
            }.joined(separator: "\u{1F}")
            hash.update(data: Data((text + "\n").utf8))
            count += 1
        }
        return (count, hash.finalize().hexString)
    }

    /// The same in PostgreSQL (text keys in byte order, as SQLite orders them).
    private func digest(postgres table: String, keyOf db: Database) throws -> (Int, String) {
        let stored = try target.columns(of: table)
        let names = stored.map(\.name)
        let typeOf = Dictionary(uniqueKeysWithValues: stored.map { column in (column.name, column.type) })
        let order = try key(table, db).map { column in
            typeOf[column] == "text" ? "\"\(column)\" COLLATE \"C\"" : "\"\(column)\""
        }
        let rows = try target.execute(
            "SELECT \(names.map { "\"\($0)\"" }.joined(separator: ", ")) FROM \(table) ORDER BY \(order.joined(separator: ", "))"
        )
        var hash = SHA256()
        for row in 0..<rows.count {
            let text = try names.enumerated().map { index, name in
                try CopyValue(postgres: rows.values[row][index], type: typeOf[name] ?? "text").canonical
            }.joined(separator: "\u{1F}")
            hash.update(data: Data((text + "\n").utf8))
        }
        return (rows.count, hash.finalize().hexString)
    }
}
