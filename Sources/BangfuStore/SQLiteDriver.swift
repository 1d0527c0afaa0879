import BangfuSQL
import Foundation
import GRDB
import GRDBSQLite

/// The shared SQL run on SQLite through GRDB: statements kept prepared by GRDB, rows copied out
/// as `SQLRow`s, the audit chain appended with its SQLite facts (`AuditFacts`).
final class SQLiteDriver: SQLDriver {
    let db: Database

    init(_ db: Database) { self.db = db }

    /// A transaction's handle for the shared statements.
    static func database(_ db: Database) -> SQLDatabase { SQLDatabase(SQLiteDriver(db)) }

    var dialect: SQLDialect { .sqlite }

    var identity: String { "sqlite:" + String(cString: sqlite3_db_filename(db.sqliteConnection, "main")) }

    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
        return db.changesCount
    }

    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        let statement = try db.cachedStatement(sql: sql)
        let columns = statement.columnNames
        let cursor = try Row.fetchCursor(statement, arguments: Self.arguments(arguments))
        var rows: [SQLRow] = []
        while let row = try cursor.next() {
            rows.append(SQLRow(columns: columns, values: row.databaseValues.map(Self.value)))
        }
        return rows
    }

    func each(_ sql: String, _ arguments: [SQLValue], _ body: (SQLRow) throws -> Bool) throws {
        let statement = try db.cachedStatement(sql: sql)
        let columns = statement.columnNames
        let cursor = try Row.fetchCursor(statement, arguments: Self.arguments(arguments))
        while let row = try cursor.next() {
            guard try body(SQLRow(columns: columns, values: row.databaseValues.map(Self.value))) else { return }
        }
    }

    func appendAudit(at: Date, actor: String, action: String, entity: String, entityId: String) throws {
        try Audit.append(db, at: at, actor: actor, action: action, entity: entity, entityId: entityId)
    }

    private static func arguments(_ values: [SQLValue]) -> StatementArguments {
        StatementArguments(
            values.map { value -> DatabaseValue in
                switch value {
                case .null: .null
                case .integer(let integer): integer.databaseValue
                case .real(let real): real.databaseValue
                case .text(let text): text.databaseValue
                case .blob(let data): data.databaseValue
                }
            })
    }

    private static func value(_ stored: DatabaseValue) -> SQLValue {
        switch stored.storage {
        case .null: .null
        case .int64(let integer): .integer(integer)
        case .double(let real): .real(real)
        case .string(let text): .text(text)
        case .blob(let data): .blob(data)
        }
    }
}
