import BangfuCore
import BangfuLoad
import BangfuPostgres
import Foundation
import GRDB
import Synchronization
import Testing

@testable import BangfuStore

/// Issue 16: bangfu's tables in a real PostgreSQL have SQLite's shape and keep the same rules
/// themselves, whatever the code above them does.
@Suite(.serialized) struct PostgresSchemaTests {
    /// The columns of every table, in order, with whether they may be NULL.
    typealias Shape = [String: [String]]

    static func sqliteShape() throws -> Shape {
        let queue = try DatabaseQueue()
        try SQLiteStore.migrator.migrate(queue)
        return try queue.read { db in
            let tables = try String.fetchAll(
                db,
                sql:
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'"
            )
            return try Dictionary(
                uniqueKeysWithValues: tables.map { table in
                    let columns = try Row.fetchAll(
                        db, sql: "SELECT name, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid",
                        arguments: [table]
                    )
                    .map { column in
                        // SQLite lets a TEXT PRIMARY KEY be NULL unless told; bangfu's keys never are.
                        "\(column["name"] as String)\((column["notnull"] as Int) == 1 || (column["pk"] as Int) > 0 ? " not null" : "")"
                    }
                    return (table, columns)
                })
        }
    }

    /// PostgreSQL's own tables aside: its migrations, and the configuration instances share.
    static func postgresShape(_ connection: PGConnection) throws -> Shape {
        let rows = try connection.execute(
            """
            SELECT table_name, column_name, is_nullable FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name NOT IN ('schema_migration', 'shared_config')
            ORDER BY table_name, ordinal_position
            """)
        var shape: Shape = [:]
        for row in 0..<rows.count {
            let table = rows.text(row, "table_name") ?? ""
            let column =
                (rows.text(row, "column_name") ?? "") + (rows.text(row, "is_nullable") == "NO" ? " not null" : "")
            shape[table, default: []].append(column)
        }
        return shape
    }

    @Test func theSameTablesAndColumnsAsSQLiteInTheSameOrder() throws {
        let server = try LocalPostgres()
        let connection = try PGConnection(url: server.url)
        try PostgresSchema.migrate(connection)
        // Twice is once.
        try PostgresSchema.migrate(connection)
        let sqlite = try Self.sqliteShape()
        let postgres = try Self.postgresShape(connection)
        #expect(Set(sqlite.keys) == Set(postgres.keys), "\(Set(sqlite.keys).symmetricDifference(postgres.keys))")
        for (table, columns) in sqlite {
            #expect(postgres[table] == columns, "\(table): SQLite \(columns), PostgreSQL \(postgres[table] ?? [])")
        }
    }

    @Test func theDatabaseKeepsTheRulesItself() throws {
        let server = try LocalPostgres()
        let connection = try PGConnection(url: server.url)
        try PostgresSchema.migrate(connection)
        func refused(_ sql: String, _ parameters: [String?] = []) -> PGError? {
            #expect(throws: PGError.self, "\(sql)") { try connection.execute(sql, parameters) }
        }
        try connection.execute("INSERT INTO org_unit VALUES ('b1', '一厂工会', NULL, 'grassroots')")
        let household = """
            INSERT INTO household(archive_no, unit_id, status, data, assessment, review_due, created_ms, version)
            VALUES ($1, 'b1', 'open', '{}', '{}', '2028-01-01', 0, 1) RETURNING id
            """
        let first = try #require(try connection.execute(household, ["HA-1"]).int(0, "id"))
        let second = try #require(try connection.execute(household, ["HA-2"]).int(0, "id"))
        #expect(
            refused(household.replacingOccurrences(of: "'{}', '{}'", with: "'{', '{}'"), ["HA-3"])?.bangfuError.code
                == .invalidInput)
        // One person, one open archive.
        try connection.execute("INSERT INTO household_person VALUES ($1, '990101197610120310', 1)", [String(first)])
        #expect(
            refused("INSERT INTO household_person VALUES ($1, '990101197610120310', 1)", [String(second)])?
                .bangfuError.code == .duplicate)
        try connection.execute("INSERT INTO household_person VALUES ($1, '990101197610120310', 0)", [String(second)])
        // Money: a fund cannot go below zero, an amount stays bounded, a posting is never rewritten.
        try connection.execute(
            "INSERT INTO fund VALUES ('f1', '帮扶资金', 'b1', 'union_funds', NULL, '[\"hardship-relief\"]', 0)")
        let txn =
            "INSERT INTO ledger_txn(kind, at_ms, business_date, actor) VALUES ('deposit', 0, '2027-02-04', 'tr') RETURNING id"
        let deposit = try #require(try connection.execute(txn).int(0, "id"))
        try connection.execute(
            "INSERT INTO ledger_posting(txn_id, account, amount_fen) VALUES ($1, 'fund:f1', 500000), ($1, 'source:f1', -500000)",
            [String(deposit)])
        #expect(
            try connection.execute("SELECT balance_fen FROM account_balance WHERE account = 'fund:f1'").int(
                0, "balance_fen") == 500_000)
        let spend = try #require(try connection.execute(txn).int(0, "id"))
        let overdraft = refused(
            "INSERT INTO ledger_posting(txn_id, account, amount_fen) VALUES ($1, 'fund:f1', -500001)", [String(spend)])
        #expect(overdraft?.sqlState == "BF002" && overdraft?.bangfuError.code == .overdraft)
        #expect(
            refused(
                "INSERT INTO ledger_posting(txn_id, account, amount_fen) VALUES ($1, 'fund:f1', 100000000001)",
                [String(spend)])?
                .bangfuError.code == .invalidMoney)
        #expect(
            try connection.execute("SELECT balance_fen FROM account_balance WHERE account = 'fund:f1'").int(
                0, "balance_fen") == 500_000)
        for sql in ["UPDATE ledger_posting SET amount_fen = 1", "DELETE FROM ledger_txn", "DELETE FROM household"] {
            #expect(refused(sql)?.sqlState == "BF001", "\(sql)")
        }
        // One disbursement per case and instalment.
        try connection.execute(
            """
            INSERT INTO help_case(case_no, household_id, unit_id, help_type, state, filed_by, version, created_ms, updated_ms)
            VALUES ('BF-1', $1, 'b1', 'hardship-relief', 'notice_passed', 'cw', 1, 0, 0)
            """, [String(first)])
        let payment = "INSERT INTO disbursement VALUES (1, 1, 'f1', 5000, $1, 0, 'tr')"
        try connection.execute(payment, [String(spend)])
        #expect(refused(payment, [String(deposit)])?.bangfuError.code == .duplicate)
        // The rows the audit chain will commit to are noted with SQLite's keys.
        let pending = Set(
            try connection.execute("SELECT tbl || ' ' || key AS fact FROM pending_fact").values.compactMap { $0[0] })
        #expect(
            pending.isSuperset(of: ["org_unit [\"b1\"]", "household [\(first)]", "disbursement [1,1]", "fund [\"f1\"]"]
            ), "\(pending)")
    }

    /// Several instances starting at once on an empty database: each migration runs once.
    @Test func instancesStartingTogetherMigrateOnce() throws {
        let server = try LocalPostgres()
        let url = server.url
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                try PostgresSchema.migrate(try PGConnection(url: url))
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let connection = try PGConnection(url: server.url)
        // Each of the two migrations (v10-baseline, v11-shared-config) recorded once.
        #expect(try connection.execute("SELECT count(*) AS n FROM schema_migration").int(0, "n") == 2)
    }
}
