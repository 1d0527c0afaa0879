import BangfuCore
import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// What each audit entry commits to: the exact rows its write added or changed.
///
/// Triggers note every row inserted into or updated in a fact table (`pending_fact`); the next
/// audit entry takes them: for each, the hash of the row as stored then (`audit_fact`), and its own
/// detail hash is the hash of that list. So `verify` recomputes every entry's detail from stored
/// rows, and finds a row that differs from what its last entry recorded (a payment rewritten, a
/// decision changed, an archive version edited), a row no entry recorded (inserted behind bangfud's
/// back), and a second entry for a row that may never change. Personal values are hashed, never
/// copied.
///
/// A row's canonical text is every column in table order: a migration that adds a column to a fact
/// table changes every row's text, so it must record the rows again (a new baseline entry, as v8
/// does), or `verify` reports them all.
enum AuditFacts {
    typealias Table = AuditedTables.Table

    static let tables = AuditedTables.all

    static let byName = Dictionary(uniqueKeysWithValues: tables.map { table in (table.name, table) })

    /// Migration v8: the fact tables' triggers, and one entry recording every row already there.
    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE pending_fact (tbl TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (tbl, key)) WITHOUT ROWID;
                CREATE TABLE audit_fact (
                    seq INTEGER NOT NULL REFERENCES audit_log(seq),
                    tbl TEXT NOT NULL,
                    key TEXT NOT NULL,
                    row_hash TEXT NOT NULL CHECK (length(row_hash) = 64),
                    PRIMARY KEY (seq, tbl, key)
                ) WITHOUT ROWID;
                CREATE INDEX audit_fact_row ON audit_fact(tbl, key, seq);
                CREATE TRIGGER audit_fact_no_update BEFORE UPDATE ON audit_fact
                BEGIN SELECT RAISE(ABORT, 'audit facts are append-only'); END;
                CREATE TRIGGER audit_fact_no_delete BEFORE DELETE ON audit_fact
                BEGIN SELECT RAISE(ABORT, 'audit facts are append-only'); END;
                CREATE TABLE audit_meta (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;
                """)
        // Entries before this one committed to details that were not kept; from here on, to rows.
        let first = (try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM audit_log") ?? 0) + 1
        try db.execute(sql: "INSERT INTO audit_meta(name, value) VALUES ('facts_from_seq', ?)", arguments: [first])
        try baseline(db, version: 8)
    }

    /// A migration that adds fact tables or columns to them (version `version`): the new tables'
    /// triggers, then one entry recording every fact row as it is now. Rows recorded before keep
    /// their earlier entries; a row that never changes counts as recorded once from this entry on.
    static func baseline(_ db: Database, version: Int) throws {
        rowTextSQL.withLock { $0.removeAll() }
        pendingColumnsSQL.withLock { $0.removeAll() }
        defer {
            rowTextSQL.withLock { $0.removeAll() }
            pendingColumnsSQL.withLock { $0.removeAll() }
        }
        for table in tables where table.since == version {
            let key = "json_array(" + table.key.map { "NEW.\($0)" }.joined(separator: ", ") + ")"
            // An erasable table's one allowed update (the erasure) is no new fact.
            for event in table.erasable.isEmpty ? ["INSERT", "UPDATE"] : ["INSERT"] {
                try db.execute(
                    sql: """
                        CREATE TRIGGER fact_\(table.name)_\(event.lowercased()) AFTER \(event) ON \(table.name)
                        BEGIN INSERT OR IGNORE INTO pending_fact(tbl, key) VALUES ('\(table.name)', \(key)); END;
                        """)
            }
        }
        for table in tables where table.since <= version {
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO pending_fact(tbl, key)
                    SELECT ?, json_array(\(table.key.joined(separator: ", "))) FROM \(table.name)
                    """,
                arguments: [table.name])
        }
        let seq = (try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM audit_log") ?? 0) + 1
        try db.execute(
            sql: """
                INSERT INTO audit_meta(name, value) VALUES ('baseline_seq', ?)
                ON CONFLICT(name) DO UPDATE SET value = excluded.value
                """, arguments: [seq])
        try Audit.append(
            db, at: Date(), actor: Actor.system.id, action: "facts_baseline", entity: "database",
            entityId: "v\(version)")
    }

    /// The query of a row's canonical text per table, built once from the schema: every column
    /// quoted by SQLite, in table order, but the erasable ones. (Migrations that change a fact
    /// table's columns clear it: `baseline`.)
    private static let rowTextSQL = Mutex<[String: String]>([:])

    static func rowTextQuery(_ db: Database, table: Table) throws -> String {
        if let known = rowTextSQL.withLock({ $0[table.name] }) { return known }
        let text = try canonicalColumns(db, table: table).map { column in "quote(\"\(column)\")" }
            .joined(separator: " || char(31) || ")
        let match = table.key.enumerated().map { index, column in "\"\(column)\" = json_extract(?, '$[\(index)]')" }
            .joined(separator: " AND ")
        let sql = "SELECT \(text) FROM \(table.name) WHERE \(match)"
        rowTextSQL.withLock { $0[table.name] = sql }
        return sql
    }

    /// The columns of a row's canonical text: every column in table order but the erasable ones.
    private static func canonicalColumns(_ db: Database, table: Table) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [table.name])
            .filter { column in !table.erasable.contains(column) }
    }

    /// The canonical text of one row; nil when it is gone.
    static func rowText(_ db: Database, table: Table, key: String) throws -> String? {
        try String.fetchOne(
            db.cachedStatement(sql: try rowTextQuery(db, table: table)),
            arguments: StatementArguments(Array(repeating: key, count: table.key.count)))
    }

    /// The hash a row has now; "deleted" when it is gone.
    static func rowHash(_ db: Database, table: Table, key: String) throws -> String {
        try rowText(db, table: table, key: key).map(Audit.sha256) ?? Audit.sha256("deleted")
    }

    /// The detail hash of an entry from its facts, in (table, key) order.
    static func detailHash(_ facts: [Fact]) -> String {
        Audit.sha256(AuditChain.factsText(facts))
    }

    typealias Fact = (tbl: String, key: String, rowHash: String)

    /// The rows noted since the last entry, each with the hash it has now: one query per table
    /// for all its noted rows (an import's batch notes thousands).
    static func pending(_ db: Database) throws -> [Fact] {
        // Read by position through the driver: GRDB's rows cost a sixth of a transition here.
        let driver = SQLiteDriver(db)
        var notes: [(tbl: String, key: String)] = []
        try driver.each("SELECT tbl, key FROM pending_fact ORDER BY tbl, key", []) { row in
            notes.append((row[0], row[1]))
            return true
        }
        var hashes: [String: [String: String]] = [:]
        for name in Set(notes.map(\.tbl)) {
            guard let table = byName[name] else { continue }
            hashes[name] = try pendingHashes(db, table: table)
        }
        return notes.compactMap { note in
            guard byName[note.tbl] != nil else { return nil }
            return (note.tbl, note.key, hashes[note.tbl]?[note.key] ?? Audit.sha256("deleted"))
        }
    }

    /// The hash of each noted row of `table` still there, by key: its columns read plainly and
    /// quoted as `rowText` quotes them in SQL (`QuotedRow`), or by `rowText` itself for a value
    /// only SQLite quotes exactly.
    private static func pendingHashes(_ db: Database, table: Table) throws -> [String: String] {
        let sql = try pendingColumnsQuery(db, table: table)
        var byKey: [String: String] = [:]
        var text: [UInt8] = []
        try SQLiteStep.eachRow(db.cachedStatement(sql: sql).sqliteStatement, [.text(table.name)], sql: sql) { row in
            // The key is NOT NULL in pending_fact; a row without one is no note to record.
            guard let keyText = sqlite3_column_text(row, 0) else { return true }
            let key = String(cString: keyText)
            text.removeAll(keepingCapacity: true)
            if QuotedRow.append(row, from: 1, to: &text) {
                byKey[key] = Audit.sha256(bytes: text)
            } else {
                byKey[key] = try rowHash(db, table: table, key: key)
            }
            return true
        }
        return byKey
    }

    private static let pendingColumnsSQL = Mutex<[String: String]>([:])

    /// Each noted row of `table`: its key, then the columns of its canonical text (`rowTextQuery`'s), unquoted.
    static func pendingColumnsQuery(_ db: Database, table: Table) throws -> String {
        if let known = pendingColumnsSQL.withLock({ $0[table.name] }) { return known }
        let selected = try canonicalColumns(db, table: table).map { column in "t.\"\(column)\"" }
            .joined(separator: ", ")
        let match = table.key.enumerated().map { index, column in
            "t.\"\(column)\" = json_extract(p.key, '$[\(index)]')"
        }.joined(separator: " AND ")
        let sql = "SELECT p.key, \(selected) FROM pending_fact p JOIN \(table.name) t ON \(match) WHERE p.tbl = ?"
        pendingColumnsSQL.withLock { $0[table.name] = sql }
        return sql
    }

    /// A write must end with its audit entry: rows it changed that no entry recorded would be
    /// bound to the next writer's entry. Refused (the write is rolled back) as the bug it is.
    static func requireRecorded(_ db: Database) throws {
        var unrecorded: String?
        try SQLiteDriver(db).each("SELECT tbl FROM pending_fact LIMIT 1", []) { row in
            unrecorded = row[0]
            return false
        }
        guard let unrecorded else { return }
        throw BangfuError(
            .storage, zh: "写入未记入审计（\(unrecorded)）：这是程序错误，已回滚",
            en: "a write changed \(unrecorded) without an audit entry: a bug; it was rolled back")
    }

    /// Keeps the facts with the entry `seq` (appended just before) and clears the notes.
    static func record(_ db: Database, seq: Int64, _ facts: [Fact]) throws {
        let driver = SQLiteDriver(db)
        for fact in facts {
            _ = try driver.execute(
                "INSERT INTO audit_fact(seq, tbl, key, row_hash) VALUES (?, ?, ?, ?)",
                [.integer(seq), .text(fact.tbl), .text(fact.key), .text(fact.rowHash)])
        }
        _ = try driver.execute("DELETE FROM pending_fact", [])
    }

    /// Every entry's detail recomputed from its facts, and every fact row compared with what its
    /// last entry recorded; the problems found and the first entry they concern.
    static func check(_ db: Database) throws -> (problems: [String], firstBroken: Int64?) {
        guard try db.tableExists("audit_fact") else { return ([], nil) }
        var problems: [String] = []
        var firstBroken: Int64?
        func found(_ seq: Int64, _ why: String) {
            if problems.count < 20 { problems.append(why) }
            firstBroken = min(firstBroken ?? seq, seq)
        }
        let from = try Int64.fetchOne(db, sql: "SELECT value FROM audit_meta WHERE name = 'facts_from_seq'") ?? 1
        // Each entry's detail, from its facts.
        var current: Int64?
        var facts: [Fact] = []
        let entries = try Row.fetchCursor(
            db,
            sql: """
                SELECT a.seq, a.detail_hash, f.tbl, f.key, f.row_hash FROM audit_log a
                LEFT JOIN audit_fact f ON f.seq = a.seq WHERE a.seq >= ? ORDER BY a.seq, f.tbl, f.key
                """, arguments: [from])
        var expected: String?
        func close() {
            if let current, let expected, detailHash(facts) != expected {
                found(
                    current,
                    "audit row \(current): the rows it recorded were changed in the record (its detail no longer matches)"
                )
            }
        }
        while let row = try entries.next() {
            let seq: Int64 = row["seq"]
            if seq != current {
                close()
                current = seq
                expected = row["detail_hash"]
                facts = []
            }
            if let tbl: String = row["tbl"] { facts.append((tbl, row["key"], row["row_hash"])) }
        }
        close()
        // Each fact row as its last entry recorded it; append-only rows recorded once.
        let baselineSeq =
            try Int64.fetchOne(db, sql: "SELECT value FROM audit_meta WHERE name = 'baseline_seq'") ?? from
        let latest = try Row.fetchCursor(
            db,
            sql: """
                SELECT tbl, key, MAX(seq) AS seq, SUM(seq >= ?) AS entries,
                       (SELECT row_hash FROM audit_fact g WHERE g.tbl = f.tbl AND g.key = f.key ORDER BY seq DESC LIMIT 1) AS row_hash
                FROM audit_fact f GROUP BY tbl, key
                """, arguments: [baselineSeq])
        var recorded: [String: Set<String>] = [:]
        while let row = try latest.next() {
            guard let table = byName[row["tbl"]] else { continue }
            let key: String = row["key"]
            let seq: Int64 = row["seq"]
            recorded[table.name, default: []].insert(key)
            if try rowHash(db, table: table, key: key) != row["row_hash"] as String {
                found(
                    seq,
                    "\(table.name) \(key): not as audit row \(seq) recorded it (changed or deleted outside bangfud)")
            } else if table.appendOnly, row["entries"] as Int > 1 {
                found(seq, "\(table.name) \(key): a row that never changes was recorded again by audit row \(seq)")
            }
        }
        // Rows no entry recorded: written behind bangfud's back.
        for table in tables {
            let keys = try String.fetchCursor(
                db, sql: "SELECT json_array(\(table.key.joined(separator: ", "))) FROM \(table.name)")
            // (A write that leaves a row unrecorded is refused, so none is legitimately pending at rest.)
            while let key = try keys.next() {
                if recorded[table.name]?.contains(key) ?? false { continue }
                if problems.count < 20 { problems.append("\(table.name) \(key): a row no audit entry recorded") }
            }
        }
        return (problems, firstBroken)
    }
}
