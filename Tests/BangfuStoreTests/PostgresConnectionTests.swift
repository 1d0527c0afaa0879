import BangfuCore
import BangfuLoad
import BangfuPostgres
import Foundation
import Testing

/// Issue 16, first part: bangfu's PostgreSQL session (libpq) against a real PostgreSQL 15 started
/// by the test, and the advisory lock that makes one of several instances the leader.
@Suite(.serialized) struct PostgresConnectionTests {
    @Test func parametersTravelApartAndConstraintsAnswerAsBangfuErrors() throws {
        let server = try LocalPostgres()
        let connection = try PGConnection(url: server.url)
        try connection.execute(
            "CREATE TABLE payment (case_no text, instalment int, fen bigint CHECK (fen > 0), UNIQUE (case_no, instalment))"
        )
        // A value that would be SQL if it were pasted in is only a value.
        let hostile = "BF-1'); DROP TABLE payment; --"
        try connection.execute("INSERT INTO payment VALUES ($1, $2, $3)", [hostile, "1", String(Int64.max)])
        let rows = try connection.execute("SELECT case_no, fen FROM payment")
        #expect(rows.count == 1 && rows.text(0, "case_no") == hostile && rows.int(0, "fen") == Int64.max)
        // One disbursement per instalment: the second is a duplicate, and nothing changed.
        let twice = #expect(throws: PGError.self) {
            try connection.execute("INSERT INTO payment VALUES ($1, 1, 100)", [hostile])
        }
        #expect(twice?.sqlState == "23505" && twice?.bangfuError.code == .duplicate)
        let negative = #expect(throws: PGError.self) {
            try connection.execute("INSERT INTO payment VALUES ('BF-2', 1, -5)")
        }
        #expect(negative?.bangfuError.code == .invalidInput)
        // A transaction that throws leaves nothing behind.
        #expect(throws: PGError.self) {
            try connection.transaction(.serializable) {
                try connection.execute("INSERT INTO payment VALUES ('BF-3', 1, 100)")
                try connection.execute("INSERT INTO payment VALUES ('BF-3', 1, 100)")
            }
        }
        #expect(try connection.execute("SELECT count(*) AS n FROM payment").int(0, "n") == 1)
    }

    /// The database restarted: a call while it is down fails cleanly with a storage error that
    /// says what to do (and not the server's words); a new session afterwards works.
    @Test func aRestartedDatabaseFailsCleanlyThenServesAgain() throws {
        let server = try LocalPostgres()
        let connection = try PGConnection(url: server.url)
        try connection.execute("CREATE TABLE t (n int)")
        try server.stop()
        let down = #expect(throws: PGError.self) { try connection.execute("INSERT INTO t VALUES (1)") }
        #expect(down?.connectionLost == true && down?.bangfuError.code == .storage, "\(String(describing: down))")
        #expect(down?.bangfuError.zh.contains("稍后重试") == true)
        let refused = #expect(throws: PGError.self) { try PGConnection(url: server.url) }
        #expect(refused?.bangfuError.code == .storage)
        try server.start()
        let again = try PGConnection(url: server.url)
        try again.execute("INSERT INTO t VALUES (1)")
        #expect(try again.execute("SELECT count(*) AS n FROM t").int(0, "n") == 1)
    }

    /// Two instances, one leader: while psql (a client we did not write) holds the lock, bangfu's
    /// session cannot lead; killed with SIGKILL, its lock goes with its session and the survivor
    /// takes over. Resigning hands over at once.
    @Test func theSurvivorTakesTheLeadWhenTheLeaderIsKilled() throws {
        let server = try LocalPostgres()
        let key: Int64 = 0x6261_6E67_6675  // "bangfu"
        // psql takes the lock and then waits, idle, for more input, as a leader waits between timers.
        let leader = Process()
        leader.executableURL = URL(fileURLWithPath: "\(LocalPostgres.binaries)/psql")
        leader.arguments = [server.url]
        let input = Pipe()
        leader.standardInput = input
        leader.standardOutput = FileHandle.nullDevice
        leader.standardError = FileHandle.nullDevice
        try leader.run()
        input.fileHandleForWriting.write(Data("SELECT pg_advisory_lock(\(key));\n".utf8))
        let survivor = PGLeaderLock(connection: try PGConnection(url: server.url), key: key)
        var held = false
        for _ in 0..<100 where !held {
            // Wait until psql holds the lock (a session of the server's, seen in pg_locks).
            let other = try PGConnection(url: server.url)
            held =
                (try other.execute("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted")
                    .int(0, "n") ?? 0) > 0
            if !held { Thread.sleep(forTimeInterval: 0.05) }
        }
        try #require(held, "psql never took the lock: \(server.log())")
        #expect(try survivor.tryLead() == false && survivor.leads() == false)
        let killedAt = Date()
        kill(leader.processIdentifier, SIGKILL)
        leader.waitUntilExit()
        var took = false
        for _ in 0..<600 where !took {
            took = try survivor.tryLead()
            if !took { Thread.sleep(forTimeInterval: 0.05) }
        }
        let leads = try survivor.leads()
        #expect(took && leads)
        print("leader killed; the survivor led after \(Int(Date().timeIntervalSince(killedAt) * 1000)) ms")
        // A clean stop hands over at once.
        let third = PGLeaderLock(connection: try PGConnection(url: server.url), key: key)
        #expect(try third.tryLead() == false)
        try survivor.resign()
        #expect(try third.tryLead() == true && survivor.tryLead() == false)
    }
}

/// Issue 16: the sessions a store shares, across a database restart.
@Suite(.serialized) struct PostgresSessionsTests {
    /// While the database is down every call fails at once with a storage error; after it is back
    /// the next call works, on a new session (the stale idle ones are dropped, not used).
    @Test func callsFailCleanlyWhileTheDatabaseIsDownAndWorkAfter() throws {
        let server = try LocalPostgres()
        let sessions = PGSessions(url: server.url, capacity: 2)
        try sessions.withSession { connection in try connection.execute("CREATE TABLE t (n int)") }
        let first = try sessions.withSession { connection in connection.serverProcessId }
        #expect(sessions.idleCount == 1)
        #expect(try sessions.withSession { connection in connection.serverProcessId } == first, "reused")
        try server.stop()
        for _ in 0..<3 {
            let down = #expect(throws: PGError.self) {
                try sessions.withSession { connection in try connection.execute("INSERT INTO t VALUES (1)") }
            }
            #expect(down?.bangfuError.code == .storage)
        }
        #expect(sessions.idleCount == 0, "no lost session kept")
        try server.start()
        let after = try sessions.withSession { connection in
            try connection.execute("INSERT INTO t VALUES (1) RETURNING n").int(0, "n")
        }
        #expect(after == 1)
        // A refusal is not a lost session: it is kept for the next caller.
        #expect(throws: PGError.self) {
            try sessions.withSession { connection in try connection.execute("INSERT INTO t VALUES ('x')") }
        }
        #expect(sessions.idleCount == 1)
        // Restarted while nobody called: the first call after it works (the stale session is dropped).
        try server.stop()
        try server.start()
        #expect(
            try sessions.withSession { connection in try connection.execute("SELECT count(*) AS n FROM t").int(0, "n") }
                == 1)
    }
}
