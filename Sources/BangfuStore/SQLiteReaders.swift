import BangfuCore
import BangfuSQL
import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// Read connections of bangfud's own, for the short reads answered on the caller's thread (`read`).
///
/// A case read through GRDB's pool spent a tenth of its instructions getting a connection: a
/// semaphore, a `DispatchQueue.sync` onto the connection's queue, and GRDB's checks around it
/// (callgrind). Here a read takes an idle connection from a list under a lock, reads on the
/// thread it is on, and puts it back. A connection is used by one thread at a time (it is off the
/// list while in use), so it is opened without SQLite's own mutex. Connections are read-only:
/// every write stays with GRDB's writer (`WriteGroup`). Long reads (`readAside`) keep GRDB's pool.
final class SQLiteReaders: Sendable {
    private let path: String
    private let idle = Mutex<[SQLiteReader]>([])

    init(path: String) { self.path = path }

    /// Runs `body` in one read transaction (one snapshot for all its queries) on an idle connection.
    ///
    /// As many connections are opened as reads run at once: reads run on the threads that call
    /// them (the event loops and Swift's cooperative pool), so that number stays small.
    func read<T>(_ body: (SQLDatabase) throws -> T) throws -> T {
        let reader = try idle.withLock { list in list.popLast() } ?? SQLiteReader(path: path)
        defer {
            // One left inside a transaction (its rollback failed) is closed, not handed to the next read.
            if !reader.isInsideTransaction { idle.withLock { list in list.append(reader) } }
        }
        return try reader.inTransaction { try body(SQLDatabase(reader)) }
    }

    /// Closes the idle connections (a copy's store before its files are removed).
    func close() { idle.withLock { list in list.removeAll() } }
}

/// One read-only connection and its prepared statements.
///
/// `@unchecked Sendable`: it moves between threads only through `SQLiteReaders`' list, and is used
/// by one thread at a time.
final class SQLiteReader: SQLDriver, @unchecked Sendable {
    private let connection: OpaquePointer
    private var statements: [String: (handle: OpaquePointer, columns: [String])] = [:]
    let identity: String

    init(path: String) throws {
        var opened: OpaquePointer?
        let code = sqlite3_open_v2(path, &opened, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(opened)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
        }
        connection = opened
        // As the pool's connections wait (`busyMode`), during a checkpoint's brief exclusive moments.
        sqlite3_busy_timeout(connection, 30_000)
        identity = "sqlite:" + String(cString: sqlite3_db_filename(connection, "main"))
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement.handle) }
        sqlite3_close_v2(connection)
    }

    var dialect: SQLDialect { .sqlite }

    var isInsideTransaction: Bool { sqlite3_get_autocommit(connection) == 0 }

    /// Beyond this many kept statements all are finalized before the next read (a listing's
    /// `IN (?, ?, …)` differs by length).
    static let keptStatements = 256

    /// `body` between a deferred BEGIN and a COMMIT (rolled back when it throws).
    func inTransaction<T>(_ body: () throws -> T) throws -> T {
        // Trimmed between reads only: a statement may be stepping while another is prepared.
        if statements.count >= Self.keptStatements {
            for statement in statements.values { sqlite3_finalize(statement.handle) }
            statements.removeAll()
        }
        _ = try execute("BEGIN DEFERRED TRANSACTION", [])
        do {
            let value = try body()
            _ = try execute("COMMIT TRANSACTION", [])
            return value
        } catch {
            if isInsideTransaction { _ = try? execute("ROLLBACK TRANSACTION", []) }
            throw error
        }
    }

    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        try each(sql, arguments) { _ in true }
        return Int(sqlite3_changes(connection))
    }

    func each(_ sql: String, _ arguments: [SQLValue], _ body: (SQLRow) throws -> Bool) throws {
        let statement = try prepared(sql)
        try SQLiteStep.each(statement.handle, columns: statement.columns, arguments, sql: sql, body)
    }

    func appendAudit(at: Date, actor: String, action: String, entity: String, entityId: String) throws {
        throw BangfuError(.storage, zh: "只读连接不能写审计记录", en: "a read-only connection cannot append to the audit chain")
    }

    private func prepared(_ sql: String) throws -> (handle: OpaquePointer, columns: [String]) {
        if let known = statements[sql] { return known }
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard code == SQLITE_OK, let handle else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        let columns = (0..<sqlite3_column_count(handle)).map { index in
            String(cString: sqlite3_column_name(handle, index))
        }
        statements[sql] = (handle, columns)
        return (handle, columns)
    }
}

/// Binding, stepping and reading one prepared statement by position, for GRDB's connections
/// (`SQLiteDriver`) and bangfud's own readers alike.
enum SQLiteStep {
    static func each(
        _ handle: OpaquePointer, columns: [String], _ arguments: [SQLValue], sql: String,
        _ body: (SQLRow) throws -> Bool
    ) throws {
        let count = Int32(columns.count)
        try eachRow(handle, arguments, sql: sql) { row in
            var values: [SQLValue] = []
            values.reserveCapacity(columns.count)
            for column in 0..<count { values.append(value(row, column)) }
            return try body(SQLRow(columns: columns, values: values))
        }
    }

    /// Binds, then hands each row to `body` as the statement itself, to read in place (while
    /// `body` returns true).
    static func eachRow(
        _ handle: OpaquePointer, _ arguments: [SQLValue], sql: String, _ body: (OpaquePointer) throws -> Bool
    ) throws {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        defer { sqlite3_reset(handle) }
        try bind(arguments, to: handle, sql: sql)
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw failure(code, handle, sql: sql) }
            guard try body(handle) else { return }
        }
    }

    private static func bind(_ arguments: [SQLValue], to handle: OpaquePointer, sql: String) throws {
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
            case .text(let text): code = sqlite3_bind_text(handle, index, text, -1, transient)
            case .blob(let data):
                code = data.withUnsafeBytes { bytes in
                    sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), transient)
                }
            }
            guard code == SQLITE_OK else { throw failure(code, handle, sql: sql) }
        }
    }

    private static func failure(_ code: Int32, _ handle: OpaquePointer, sql: String) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))),
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
}
