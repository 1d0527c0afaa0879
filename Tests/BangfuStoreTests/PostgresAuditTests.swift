import BangfuCore
import BangfuLoad
import BangfuPostgres
import BangfuStoreCopy
import Foundation
import GRDB
import Testing

@testable import BangfuStore

/// Issue 16: one audit chain on two engines. A store copied into PostgreSQL verifies there; the
/// same write appended on each gives the same entry, hash for hash; PostgreSQL's verify finds what
/// SQLite's would: a row rewritten behind bangfud's back, an entry edited after writing.
@Suite(.serialized) struct PostgresAuditTests {
    @Test func theSameWriteAppendsTheSameEntryOnBothEngines() async throws {
        let fx = try await Fixture()
        try await fx.fund()
        try await fx.fund("f2", yuan: 0)
        try await fx.transfer("f1", "f2", yuan: 500)
        let household = try await fx.archive()
        var changed = household.input
        changed.head.name = "张三改"
        _ = try await fx.store.updateArchive(id: household.id, changed, by: fx.actor("cw"), at: fx.tick())
        let postgres = try LocalPostgres()
        let connection = try PGConnection(url: postgres.url)
        try PostgresSchema.migrate(connection)
        let proof = try StoreCopy(source: try fx.raw(), target: connection).run()
        #expect(proof.proven, "\(proof.tables.filter { !$0.equal }.map(\.name)) \(proof.factProblems)")
        let audit = try PostgresAudit(connection)
        let copied = try audit.verify(connection)
        let sqliteHead = try await fx.store.auditHead()
        #expect(copied.problems.isEmpty && copied.head == sqliteHead, "\(copied.problems)")

        // One write on each engine: a contact (append-only), a pairing made and ended in the same
        // write (an update), an income record (a key with text in it), a visit inserted and deleted
        // again (a noted row that is gone). Then one entry each.
        let at = fx.tick()
        let atMs = SQLiteStore.ms(at)
        let id = String(household.id)
        let statements: [(sql: String, parameters: [String?])] = [
            (
                "INSERT INTO contact(household_id, helper, kind, at_ms, note) VALUES (?, 'he', 'phone', ?, '电话问候，''好''')",
                [id, String(atMs)]
            ),
            ("INSERT INTO pairing(id, household_id, helper, since_ms) VALUES (900, ?, 'he', ?)", [id, String(atMs)]),
            ("UPDATE pairing SET until_ms = ? WHERE id = 900", [String(atMs)]),
            ("INSERT INTO income_record VALUES (?, '2027-01', 80000, ?)", [id, String(atMs)]),
            (
                "INSERT INTO visit(id, household_id, unit_id, due_on, status) VALUES (901, ?, 'b1', '2027-03-01', 'planned')",
                [id]
            ),
            ("DELETE FROM visit WHERE id = 901", []),
        ]
        let sqlite = try fx.raw()
        try await sqlite.write { db in
            for statement in statements {
                try db.execute(sql: statement.sql, arguments: StatementArguments(statement.parameters))
            }
            try Audit.append(db, at: at, actor: "cw", action: "test_write", entity: "household", entityId: id)
        }
        let appended = try connection.transaction {
            for statement in statements {
                var numbered = statement.sql
                for index in statement.parameters.indices {
                    numbered = numbered.replacingOccurrences(
                        of: "?", with: "$\(index + 1)", options: [], range: numbered.range(of: "?"))
                }
                try connection.execute(numbered, statement.parameters)
            }
            return try audit.append(
                connection, atMs: atMs, actor: "cw", action: "test_write", entity: "household", entityId: id)
        }
        let sqliteAfter = try await fx.store.auditHead()
        #expect(appended == sqliteAfter, "PostgreSQL \(appended), SQLite \(String(describing: sqliteAfter))")
        #expect(
            try connection.execute("SELECT count(*) AS n FROM audit_fact WHERE seq = $1", [String(appended.seq)])
                .int(0, "n") == 4)
        // The visit inserted and deleted in the write is recorded as gone.
        #expect(
            try connection.execute(
                "SELECT row_hash = encode(sha256('deleted'), 'hex') AS gone FROM audit_fact WHERE tbl = 'visit' AND key = '[901]'"
            ).text(0, "gone") == "t")
        #expect(try audit.verify(connection).problems.isEmpty)

        // Behind bangfud's back: an archive rewritten, then an entry edited by a superuser who
        // first turned the append-only trigger off.
        try connection.execute("UPDATE household SET category = 'relative' WHERE id = $1", [id])
        #expect(try audit.verify(connection).problems.contains { $0.hasPrefix("household [\(id)]: not as") })
        try connection.execute("UPDATE household SET category = 'deep' WHERE id = $1", [id])
        #expect(try audit.verify(connection).problems.isEmpty)
        try connection.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        try connection.execute("UPDATE audit_log SET actor = 'someone' WHERE seq = 2")
        #expect(
            try audit.verify(connection).problems.first
                == "audit row 2: its content does not match its hash (changed after writing)")
    }
}
