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

    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        var rows: [SQLRow] = []
        try each(sql, arguments) { row in
            rows.append(row)
            return true
        }
        return rows
    }

    /// Every statement is bound, stepped and read with SQLite's own calls, by position: GRDB's
    /// `Row` built a name index and a value array per row, and its `StatementArguments` cost more
    /// than a write's statement (callgrind). GRDB keeps the statements prepared and owns the
    /// transactions; a statement here never begins or ends one, and bangfu registers no GRDB
    /// observers, so GRDB has nothing to track.
    func each(_ sql: String, _ arguments: [SQLValue], _ body: (SQLRow) throws -> Bool) throws {
        let statement = try db.cachedStatement(sql: sql)
        let columns = statement.columnNames
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        defer { sqlite3_reset(handle) }
        try bind(arguments, to: handle, sql: sql)
        let count = Int32(columns.count)
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw failure(code, sql: sql) }
            var values: [SQLValue] = []
            values.reserveCapacity(columns.count)
            for column in 0..<count { values.append(Self.value(handle, column)) }
            guard try body(SQLRow(columns: columns, values: values)) else { return }
        }
    }

    private func bind(_ arguments: [SQLValue], to handle: OpaquePointer, sql: String) throws {
        guard Int(sqlite3_bind_parameter_count(handle)) == arguments.count else {
            throw DatabaseError(
                resultCode: .SQLITE_MISUSE, message: "wrong number of statement arguments: \(arguments.count)", sql: sql
            )
        }
        for (offset, value) in arguments.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(handle, index)
            case .integer(let integer): code = sqlite3_bind_int64(handle, index, integer)
            case .real(let real): code = sqlite3_bind_double(handle, index, real)
            case .text(let text): code = sqlite3_bind_text(handle, index, text, -1, Self.transient)
            case .blob(let data):
                code = data.withUnsafeBytes { bytes in
                    sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
                }
            }
            guard code == SQLITE_OK else { throw failure(code, sql: sql) }
        }
    }

    private func failure(_ code: Int32, sql: String) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
            sql: sql)
    }

    /// SQLite copies bound text and blobs at once (`SQLITE_TRANSIENT`).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func value(_ handle: OpaquePointer, _ column: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT:
            let bytes = UnsafeRawBufferPointer(
                start: sqlite3_column_text(handle, column), count: Int(sqlite3_column_bytes(handle, column)))
            return .text(String(decoding: bytes, as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, column))
            guard count > 0, let start = sqlite3_column_blob(handle, column) else { return .blob(Data()) }
            return .blob(Data(bytes: start, count: count))
        default: return .null
        }
    }

    func appendAudit(at: Date, actor: String, action: String, entity: String, entityId: String) throws {
        try Audit.append(db, at: at, actor: actor, action: action, entity: entity, entityId: entityId)
    }
}
