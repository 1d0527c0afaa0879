import BangfuCore
import Foundation

/// What an engine does for the store's shared SQL: run a statement, read rows, append to the
/// audit chain. SQLite (through GRDB) and PostgreSQL (through libpq) each implement it.
public protocol SQLDriver: AnyObject {
    var dialect: SQLDialect { get }
    /// Names the database (a file, a server's database) for caches kept between transactions.
    var identity: String { get }
    /// Runs one statement; how many rows it changed.
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int
    /// Runs one query; its rows.
    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow]
    /// Runs one query and hands its rows to `body` one at a time, never all in memory, until
    /// `body` answers false (a page that is full).
    func each(_ sql: String, _ arguments: [SQLValue], _ body: (SQLRow) throws -> Bool) throws
    /// Appends one entry to the audit chain, committing to the rows this transaction noted.
    func appendAudit(at: Date, actor: String, action: String, entity: String, entityId: String) throws
}

extension SQLDriver {
    /// Every row, collected from `each` (a driver stepping rows one by one need not write it again).
    public func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        var rows: [SQLRow] = []
        try each(sql, arguments) { row in
            rows.append(row)
            return true
        }
        return rows
    }
}

/// The two SQL dialects the shared statements are written for. The statements are in the
/// common subset (`?` placeholders, `ON CONFLICT`, `RETURNING`, `IS DISTINCT FROM`); the few
/// functions that differ (JSON, string aggregation) are spelled by the dialect.
public enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// The text at a JSON path of a JSON text column (`path`: keys from the top, e.g. `["head", "name"]`).
    public func jsonText(_ column: String, _ path: [String]) -> String {
        switch self {
        case .sqlite: "json_extract(\(column), '$.\(path.joined(separator: "."))')"
        case .postgres: "(\(column)::json #>> '{\(path.joined(separator: ","))}')"
        }
    }

    /// The values of a group joined by commas.
    public func joinedText(_ expression: String) -> String {
        switch self {
        case .sqlite: "group_concat(\(expression), ',')"
        case .postgres: "string_agg(\(expression), ',')"
        }
    }

    /// A table of the elements of the JSON array at `key` of a JSON text column, each as `alias.value`.
    public func jsonElements(_ column: String, _ key: String, as alias: String) -> String {
        switch self {
        case .sqlite: "json_each(\(column), '$.\(key)') AS \(alias)"
        case .postgres: "json_array_elements(\(column)::json -> '\(key)') AS \(alias)(value)"
        }
    }
}

/// A transaction's handle on the database, shaped like GRDB's `Database` so the shared SQL reads
/// the same on both engines.
public final class SQLDatabase {
    public let driver: any SQLDriver
    /// Rows changed by the last statement run through `execute`.
    public internal(set) var changesCount = 0
    private var savepoints = 0

    public init(_ driver: any SQLDriver) { self.driver = driver }

    public var dialect: SQLDialect { driver.dialect }

    /// A statement to run with arguments (the engine keeps it prepared).
    public func cachedStatement(sql: String) -> SQLStatement { SQLStatement(database: self, sql: sql) }

    public func execute(sql: String, arguments: SQLArguments = []) throws {
        changesCount = try driver.execute(sql, arguments.values)
    }

    /// Runs `body` in a savepoint: when it throws, what it wrote is undone and the error passes on.
    public func inSavepoint<T>(_ body: () throws -> T) throws -> T {
        savepoints += 1
        let name = "bangfu_\(savepoints)"
        defer { savepoints -= 1 }
        try execute(sql: "SAVEPOINT \(name)")
        do {
            let value = try body()
            try execute(sql: "RELEASE SAVEPOINT \(name)")
            return value
        } catch {
            try? execute(sql: "ROLLBACK TO SAVEPOINT \(name)")
            try? execute(sql: "RELEASE SAVEPOINT \(name)")
            throw error
        }
    }
}

/// One statement's SQL, bound to the database it runs in.
public struct SQLStatement {
    let database: SQLDatabase
    public let sql: String

    public func execute(arguments: SQLArguments = []) throws {
        try database.execute(sql: sql, arguments: arguments)
    }

    /// Runs an `INSERT` into a table keyed by `id`; the id the row got (`RETURNING`, on both engines).
    public func insert(arguments: SQLArguments = []) throws -> Int64 {
        guard let id = try Int64.fetchOne(database, sql: sql + " RETURNING id", arguments: arguments) else {
            throw BangfuError(.storage, zh: "插入的记录未返回编号", en: "the inserted row returned no id")
        }
        database.changesCount = 1
        return id
    }
}

extension SQLRow {
    public static func fetchAll(_ statement: SQLStatement, arguments: SQLArguments = []) throws -> [SQLRow] {
        try statement.database.driver.rows(statement.sql, arguments.values)
    }

    public static func fetchAll(_ db: SQLDatabase, sql: String, arguments: SQLArguments = []) throws -> [SQLRow] {
        try db.driver.rows(sql, arguments.values)
    }

    public static func fetchOne(_ statement: SQLStatement, arguments: SQLArguments = []) throws -> SQLRow? {
        try fetchAll(statement, arguments: arguments).first
    }

    public static func fetchOne(_ db: SQLDatabase, sql: String, arguments: SQLArguments = []) throws -> SQLRow? {
        try fetchAll(db, sql: sql, arguments: arguments).first
    }
}

extension SQLValueConvertible {
    /// The first column of each row (NULLs left out).
    public static func fetchAll(_ statement: SQLStatement, arguments: SQLArguments = []) throws -> [Self] {
        try SQLRow.fetchAll(statement, arguments: arguments).compactMap { row in row[0] as Self? }
    }

    public static func fetchAll(_ db: SQLDatabase, sql: String, arguments: SQLArguments = []) throws -> [Self] {
        try fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
    }

    /// The first column of the first row; nil when there is no row or it is NULL.
    public static func fetchOne(_ statement: SQLStatement, arguments: SQLArguments = []) throws -> Self? {
        try SQLRow.fetchOne(statement, arguments: arguments).flatMap { row in row[0] as Self? }
    }

    public static func fetchOne(_ db: SQLDatabase, sql: String, arguments: SQLArguments = []) throws -> Self? {
        try fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }
}

extension SQLRow {
    /// The rows of a query one at a time (`SQLDriver.each`): `body` answers false to stop.
    public static func forEach(
        _ db: SQLDatabase, sql: String, arguments: SQLArguments = [], _ body: (SQLRow) throws -> Bool
    ) throws {
        try db.driver.each(sql, arguments.values, body)
    }
}
