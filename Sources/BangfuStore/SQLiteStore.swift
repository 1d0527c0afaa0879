import BangfuCore
import BangfuDomain
import Crypto
import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// The SQLite implementation of `BangfuStore`: one file in WAL mode, `synchronous=FULL` by default.
///
/// Each mutating call runs in one `BEGIN IMMEDIATE` transaction, so two processes sharing the
/// file serialize on the write lock and every check (balance, duplicates) sees the latest data.
public final class SQLiteStore: BangfuStore {
    let pool: DatabasePool
    let writer: WriteGroup
    /// The rules in force, shared by every view of the store (see `scoped(to:)`).
    private final class PolicyBox: Sendable {
        let current: Mutex<Policy>
        init(_ policy: Policy) { current = Mutex(policy) }
    }
    private let policyBox: PolicyBox
    /// The rules in force; replaced by `update(policy:)` after a configuration reload.
    var policy: Policy { policyBox.current.withLock { $0 } }
    /// The file path, for messages.
    public let path: String
    /// The client's request this view writes under: its id and answer are stored with the write, and
    /// a retry with the same id gets the first answer. Passed explicitly, never read from the task.
    let request: RequestKey?

    /// The same store, writing under `request` (nil: no request id).
    public func scoped(to request: RequestKey?) -> any BangfuStore { SQLiteStore(sharing: self, request: request) }

    private init(sharing store: SQLiteStore, request: RequestKey?) {
        pool = store.pool
        writer = store.writer
        policyBox = store.policyBox
        path = store.path
        self.request = request
    }

    /// Opens (creating when missing) the database and runs pending migrations.
    public init(path: String, policy: Policy, synchronousFull: Bool = true) throws {
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronousFull ? "FULL" : "NORMAL")")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            // GRDB turns WAL on after `prepareDatabase` and sets `synchronous = NORMAL` with it, which
            // survives a crash of the process but can lose the last commits on a power cut. Set the
            // writer back to what was asked (`durability()` reads it back; a test checks it).
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = \(synchronousFull ? "FULL" : "NORMAL")")
            }
            try SQLiteStore.migrator.migrate(pool)
        } catch {
            throw SQLiteStore.mapError(error, path: path)
        }
        self.writer = WriteGroup(pool: pool)
        self.policyBox = PolicyBox(policy)
        self.path = path
        self.request = nil
    }

    /// How concurrent writes were grouped into transactions since the store opened.
    public var writeStats: WriteStats { writer.stats }

    /// One element after each commit (the newest only is kept); one follower at a time.
    public var commits: AsyncStream<Void> { writer.commits }

    public func auditHead() async throws -> AuditHead? {
        try await readAside { db in try Audit.head(db) }
    }

    public func durability() async throws -> (journalMode: String, synchronous: String) {
        do {
            return try await pool.writeWithoutTransaction { db in
                let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?"
                let level = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
                return (mode, [0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"][level] ?? String(level))
            }
        } catch {
            throw SQLiteStore.mapError(error, path: path)
        }
    }

    public func update(policy: Policy) { policyBox.current.withLock { $0 = policy } }

    /// Runs `body` in an immediate write transaction and maps SQLite errors to typed ones.
    ///
    /// Concurrent calls share one transaction and one `fsync` (group commit, see `WriteGroup`); each
    /// runs in its own savepoint, so one that fails changes nothing and does not fail the others, and
    /// each returns only after the commit that holds its work.
    ///
    /// Under a request (`scoped(to:)`) the request id and the answer are stored in the same
    /// transaction; a retry with the same id returns the stored answer without running `body` again.
    func write<T: Codable & Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let request = self.request
        let result = Mutex<T?>(nil)
        do {
            try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, Error>) in
                writer.submit(
                    WriteGroup.Job(
                        run: { db in
                            let value = try SQLiteStore.answer(db, request: request, body)
                            result.withLock { $0 = value }
                        },
                        done: { error in
                            if let error { done.resume(throwing: error) } else { done.resume() }
                        }))
            }
        } catch {
            throw SQLiteStore.mapError(error, path: path)
        }
        return result.withLock { $0! }
    }

    /// One request inside the group's transaction: the stored answer of an earlier call with the same id, or `body`'s.
    private static func answer<T: Codable>(_ db: Database, request: RequestKey?, _ body: (Database) throws -> T) throws
        -> T
    {
        guard let request else { return try body(db) }
        if let earlier = try Row.fetchOne(
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
            return try SQLiteStore.decode(T.self, earlier["reply"])
        }
        let value = try body(db)
        try db.cachedStatement(
            sql: """
                INSERT INTO request_log(principal, request_id, params_hash, reply, created_ms) VALUES (?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            request.principal, request.id, request.paramsHash, try SQLiteStore.json(value), SQLiteStore.ms(request.at),
        ])
        return value
    }

    public func ping() async throws {
        _ = try await write { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT 1")) ?? 1 }
    }

    /// A read that may be long (whole-table checks, reports, listings): on GRDB's reader queue, so
    /// the event loop that called it keeps serving its other connections meanwhile.
    ///
    /// Off the caller's task executor: GRDB gives the reader back in the async function that took
    /// it, after the body, and a handler's task prefers its event loop. Were that loop blocked in a
    /// synchronous read (`read`) waiting for a reader, the reader it waits for could never be given
    /// back: 16 clients approving at once deadlocked bangfud that way (bangfu-bench, end to end).
    func readAside<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await withTaskExecutorPreference(globalConcurrentExecutor) { try await pool.read(body) }
        } catch {
            throw SQLiteStore.mapError(error, path: path)
        }
    }

    /// A blocking read in one deferred transaction (one snapshot for all its queries), with the
    /// BEGIN and COMMIT as cached statements: GRDB's own `read` prepares them (and toggles
    /// `query_only`) on every call, which showed in the profile of case reads. Reader connections
    /// of the pool cannot write, so `query_only` adds nothing.
    private func readHere<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.unsafeRead { db in
            try db.cachedStatement(sql: "BEGIN DEFERRED TRANSACTION").execute()
            do {
                let value = try body(db)
                try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
                return value
            } catch {
                if !db.isInsideTransaction { throw error }
                try? db.cachedStatement(sql: "ROLLBACK TRANSACTION").execute()
                throw error
            }
        }
    }

    /// Runs `body` in a read transaction on one of the pool's readers (WAL: never blocked by the writer).
    ///
    /// Synchronously on the calling thread: reads take tens of microseconds, and the hop to GRDB's
    /// queue and back cost more than the read itself (measured by bangfu-bench's case reads).
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let path = self.path
        do {
            return try readHere(body)
        } catch {
            throw SQLiteStore.mapError(error, path: path)
        }
    }

    /// SQLite's answer in words a person can act on; our own errors pass through.
    static func mapError(_ error: Error, path: String) -> Error {
        if error is BangfuError { return error }
        guard let e = error as? DatabaseError else {
            return BangfuError(.storage, zh: "数据库 \(path) 出错：\(error)", en: "database \(path) failed: \(error)")
        }
        switch e.resultCode {
        case .SQLITE_FULL:
            return BangfuError(
                .storage, zh: "磁盘已满，写入被拒绝，数据未改变：请为 \(path) 所在磁盘腾出空间",
                en:
                    "the disk is full; the write was refused and nothing changed: free space on the disk holding \(path)"
            )
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
            return BangfuError(
                .storage, zh: "无法写入数据库 \(path)：请检查文件和目录权限",
                en: "cannot write database \(path): check file and directory permissions")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return BangfuError(
                .storage, zh: "数据库 \(path) 正忙（另一进程长时间占用写锁）：请稍后重试",
                en: "database \(path) is busy (another process holds the write lock): retry later")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return BangfuError(
                .storage, zh: "数据库 \(path) 已损坏：请从备份恢复", en: "database \(path) is corrupt: restore it from a backup")
        case .SQLITE_CONSTRAINT:
            if e.message?.contains("overdraft") == true {
                return BangfuError(.overdraft, zh: "余额不足，拒绝透支", en: "insufficient balance; overdraft refused")
            }
            if e.message?.contains("amount_out_of_range") == true || e.message?.contains("balance_out_of_range") == true
            {
                return Money.overflow("amount")
            }
            return BangfuError(
                .invalidInput, zh: "数据不符合约束：\(e.message ?? "")", en: "the data breaks a constraint: \(e.message ?? "")")
        default:
            return BangfuError(
                .storage, zh: "数据库 \(path) 出错：\(e.message ?? "\(e)")",
                en: "database \(path) failed: \(e.message ?? "\(e)")")
        }
    }

    // MARK: Helpers shared by the extensions

    static func ms(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1000).rounded()) }
    static func date(ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }

    static func json<T: Encodable>(_ v: T) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: try enc.encode(v), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// Next number of a yearly sequence, e.g. case numbers for 2026.
    static func nextNumber(_ db: Database, _ name: String) throws -> Int {
        let n =
            try Int.fetchOne(db.cachedStatement(sql: "SELECT next FROM counter WHERE name = ?"), arguments: [name]) ?? 1
        try db.execute(
            sql: "INSERT INTO counter(name, next) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET next = excluded.next",
            arguments: [name, n + 1])
        return n
    }

    /// The unit tree, kept between transactions: a trigger bumps the `unit_tree` counter on any change to
    /// `org_unit` (also by another process), so one indexed read tells whether the kept tree still holds.
    static func loadTree(_ db: Database) throws -> UnitTree {
        let version =
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT next FROM counter WHERE name = 'unit_tree'")) ?? 0
        let file = String(cString: sqlite3_db_filename(db.sqliteConnection, "main"))
        if let kept = treeCache.withLock({ $0[file] }), kept.version == version { return kept.tree }
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT id, name, parent_id, level FROM org_unit"))
        let tree = try UnitTree(
            rows.map { r in
                OrgUnit(
                    id: r["id"], name: r["name"], parentId: r["parent_id"],
                    level: UnitLevel(rawValue: r["level"]) ?? .grassroots)
            })
        treeCache.withLock { $0[file] = (version, tree) }
        return tree
    }

    /// Placeholders for `IN (...)`: `?,?,?`, or `NULL` (matching nothing) for an empty list.
    static func inList(_ n: Int) -> String { n == 0 ? "NULL" : Array(repeating: "?", count: n).joined(separator: ",") }

    /// Rows of `table` in `units`, optionally with `column = value`, in id order; with a page, at most
    /// `limit + 1` rows after its cursor (the one past the limit tells that another page follows).
    static func rowsInUnits(
        _ db: Database, table: String, columns: String = "*", units: [String], column: String, value: String?,
        page: Page? = nil
    ) throws -> [Row] {
        try rowsInUnits(
            db, table: table, columns: columns, units: units, column: column, values: value.map { [$0] }, page: page)
    }

    /// Rows of `table` in `units` whose `column` is one of `values` (any when nil), in id order, a page when given.
    static func rowsInUnits(
        _ db: Database, table: String, columns: String = "*", units: [String], column: String, values: [String]?,
        page: Page? = nil
    ) throws -> [Row] {
        var sql = "SELECT \(columns) FROM \(table) WHERE unit_id IN (\(inList(units.count)))"
        var args = StatementArguments(units)
        if let values {
            sql += " AND \(column) IN (\(inList(values.count)))"
            args += StatementArguments(values)
        }
        if let after = page?.afterId {
            sql += " AND id > ?"
            args += [after]
        }
        sql += " ORDER BY id"
        if let page { sql += " LIMIT \(page.limit + 1)" }
        return try Row.fetchAll(db, sql: sql, arguments: args)
    }

    static func notFound(_ kind: RecordKind, _ key: String) -> BangfuError { BangfuError.notFound(kind, key) }

    // MARK: Units

    public func syncUnits(_ units: [OrgUnit], at: Date) async throws {
        // Only this method changes units; a tree it read inside a transaction that rolled back must not be kept.
        defer { treeCache.withLock { $0.removeAll() } }
        _ = try await SQLiteStore(sharing: self, request: nil).write { db in
            try UnitDomain.sync(SQLiteUnitOfWork(db: db), units, at: at)
            return Empty()
        }
    }

    public func unitTree() async throws -> UnitTree {
        try await read { db in try SQLiteStore.loadTree(db) }
    }
}

/// Unit trees by database file, with the `unit_tree` version they were read at.
private let treeCache = Mutex<[String: (version: Int64, tree: UnitTree)]>([:])

/// The answer of a write that returns nothing.
struct Empty: Codable, Sendable {}

/// The audit hash chain: each row's hash covers the previous hash and the canonical event.
enum Audit {
    static let genesis = AuditChain.genesis

    static func sha256(_ s: String) -> String {
        SHA256.hash(data: Data(s.utf8)).withUnsafeBytes { bytes in bytes.hexString }
    }

    static func canonical(
        seq: Int64, atMs: Int64, actor: String, action: String, entity: String, entityId: String,
        detailHash: String, prevHash: String
    ) -> String {
        AuditChain.entryText(
            seq: seq, atMs: atMs, actor: actor, action: action, entity: entity, entityId: entityId,
            detailHash: detailHash, prevHash: prevHash)
    }

    /// The chain's last row, nil while it is empty.
    static func head(_ db: Database) throws -> AuditHead? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"))
            .map { row in AuditHead(seq: row["seq"], hash: row["hash"]) }
    }

    /// Appends one row, committing to the fact rows written since the last one (`AuditFacts`).
    static func append(
        _ db: Database, at: Date, actor: String, action: String, entity: String, entityId: String
    ) throws {
        let last = try head(db)
        let seq = (last?.seq ?? 0) + 1
        let prev = last?.hash ?? genesis
        let atMs = SQLiteStore.ms(at)
        let facts = try AuditFacts.pending(db)
        let detailHash = AuditFacts.detailHash(facts)
        let hash = sha256(
            canonical(
                seq: seq, atMs: atMs, actor: actor, action: action, entity: entity,
                entityId: entityId, detailHash: detailHash, prevHash: prev))
        try db.cachedStatement(
            sql: """
                INSERT INTO audit_log(seq, at_ms, actor, action, entity, entity_id, detail_hash, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [seq, atMs, actor, action, entity, entityId, detailHash, prev, hash])
        try AuditFacts.record(db, seq: seq, facts)
    }
}
