import BangfuCore
import Foundation
import Synchronization

/// A few PostgreSQL sessions shared by a store's callers, made when needed and dropped when
/// lost: while the database is down a call fails at once with a storage error that says to try
/// again, and the first call after it is back gets a new session. Nothing is retried behind the
/// caller's back (a write that may or may not have committed is the caller's to ask about, with
/// its request id).
public final class PGSessions: Sendable {
    private let url: String
    private let password: String?
    private let capacity: Int
    private let idle = Mutex<[PGConnectionBox]>([])

    /// - Parameter capacity: how many idle sessions are kept for reuse (more may be open at once).
    public init(url: String, password: String? = nil, capacity: Int = 4) {
        self.url = url
        self.password = password
        self.capacity = capacity
    }

    /// Runs `body` on a session: an idle one, else a new one. A session the call found lost is
    /// closed, not kept; any other error leaves it usable.
    public func withSession<T>(_ body: (PGConnection) throws -> T) throws -> T {
        // An idle session the server closed meanwhile (a restart) is dropped before it is used.
        var reused: PGConnectionBox?
        while reused == nil, let candidate = idle.withLock({ sessions in sessions.popLast() }) {
            if candidate.connection.isAlive { reused = candidate }
        }
        let box = try reused ?? PGConnectionBox(try PGConnection(url: url, password: password))
        do {
            let value = try body(box.connection)
            keep(box)
            return value
        } catch let error as PGError where error.connectionLost || !box.connection.isConnected {
            throw error
        } catch {
            keep(box)
            throw error
        }
    }

    /// How many sessions wait idle (for tests and status).
    public var idleCount: Int { idle.withLock { $0.count } }

    private func keep(_ box: PGConnectionBox) {
        guard box.connection.isConnected else { return }
        idle.withLock { sessions in
            if sessions.count < capacity { sessions.append(box) }
        }
    }
}

/// A session handed between threads by `PGSessions`, used by one caller at a time.
final class PGConnectionBox: @unchecked Sendable {
    let connection: PGConnection
    init(_ connection: PGConnection) { self.connection = connection }
}
