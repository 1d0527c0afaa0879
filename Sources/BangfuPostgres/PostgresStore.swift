import BangfuCore
import BangfuDomain
import BangfuSQL
import Foundation
import Synchronization

/// The PostgreSQL implementation of `BangfuStore`: the same statements as SQLite's (`BangfuSQL`),
/// the same schema and rules kept by the database (`PostgresSchema`), the same audit chain.
///
/// Each write is one READ COMMITTED transaction that first takes the audit chain's advisory lock:
/// writes, from every instance on the database, run one after another, so each sees everything
/// committed before it (balances, duplicates, one open archive) as SQLite's single writer does.
/// Reads run at REPEATABLE READ, read only: one snapshot for all their queries, never waiting.
public final class PostgresStore: SQLStore {
    /// What every view of the store (`scoped(to:)`) shares.
    private final class Shared: Sendable {
        let sessions: PGSessions
        let audit: PostgresAudit
        let identity: String
        let policy: Mutex<Policy>
        let stats = Mutex(WriteStats())
        let commits: AsyncStream<Void>
        let committed: AsyncStream<Void>.Continuation

        init(sessions: PGSessions, audit: PostgresAudit, identity: String, policy: Policy) {
            self.sessions = sessions
            self.audit = audit
            self.identity = identity
            self.policy = Mutex(policy)
            (commits, committed) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        }
    }

    private let shared: Shared
    /// The client's request this view writes under (see `scoped(to:)`).
    let request: RequestKey?

    /// Connects, runs pending migrations (once, however many instances start together) and reads
    /// the audited tables' shapes. `url` names the database without a password.
    public init(url: String, password: String?, policy: Policy) throws {
        // As many idle sessions as clients commonly call at once, so a busy hour reuses them.
        let sessions = PGSessions(url: url, password: password, capacity: 16)
        do {
            let audit = try sessions.withSession { connection in
                try PostgresSchema.migrate(connection)
                return try PostgresAudit(connection)
            }
            shared = Shared(sessions: sessions, audit: audit, identity: "postgres:" + url, policy: policy)
        } catch let error as PGError {
            throw error.bangfuError
        }
        request = nil
    }

    private init(sharing store: PostgresStore, request: RequestKey?) {
        shared = store.shared
        self.request = request
    }

    public var policy: Policy { shared.policy.withLock { $0 } }
    public func update(policy: Policy) { shared.policy.withLock { $0 = policy } }
    public var unscoped: PostgresStore { PostgresStore(sharing: self, request: nil) }
    public func scoped(to request: RequestKey?) -> any BangfuStore { PostgresStore(sharing: self, request: request) }
    public var writeStats: WriteStats { shared.stats.withLock { $0 } }
    public var commits: AsyncStream<Void> { shared.commits }

    public func write<T: Codable & Sendable>(_ body: @escaping @Sendable (SQLDatabase) throws -> T) async throws -> T {
        let shared = self.shared
        let request = self.request
        let value = try await Self.blocking {
            try shared.sessions.withSession { connection in
                try connection.transaction(.readCommitted) {
                    try connection.execute("SELECT pg_advisory_xact_lock(\(PostgresAudit.appendLock))")
                    let db = SQLDatabase(
                        PostgresDriver(connection: connection, audit: shared.audit, identity: shared.identity))
                    return try StoreSQL.answer(db, request: request, body)
                }
            }
        }
        shared.stats.withLock { stats in
            stats.transactions += 1
            stats.writes += 1
            stats.largestGroup = 1  // no group commit: one write per transaction
        }
        shared.committed.yield()
        return value
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (SQLDatabase) throws -> T) async throws -> T {
        let shared = self.shared
        return try await Self.blocking {
            try shared.sessions.withSession { connection in
                try connection.transaction(.repeatableRead) {
                    try connection.execute("SET TRANSACTION READ ONLY")
                    return try body(
                        SQLDatabase(
                            PostgresDriver(connection: connection, audit: shared.audit, identity: shared.identity)))
                }
            }
        }
    }

    public func readAside<T: Sendable>(_ body: @escaping @Sendable (SQLDatabase) throws -> T) async throws -> T {
        try await read(body)
    }

    /// libpq's blocking calls on a thread of their own, PostgreSQL's errors answered as bangfu's.
    private static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await offloaded {
            do {
                return try work()
            } catch let error as PGError {
                throw error.bangfuError
            }
        }
    }

    public func durability() async throws -> (journalMode: String, synchronous: String) {
        try await read { db in
            ("postgresql", try String.fetchOne(db, sql: "SHOW synchronous_commit") ?? "?")
        }
    }

    public func auditHead() async throws -> AuditHead? {
        try await read { db in try StoreSQL.auditHead(db) }
    }

    /// A PostgreSQL database is backed up by its administrators (`pg_dump`, base backups and WAL
    /// archiving, replicas): bangfud does not copy it.
    public func backup(to path: String, by actor: Actor, at: Date) async throws -> VerificationReport {
        throw BangfuError(
            .invalidInput,
            zh: "数据存放在 PostgreSQL 中：请由数据库管理员用 pg_dump 或基础备份加 WAL 归档备份，bangfud 不复制数据库",
            en:
                "the records are kept in PostgreSQL: back it up with pg_dump or base backups and WAL archiving, run by its administrators; bangfud does not copy the database"
        )
    }

    public func verify(anchors: [AuditHead]) async throws -> VerificationReport {
        let audit = shared.audit
        return try await read { db in
            guard let driver = db.driver as? PostgresDriver else { preconditionFailure("a PostgreSQL store's driver") }
            let chain = try audit.verify(driver.connection)
            var problems = chain.problems
            var firstBroken = chain.firstBroken
            let anchored = try StoreSQL.lostAnchors(db, anchors, lastSeq: chain.head?.seq ?? 0)
            if let problem = anchored.problem, let first = anchored.lost.first {
                problems.append(problem)
                firstBroken = min(firstBroken ?? first.seq, first.seq)
            }
            problems += try PersonalValues.check(db)
            problems += try StoreSQL.ledgerProblems(db)
            let auditRows = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log") ?? 0
            let transactions = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_txn") ?? 0
            return VerificationReport(
                auditRows: auditRows, ledgerTransactions: transactions, firstBrokenAuditRow: firstBroken,
                problems: problems, head: chain.head, anchorsLost: anchored.lost)
        }
    }

    /// Compares this instance's configuration (`digests`, one per top-level key) with the one
    /// kept for every instance on the database; returns the keys that differ. The first instance
    /// sets it; `adopt` replaces it (`bangfu-db adopt-config`: a deliberate change, audited).
    public func agreeOnConfiguration(_ digests: [String: String], adopt: Bool, by actor: String, at: Date)
        async throws -> ConfigurationAgreement
    {
        try await unscoped.write { db in
            let kept = try SQLRow.fetchAll(db, sql: "SELECT key, digest FROM shared_config").reduce(
                into: [String: String]()
            ) { kept, row in kept[row["key"]] = row["digest"] }
            // The first instance sets it: nothing differs from nothing.
            let differing = kept.isEmpty ? [] : Self.differing(digests, kept)
            guard kept.isEmpty || (adopt && !differing.isEmpty) else {
                return ConfigurationAgreement(differing: differing, recorded: false)
            }
            try db.execute(sql: "DELETE FROM shared_config")
            for (key, digest) in digests.sorted(by: { $0.key < $1.key }) {
                try db.execute(
                    sql: "INSERT INTO shared_config(key, digest, set_ms, set_by) VALUES (?, ?, ?, ?)",
                    arguments: [key, digest, StoreSQL.ms(at), actor])
            }
            try db.driver.appendAudit(
                at: at, actor: actor, action: kept.isEmpty ? "config_set" : "config_adopted", entity: "configuration",
                entityId: differing.isEmpty ? "all" : differing.joined(separator: ","))
            return ConfigurationAgreement(differing: differing, recorded: true)
        }
    }

    /// Keys present in one set only, or with another digest, sorted.
    static func differing(_ mine: [String: String], _ theirs: [String: String]) -> [String] {
        Set(mine.keys).union(theirs.keys).filter { mine[$0] != theirs[$0] }.sorted()
    }

}
