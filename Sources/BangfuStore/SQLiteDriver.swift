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
        try each(sql, arguments) { _ in true }
        return Int(sqlite3_changes(db.sqliteConnection))
    }

    /// Every statement is bound, stepped and read with SQLite's own calls, by position: GRDB's
    /// `Row` built a name index and a value array per row, and its `StatementArguments` cost more
    /// than a write's statement (callgrind). GRDB keeps the statements prepared and owns the
    /// transactions; a statement here never begins or ends one, and bangfu registers no GRDB
    /// observers, so GRDB has nothing to track.
    func each(_ sql: String, _ arguments: [SQLValue], _ body: (SQLRow) throws -> Bool) throws {
        let statement = try db.cachedStatement(sql: sql)
        try SQLiteStep.each(statement.sqliteStatement, columns: statement.columnNames, arguments, sql: sql, body)
    }

    func appendAudit(at: Date, actor: String, action: String, entity: String, entityId: String) throws {
        try Audit.append(db, at: at, actor: actor, action: action, entity: entity, entityId: entityId)
    }
}
