import Foundation

/// Which of several bangfud instances on one database runs the time-driven work (notice deadlines,
/// campaign planning, instalments, retention, checkpoints): the one whose session holds a
/// PostgreSQL advisory lock.
///
/// The lock belongs to the session, not to a row: when the leader's process dies its connection
/// closes and the server drops the lock at once, so another instance's next `tryLead()` takes over
/// with nothing to clean up. A leader cut off without its connection closing (a network loss) is
/// noticed by the server's TCP keepalives (`tcp_keepalives_idle`, `_interval`, `_count`), which
/// bound the takeover; until then the old session still holds the lock, so two never lead at once.
public final class PGLeaderLock {
    private let connection: PGConnection
    /// The advisory lock's key: one per database and purpose.
    public let key: Int64

    public init(connection: PGConnection, key: Int64) {
        self.connection = connection
        self.key = key
    }

    /// Takes the lock when it is free (or already ours); never waits.
    public func tryLead() throws -> Bool {
        if try leads() { return true }
        let rows = try connection.execute("SELECT pg_try_advisory_lock($1::bigint) AS taken", [String(key)])
        return rows.text(0, "taken") == "t"
    }

    /// Whether this session holds the lock now, as the server sees it.
    public func leads() throws -> Bool {
        let rows = try connection.execute(
            """
            SELECT count(*) AS held FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()
              AND ((classid::bigint << 32) | objid::bigint) = $1::bigint AND objsubid = 1
            """, [String(key)])
        return (rows.int(0, "held") ?? 0) > 0
    }

    /// Gives the lock up (a clean stop), so another instance takes over without waiting.
    public func resign() throws {
        while try leads() {
            _ = try connection.execute("SELECT pg_advisory_unlock($1::bigint)", [String(key)])
        }
    }
}

/// Leadership of the time-driven work among the instances on one database, kept on a session of
/// its own: asked before each scheduler run, it takes the lead when free and reconnects when its
/// session was lost (a lost session lost the lock with it, so it never leads on a stale belief).
public final class PostgresLeadership: @unchecked Sendable {
    private let url: String
    private let password: String?
    /// The session holding (or trying for) the lock; used only under `lock`.
    private var leaderLock: PGLeaderLock?
    private let lock = NSLock()

    /// The advisory lock's key for the scheduler ("bflead").
    public static let schedulerKey: Int64 = 0x62_666C_6561_64

    public init(url: String, password: String?) {
        self.url = url
        self.password = password
    }

    /// Whether this instance leads now: true only while its session holds the lock.
    public func leads() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        do {
            if leaderLock == nil {
                let connection = try PGConnection(url: url, password: password, applicationName: "bangfud-leader")
                leaderLock = PGLeaderLock(connection: connection, key: Self.schedulerKey)
            }
            return try leaderLock?.tryLead() ?? false
        } catch {
            leaderLock = nil
            return false
        }
    }
}

extension PostgresLeadership {
    /// `leads()` on a thread of its own: libpq blocks, the caller's executor must not.
    public func leadsNow() async -> Bool {
        (try? await offloaded { self.leads() }) ?? false
    }
}

/// Runs `work` (libpq's blocking calls) on a thread of Dispatch's, never on the caller's executor
/// (an event loop or the cooperative pool, which must not block).
func offloaded<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (done: CheckedContinuation<T, Error>) in
        DispatchQueue.global().async { done.resume(with: Result { try work() }) }
    }
}
