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
