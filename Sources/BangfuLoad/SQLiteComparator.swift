import BangfuCore
import BangfuStore
import Foundation
import GRDB
import GRDBSQLite

/// What the disk allows: the rows bangfud wrote for each case, written again straight through
/// SQLite's C API with prepared statements, into a fresh file with the same schema and triggers.
///
/// Each case is replayed as the transitions bangfud made (archive, file, submit, review, approve,
/// notice elapsed, disbursement scheduled, paid): the floor commits each transition on its own,
/// the grouped ceiling commits `perTransaction` transitions at once. Each audit entry comes with
/// the fact rows bangfud recorded for it and clears the notes its triggers left, as bangfud does;
/// the hashes are copied, not computed. No JSON, no checks, no socket: the distance from bangfud
/// to these two is what the daemon itself costs.
public struct SQLiteComparator {
    /// One transition's statements: table, whether it is an update of the case row, and the values.
    typealias Write = (sql: String, values: [DatabaseValue])
    /// The transitions of every case, in order.
    let transitions: [[Write]]
    /// How many cases the transitions cover.
    public let cases: Int

    /// Reads what bangfud wrote for its cases (at most `limit`) from its database file.
    public init(daemonDatabase path: String, limit: Int) throws {
        let source = try DatabaseQueue(
            path: path,
            configuration: {
                var c = Configuration()
                c.readonly = true
                return c
            }())
        var transitions: [[Write]] = []
        var count = 0
        try source.read { db in
            let cases = try Row.fetchAll(
                db,
                sql: "SELECT * FROM help_case WHERE case_no LIKE 'BF-%' AND instalments_paid = 1 ORDER BY id LIMIT ?",
                arguments: [limit])
            var requests = try Row.fetchAll(db, sql: "SELECT * FROM request_log ORDER BY created_ms")[...]
            let insert = SQLiteComparator.insert
            func request() -> [Write] { requests.popFirst().map { [insert("request_log", $0)] } ?? [] }
            /// An audit entry as bangfud writes it: the entry, the facts it records, the notes cleared.
            func entry(_ audit: Row) throws -> [Write] {
                let facts = try Row.fetchAll(
                    db, sql: "SELECT * FROM audit_fact WHERE seq = ? ORDER BY tbl, key", arguments: [audit["seq"]])
                return [insert("audit_log", audit)] + facts.map { fact in insert("audit_fact", fact) }
                    + [("DELETE FROM pending_fact", [])]
            }
            let counter =
                "INSERT INTO counter(name, next) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET next = excluded.next"
            for c in cases {
                let caseId: Int64 = c["id"], householdId: Int64 = c["household_id"]
                guard
                    let h = try Row.fetchOne(db, sql: "SELECT * FROM household WHERE id = ?", arguments: [householdId])
                else { continue }
                let persons = try Row.fetchAll(
                    db, sql: "SELECT * FROM household_person WHERE household_id = ?", arguments: [householdId])
                let values = try Row.fetchAll(
                    db, sql: "SELECT * FROM personal_value WHERE household_id = ?", arguments: [householdId])
                let history = try Row.fetchAll(
                    db, sql: "SELECT * FROM archive_history WHERE household_id = ?", arguments: [householdId])
                let audits = try Row.fetchAll(
                    db, sql: "SELECT * FROM audit_log WHERE entity_id IN (?, ?) ORDER BY seq",
                    arguments: [h["archive_no"] as String, c["case_no"] as String])
                let events = try Row.fetchAll(
                    db, sql: "SELECT * FROM case_event WHERE case_id = ? ORDER BY id", arguments: [caseId])
                let txns = try Row.fetchAll(db, sql: "SELECT * FROM ledger_txn WHERE case_id = ?", arguments: [caseId])
                let postings = try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM ledger_posting WHERE txn_id IN (SELECT id FROM ledger_txn WHERE case_id = ?)",
                    arguments: [caseId])
                let paid = try Row.fetchAll(
                    db, sql: "SELECT * FROM disbursement WHERE case_id = ?", arguments: [caseId])
                // The payment's ledger entry (its own, beside the case's): the one naming its transactions.
                let txnKeys = txns.map { txn in "[\(txn["id"] as Int64)]" }
                let ledgerEntries = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM audit_log WHERE seq IN (
                          SELECT seq FROM audit_fact
                          WHERE tbl = 'ledger_txn' AND key IN (SELECT value FROM json_each(?))
                        ) AND entity_id NOT IN (?, ?) ORDER BY seq
                        """,
                    arguments: [
                        String(decoding: try JSONEncoder().encode(txnKeys), as: UTF8.self), h["archive_no"] as String,
                        c["case_no"] as String,
                    ])
                guard audits.count >= 8, events.count >= 6 else { continue }
                // The case row as it was filed, then updated once per transition with its final values.
                let update: Write = (
                    """
                    UPDATE help_case SET state = ?, reviewed_by = ?, approved_by = ?, plan = ?, notice_after = ?, notice_days = ?,
                      notice_deadline_ms = ?, frozen_remaining = ?, instalments_paid = ?, repaid_fen = ?, reason = ?, version = ?,
                      updated_ms = ?, approved_ms = ? WHERE id = ?
                    """,
                    [
                        "state", "reviewed_by", "approved_by", "plan", "notice_after", "notice_days",
                        "notice_deadline_ms",
                        "frozen_remaining", "instalments_paid", "repaid_fen", "reason", "version", "updated_ms",
                        "approved_ms", "id",
                    ]
                    .map { c[$0] as DatabaseValue }
                )
                let filed = Row(
                    Dictionary(
                        uniqueKeysWithValues: c.columnNames.map {
                            ($0, $0 == "state" ? "draft".databaseValue : c[$0] as DatabaseValue)
                        }))
                var archive: [Write] = [
                    (counter, ["archive:bench".databaseValue, Int64(count + 2).databaseValue]), insert("household", h),
                ]
                archive +=
                    persons.map { insert("household_person", $0) } + values.map { insert("personal_value", $0) }
                    + history.map { insert("archive_history", $0) }
                archive += try entry(audits[0]) + request()
                var steps: [[Write]] = [archive]
                try steps.append(
                    [
                        (counter, ["case:bench".databaseValue, Int64(count + 2).databaseValue]),
                        insert("help_case", filed),
                    ] + entry(audits[1]) + request())
                for k in 0..<5 {
                    var step: [Write] = try [update, insert("case_event", events[k])] + entry(audits[2 + k])
                    if k < 3 { step += request() }
                    steps.append(step)
                }
                var pay: [Write] = txns.map { insert("ledger_txn", $0) } + postings.map { insert("ledger_posting", $0) }
                pay += try ledgerEntries.flatMap(entry)
                try pay +=
                    paid.map { insert("disbursement", $0) } + [update, insert("case_event", events[5])]
                    + entry(audits[7]) + request()
                steps.append(pay)
                transitions.append(contentsOf: steps)
                count += 1
            }
        }
        self.transitions = transitions
        self.cases = count
    }

    /// The row copied as it is: every column, prepared once per table and column list.
    static func insert(_ table: String, _ r: Row) -> Write {
        let cols = Array(r.columnNames)
        return (
            "INSERT INTO \(table)(\(cols.joined(separator: ","))) VALUES (\(cols.map { _ in "?" }.joined(separator: ",")))",
            cols.map { r[$0] as DatabaseValue }
        )
    }

    /// Transitions per case (what the daemon made for each).
    public var transitionsPerCase: Int { cases == 0 ? 0 : transitions.count / cases }
    /// How many transitions a replay writes.
    public var transitionCount: Int { transitions.count }

    /// The result of one replay.
    public struct Result: Sendable, Codable {
        public var transitionsPerTransaction: Int
        public var seconds: Double
        public var casesPerSecond: Double
        public var transitionsPerSecond: Double
        /// The replaying thread's CPU (user and kernel) per transition: SQLite's own cost of the rows.
        public var cpuMicrosPerTransition: Double
        /// The audit entries' fact rows written (bangfud's evidence, replayed with the rest).
        public var factRows: Int
        public var synchronous: String
        public var journalMode: String
    }

    /// Replays every transition into a fresh file at `path` (schema from the store's migrations,
    /// funds and deposits copied untimed from `daemonDatabase`), `perTransaction` transitions per commit.
    public func replay(into path: String, daemonDatabase: String, units: [OrgUnit], perTransaction: Int) async throws
        -> Result
    {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let store = try SQLiteStore(path: path, policy: Policy())
        try await store.syncUnits(units, at: Date())
        // Funds and their deposits, so the payments pass the balance trigger.
        let source = try DatabaseQueue(
            path: daemonDatabase,
            configuration: {
                var c = Configuration()
                c.readonly = true
                return c
            }())
        let setup: [Write] = try await source.read { db in
            let insert = SQLiteComparator.insert
            return try Row.fetchAll(db, sql: "SELECT * FROM fund").map { insert("fund", $0) }
                + Row.fetchAll(db, sql: "SELECT * FROM ledger_txn WHERE case_id IS NULL").map {
                    insert("ledger_txn", $0)
                }
                + Row.fetchAll(
                    db,
                    sql:
                        "SELECT * FROM ledger_posting WHERE txn_id IN (SELECT id FROM ledger_txn WHERE case_id IS NULL)"
                ).map { insert("ledger_posting", $0) }
        }
        let conn = try RawSQLite(path: path)
        try conn.exec("PRAGMA journal_mode = WAL")
        try conn.exec("PRAGMA synchronous = FULL")
        try conn.exec("PRAGMA foreign_keys = ON")
        try conn.exec("BEGIN IMMEDIATE")
        for w in setup { try conn.run(w.sql, w.values) }
        try conn.exec("COMMIT")
        let t0 = DispatchTime.now().uptimeNanoseconds
        let cpu0 = Self.threadCPUNanoseconds()
        try Self.writeTransitions(transitions, to: conn, perTransaction: perTransaction)
        let cpuMicros = Double(Self.threadCPUNanoseconds() - cpu0) / 1e3
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        // Every row the triggers noted went with an entry, as in bangfud (which refuses a write that
        // leaves one): otherwise the replay skipped evidence and the figures would flatter SQLite.
        guard try conn.scalar("SELECT count(*) FROM pending_fact") == "0" else {
            throw LoadError("the replay left rows without an audit entry: it does not write what bangfud wrote")
        }
        let result = Result(
            transitionsPerTransaction: perTransaction, seconds: seconds, casesPerSecond: Double(cases) / seconds,
            transitionsPerSecond: Double(transitions.count) / seconds,
            cpuMicrosPerTransition: cpuMicros / Double(max(transitions.count, 1)),
            factRows: Int(try conn.scalar("SELECT count(*) FROM audit_fact")) ?? 0,
            synchronous: try conn.pragma("synchronous") == "2" ? "FULL" : try conn.pragma("synchronous"),
            journalMode: try conn.pragma("journal_mode"))
        return result
    }

    /// The timed part of a replay, a function of its own so that callgrind can count it alone
    /// (`bangfu-bench --callgrind` toggles collection on its name; no closure inside may match it).
    @inline(never)
    static func writeTransitions(_ transitions: [[Write]], to conn: RawSQLite, perTransaction: Int) throws {
        var open = 0
        for transition in transitions {
            if open == 0 { try conn.exec("BEGIN IMMEDIATE") }
            for write in transition { try conn.run(write.sql, write.values) }
            open += 1
            if open == perTransaction {
                try conn.exec("COMMIT")
                open = 0
            }
        }
        if open > 0 { try conn.exec("COMMIT") }
    }

    /// CPU time of the calling thread: the replay loop never suspends, so it runs on one thread,
    /// and the bench's other threads (idle then) do not count.
    static func threadCPUNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}

/// The least there is between us and the file: a connection, prepared statements kept by their text.
final class RawSQLite {
    let db: OpaquePointer
    var statements: [String: OpaquePointer] = [:]

    init(path: String) throws {
        var handle: OpaquePointer?
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil) == SQLITE_OK, let handle
        else {
            throw LoadError("cannot open \(path)")
        }
        db = handle
        sqlite3_busy_timeout(db, 30_000)
    }

    deinit {
        for s in statements.values { sqlite3_finalize(s) }
        sqlite3_close_v2(db)
    }

    func error() -> LoadError { LoadError(String(cString: sqlite3_errmsg(db))) }

    func exec(_ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw error() }
    }

    func pragma(_ name: String) throws -> String { try scalar("PRAGMA \(name)") }

    /// The first column of the first row, as text.
    func scalar(_ sql: String) throws -> String {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else { throw error() }
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW, let text = sqlite3_column_text(statement, 0) else {
            throw error()
        }
        return String(cString: text)
    }

    /// Runs one statement, prepared once per text.
    func run(_ sql: String, _ values: [DatabaseValue]) throws {
        let s: OpaquePointer
        if let kept = statements[sql] {
            s = kept
        } else {
            var p: OpaquePointer?
            guard sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &p, nil) == SQLITE_OK, let p else {
                throw error()
            }
            statements[sql] = p
            s = p
        }
        defer {
            sqlite3_reset(s)
            sqlite3_clear_bindings(s)
        }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (i, v) in values.enumerated() {
            let index = Int32(i + 1)
            switch v.storage {
            case .null: sqlite3_bind_null(s, index)
            case .int64(let n): sqlite3_bind_int64(s, index, n)
            case .double(let d): sqlite3_bind_double(s, index, d)
            case .string(let t): sqlite3_bind_text(s, index, t, -1, transient)
            case .blob(let b):
                _ = b.withUnsafeBytes { sqlite3_bind_blob(s, index, $0.baseAddress, Int32($0.count), transient) }
            }
        }
        let rc = sqlite3_step(s)
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw error() }
    }
}
