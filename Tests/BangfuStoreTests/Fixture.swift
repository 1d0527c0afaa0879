import BangfuConfig
import BangfuCore
import BangfuLoad
import BangfuSQL
import Foundation
import GRDB
import Synchronization
import Testing

@testable import BangfuPostgres
@testable import BangfuStore

/// The store engines a suite runs over: one suite, two stores (issue 16).
enum Engine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// A real SQLite file in a fresh temp directory, with a small unit tree and one actor per role.
final class Fixture: @unchecked Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let yaml = """
        business_zone: Asia/Shanghai
        calendars:
          - file: \(root.path)/etc/calendars/2027.synthetic.yaml
        dibao:
          - { region: "990100", effective: 2025-01-01, monthly: "1000.00" }
        units:
          - { id: city, name: 测试市总工会, level: city }
          - { id: county, name: 测试区总工会, parent: city, level: county }
          - { id: b1, name: 一厂工会, parent: county, level: grassroots }
          - { id: b2, name: 二厂工会, parent: county, level: grassroots }
          - { id: county2, name: 另一区总工会, parent: city, level: county }
          - { id: b3, name: 三厂工会, parent: county2, level: grassroots }
        grants:
          - { user: cw, role: caseworker, unit: b1 }
          - { user: cw3, role: caseworker, unit: b3 }
          - { user: rv, role: reviewer, unit: b1 }
          - { user: rv2, role: reviewer, unit: b2 }
          - { user: ap, role: approver, unit: county }
          - { user: ap3, role: approver, unit: county }
          - { user: ap2, role: approver, unit: county2 }
          - { user: tr, role: treasurer, unit: county }
          - { user: tr2, role: treasurer, unit: county2 }
          - { user: multi, role: caseworker, unit: county }
          - { user: multi, role: reviewer, unit: county }
          - { user: multi, role: approver, unit: county }
          - { user: multi, role: treasurer, unit: county }
        """

    let dir: URL
    let config: BangfuConfiguration
    let engine: Engine
    let store: any SQLStore
    /// The PostgreSQL database made for this fixture, dropped with it.
    private var postgresDatabase: String?
    var configPath: String { dir.appendingPathComponent("bangfu.yaml").path }
    var dbPath: String { dir.appendingPathComponent("bangfu.sqlite").path }
    /// The manual clock: 2027-02-04 09:00 in Shanghai.
    var now: Date
    private var nextPerson = 0

    /// - Parameters:
    ///   - extraYAML: more configuration appended to the standard test file.
    ///   - grantsYAML: a `grants:` section that replaces the standard one.
    ///   - synchronousFull: false for tests that write thousands of times and test rules, not durability.
    ///   - engine: the store's engine; PostgreSQL gets a database of its own on the tests' server.
    init(engine: Engine = .sqlite, extraYAML: String = "", grantsYAML: String? = nil, synchronousFull: Bool = true)
        async throws
    {
        self.engine = engine
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("bangfu-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // The calendar beside the database: a tool run as another uid may not reach the checkout.
        let calendar = dir.appendingPathComponent("2027.synthetic.yaml")
        try FileManager.default.copyItem(
            at: Fixture.root.appendingPathComponent("etc/calendars/2027.synthetic.yaml"), to: calendar)
        var base = Fixture.yaml.replacingOccurrences(
            of: "\(Fixture.root.path)/etc/calendars/2027.synthetic.yaml", with: calendar.path)
        if let grantsYAML, let start = base.range(of: "grants:") {
            base = String(base[..<start.lowerBound]) + grantsYAML
        }
        try (base + "\n" + extraYAML).write(
            toFile: dir.appendingPathComponent("bangfu.yaml").path, atomically: true, encoding: .utf8)
        config = try BangfuConfiguration.load(path: dir.appendingPathComponent("bangfu.yaml").path)
        switch engine {
        case .sqlite:
            store = try SQLiteStore(
                path: dir.appendingPathComponent("bangfu.sqlite").path, policy: config.policy,
                synchronousFull: synchronousFull)
        case .postgres:
            let made = try TestPostgres.database()
            postgresDatabase = made.name
            store = try PostgresStore(url: made.url, password: nil, policy: config.policy)
        }
        now = BusinessZone.shanghai.startOfDay(LocalDate(year: 2027, month: 2, day: 4)!).addingTimeInterval(9 * 3600)
        try await store.syncUnits(config.units, at: now)
    }

    deinit {
        try? FileManager.default.removeItem(at: dir)
        if let postgresDatabase { TestPostgres.drop(postgresDatabase) }
    }

    /// The SQLite store, for tests of what only SQLite has (its file, backup, group commit).
    var sqlite: SQLiteStore {
        guard let store = store as? SQLiteStore else { preconditionFailure("a SQLite fixture") }
        return store
    }

    func actor(_ user: String) -> Actor { config.actor(user: user) }

    func tick(_ minutes: Double = 1) -> Date {
        now = now.addingTimeInterval(minutes * 60)
        return now
    }

    /// A deep-hardship household input in unit `unit` with fresh synthetic people.
    func input(unit: String = "b1", members: Int = 1, income: Money = Money(yuan: 10_000)) -> ArchiveInput {
        nextPerson += 10
        let base = nextPerson
        return ArchiveInput(
            unitId: unit, region: "990101",
            head: Person(name: "张三\(base)", idNumber: .synthetic(index: base), workStatus: .laidOff),
            members: (0..<members).map {
                Member(name: "成员\($0)", idNumber: .synthetic(index: base + 1 + $0), relation: "child")
            },
            annualIncome: income, mainCause: "laid_off")
    }

    func archive(unit: String = "b1", by: String = "cw") async throws -> Household {
        try await store.createArchive(input(unit: unit), by: actor(by), at: tick())
    }

    /// A fund at `county` with money, earmarked for the given help types.
    func fund(
        _ id: String = "f1", unit: String = "county", yuan: Int64 = 1_000_000,
        helpTypes: [String] = ["hardship-relief"],
        treasurer: String = "tr"
    ) async throws {
        try await store.createFund(
            FundAccount(id: id, name: "测试基金\(id)", unitId: unit, source: .unionFunds, helpTypes: helpTypes),
            by: actor(treasurer), at: tick())
        if yuan > 0 {
            try await store.deposit(fundId: id, amount: Money(yuan: yuan), memo: "拨款", by: actor(treasurer), at: tick())
        }
    }

    /// Moves money between funds the two-person way: `by` asks, `confirmer` confirms.
    func transfer(_ from: String, _ to: String, yuan: Int64, by: String = "ap", confirmer: String = "ap3") async throws
    {
        let asked = try await store.requestTransfer(
            from: from, to: to, amount: Money(yuan: yuan), reason: "补充", by: actor(by), at: tick())
        _ = try await store.decideTransfer(id: asked.id, confirm: true, note: nil, by: actor(confirmer), at: tick())
    }

    /// A raw connection for checks the store API does not offer (snapshots, tampering).
    func raw() throws -> DatabaseQueue {
        precondition(engine == .sqlite, "raw() opens the SQLite file: use rows(_:) or tamper(_:) on both engines")
        return try DatabaseQueue(path: dbPath)
    }

    /// Runs `body` on a session of the store's own database, outside the store (either engine).
    private func withDatabase<T>(_ body: (SQLDatabase) throws -> T) throws -> T {
        if let postgresDatabase {
            let connection = try PGConnection(url: TestPostgres.url(of: postgresDatabase))
            let audit = try PostgresAudit(connection)
            return try body(SQLDatabase(PostgresDriver(connection: connection, audit: audit, identity: "test")))
        }
        return try raw().write { db in try body(SQLiteDriver.database(db)) }
    }

    /// Rows of a query in the shared dialect, read outside the store.
    func rows(_ sql: String, _ arguments: SQLArguments = []) throws -> [SQLRow] {
        try withDatabase { db in try SQLRow.fetchAll(db, sql: sql, arguments: arguments) }
    }

    /// Whether the database itself refuses `sql` by one of bangfu's rules (an append-only table,
    /// kept rows): SQLite's RAISE(ABORT) or PostgreSQL's SQLSTATE BF001. Any other failure is thrown.
    func refusedByRules(_ sql: String) throws -> Bool {
        do {
            try withDatabase { db in try db.execute(sql: sql) }
            return false
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            return true
        } catch let error as PGError where error.sqlState == "BF001" {
            return true
        }
    }

    /// Runs `statements` as someone with full access to the database would, the rules' triggers out
    /// of the way: on SQLite they are dropped (`dropping`), on PostgreSQL the session skips them
    /// (`session_replication_role = replica`, a superuser's setting).
    func tamper(dropping triggers: [String], _ statements: [String]) throws {
        try withDatabase { db in
            if db.dialect == .postgres {
                try db.execute(sql: "SET session_replication_role = replica")
            } else {
                for trigger in triggers { try db.execute(sql: "DROP TRIGGER \(trigger)") }
            }
            for statement in statements { try db.execute(sql: statement) }
        }
    }

    /// The schema's own text (checks, triggers' bodies) where the rules spell the core's codes.
    func schemaText() throws -> String {
        let sql =
            engine == .sqlite
            ? "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"
            : """
            SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
            WHERE n.nspname = current_schema()
            UNION ALL SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = current_schema()
            """
        return try rows(sql).map { row in row[0] as String }.joined()
    }

    /// Everything a refused command must leave unchanged: every row of every table, in order (an
    /// in-place update changes no count, so counts would not do).
    func snapshot(caseId: Int64? = nil) throws -> [String] {
        if let postgresDatabase { return try TestPostgres.snapshot(postgresDatabase) }
        return try raw().read { db in
            let tables = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            return try tables.map { table in
                // Each row as its quoted columns, built inside SQLite: the dump is taken hundreds of times.
                let columns = try String.fetchAll(
                    db, sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [table])
                let row = columns.map { "quote(\"\($0)\")" }.joined(separator: " || '|' || ")
                let dump = try String.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) || ' rows' || char(10) || coalesce(group_concat(r, char(10)), '')
                        FROM (SELECT \(row) AS r FROM "\(table)" ORDER BY 1)
                        """)
                return "\(table): \(dump ?? "")"
            }
        }
    }

    /// The build directory with the built-in plugins (`BANGFU_PLUGIN_DIR` overrides).
    static var pluginDir: String {
        ProcessInfo.processInfo.environment["BANGFU_PLUGIN_DIR"]
            ?? URL(fileURLWithPath: toolPath).deletingLastPathComponent().path
    }

    /// Path of the built `bangfu-db` binary (`BANGFU_BIN` overrides).
    static var toolPath: String {
        ProcessInfo.processInfo.environment["BANGFU_BIN"] ?? root.appendingPathComponent(".build/debug/bangfu-db").path
    }

    /// Runs `bangfu-db` with `args`, as `uid` when given (through setpriv, with no groups).
    static func run(_ args: [String], uid: UInt32? = nil) throws -> Process {
        let process = Process()
        if let uid {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments =
                ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", OtherUsers.reachable(toolPath)] + args
        } else {
            process.executableURL = URL(fileURLWithPath: toolPath)
            process.arguments = args
        }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The standard grants, to extend in a test's own `grantsYAML`.
    static var grants: String { String(yaml[yaml.range(of: "grants:")!.lowerBound...]) + "\n" }

    /// Lets another uid write the database (a tool run as a user's own account).
    func openToEveryone() throws {
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: dir.path)
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            try FileManager.default.setAttributes(
                [.posixPermissions: 0o666], ofItemAtPath: dir.appendingPathComponent(name).path)
        }
    }
}

/// One PostgreSQL server for the whole test process, started on first use and ended with the
/// process; each fixture gets a database of its own on it.
enum TestPostgres {
    private nonisolated(unsafe) static var server: LocalPostgres?
    private static let lock = Mutex(())

    /// A new empty database: its name and URL.
    static func database() throws -> (name: String, url: String) {
        let server = try started()
        let name = "bangfu_\(UUID().uuidString.prefix(8).lowercased())"
        try PGConnection(url: server.url).execute("CREATE DATABASE \(name)")
        return (name, server.url.replacingOccurrences(of: "dbname=postgres", with: "dbname=\(name)"))
    }

    static func url(of name: String) throws -> String {
        try started().url.replacingOccurrences(of: "dbname=postgres", with: "dbname=\(name)")
    }

    static func drop(_ name: String) {
        guard let server else { return }
        _ = try? PGConnection(url: server.url).execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Every row of every table of the database, in order, as text: what a refused command must leave unchanged.
    static func snapshot(_ name: String) throws -> [String] {
        let server = try started()
        let connection = try PGConnection(
            url: server.url.replacingOccurrences(of: "dbname=postgres", with: "dbname=\(name)"))
        let tables = try connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
        return try (0..<tables.count).map { index in
            let table = tables.text(index, "tablename") ?? ""
            let dump = try connection.execute(
                """
                SELECT count(*) || ' rows' || chr(10) || coalesce(string_agg(t::text, chr(10) ORDER BY t::text COLLATE "C"), '') AS dump
                FROM "\(table)" t
                """)
            return "\(table): \(dump.text(0, "dump") ?? "")"
        }
    }

    private static func started() throws -> LocalPostgres {
        try lock.withLock { _ in
            if let server { return server }
            let made = try LocalPostgres()
            // It stops when the test process ends, however it ends (LocalPostgres: a parent-death signal).
            server = made
            return made
        }
    }
}
