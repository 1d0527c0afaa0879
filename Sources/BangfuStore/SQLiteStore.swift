import BangfuCore
import BangfuDomain
import Crypto
import Foundation
import GRDB
import GRDBSQLite
import Synchronization
import BangfuSQL

/// The SQLite implementation of `BangfuStore`: one file in WAL mode, `synchronous=FULL` by default.
///
/// Each mutating call runs in one `BEGIN IMMEDIATE` transaction, so two processes sharing the
/// file serialize on the write lock and every check (balance, duplicates) sees the latest data.
public final class SQLiteStore: SQLStore {
    let pool: DatabasePool
    /// The connections short reads run on (`read`); GRDB's pool serves the long ones (`readAside`).
    let readers: SQLiteReaders
    let writer: WriteGroup
    /// The rules in force, shared by every view of the store (see `scoped(to:)`).
    private final class PolicyBox: Sendable {
        let current: Mutex<Policy>
        init(_ policy: Policy) { current = Mutex(policy) }
    }
    private let policyBox: PolicyBox
    /// The rules in force; replaced by `update(policy:)` after a configuration reload.
    public var policy: Policy { policyBox.current.withLock { $0 } }
    /// The file path, for messages.
    public let path: String
    /// The client's request this view writes under: its id and answer are stored with the write, and
    /// a retry with the same id gets the first answer. Passed explicitly, never read from the task.
    let request: RequestKey?

    /// The same store, writing under `request` (nil: no request id).
    public func scoped(to request: RequestKey?) -> any BangfuStore { SQLiteStore(sharing: self, request: request) }

    public var unscoped: SQLiteStore { SQLiteStore(sharing: self, request: nil) }

    private init(sharing store: SQLiteStore, request: RequestKey?) {
        pool = store.pool
        readers = store.readers
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
        self.readers = SQLiteReaders(path: path)
        self.policyBox = PolicyBox(policy)
        self.path = path
        self.request = nil
    }

    /// How concurrent writes were grouped into transactions since the store opened.
    public var writeStats: WriteStats { writer.stats }

    /// One element after each commit (the newest only is kept); one follower at a time.
    public var commits: AsyncStream<Void> { writer.commits }

    public func auditHead() async throws -> AuditHead? {
        try await readAsideSQLite { db in try Audit.head(db) }
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
    public func write<T: Codable & Sendable>(_ body: @escaping @Sendable (SQLDatabase) throws -> T) async throws -> T {
        let request = self.request
        let result = Mutex<T?>(nil)
        do {
            try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, Error>) in
                writer.submit(
                    WriteGroup.Job(
                        run: { db in
                            let value = try StoreSQL.answer(SQLiteDriver.database(db), request: request, body)
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

    /// A read that may be long (whole-table checks, reports, listings): on GRDB's reader queue, so
    /// the event loop that called it keeps serving its other connections meanwhile.
    ///
    /// Off the caller's task executor: GRDB gives the reader back in the async function that took
    /// it, after the body, and a handler's task prefers its event loop. Were that loop blocked in a
    /// synchronous read (`read`) waiting for a reader, the reader it waits for could never be given
    /// back: 16 clients approving at once deadlocked bangfud that way (bangfu-bench, end to end).
    public func readAside<T: Sendable>(_ body: @escaping @Sendable (SQLDatabase) throws -> T) async throws -> T {
        try await readAsideSQLite { db in try body(SQLiteDriver.database(db)) }
    }

    /// `readAside` for SQLite's own checks (verify, backup).
    func readAsideSQLite<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await withTaskExecutorPreference(globalConcurrentExecutor) { try await pool.read(body) }
        } catch {
            throw SQLiteStore.mapError(error, path: path)
        }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (SQLDatabase) throws -> T) async throws -> T {
        let path = self.path
        do {
            return try readers.read(body)
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

    static func ms(_ date: Date) -> Int64 { StoreSQL.ms(date) }
}

/// The audit hash chain: each row's hash covers the previous hash and the canonical event.
enum Audit {
    static let genesis = AuditChain.genesis

    static func sha256(_ s: String) -> String { sha256(bytes: Array(s.utf8)) }

    static func sha256(bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).withUnsafeBytes { digest in digest.hexString }
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
        // By position through the driver: a GRDB `Row` cost as much as the query (every append reads it).
        var head: AuditHead?
        try SQLiteDriver(db).each("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", []) { row in
            head = AuditHead(seq: row[0], hash: row[1])
            return false
        }
        return head
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
        _ = try SQLiteDriver(db).execute(
            """
            INSERT INTO audit_log(seq, at_ms, actor, action, entity, entity_id, detail_hash, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(seq), .integer(atMs), .text(actor), .text(action), .text(entity), .text(entityId),
                .text(detailHash), .text(prev), .text(hash),
            ])
        try AuditFacts.record(db, seq: seq, facts)
    }
}
