import BangfuCore
import BangfuSQL
import CLibPQ
import Foundation

/// One session with PostgreSQL through libpq, Debian's client library.
///
/// Synchronous on purpose: the store's unit of work is synchronous (a transaction's reads and
/// writes run on the writer's thread, as with GRDB), so a PostgreSQL store implements the same
/// seam without making every rule async or blocking an event loop. Parameters always travel
/// separately from the SQL (`PQexecParams`), as text. Not thread-safe: one owner at a time.
public final class PGConnection {
    private let handle: OpaquePointer
    private let pq: bangfu_libpq

    /// Connects to `url` (`postgresql://user@host/db`, or `host=/run/postgresql dbname=bangfu`),
    /// with the password, when there is one, given here and never in the URL or a command line.
    public init(url: String, password: String? = nil, applicationName: String = "bangfud") throws {
        let pq = try LibPQ.functions()
        var keywords = ["dbname", "application_name", "connect_timeout"]
        var values = [url, applicationName, "10"]
        if let password {
            keywords.append("password")
            values.append(password)
        }
        let connection = Self.withCStrings(keywords) { keywordPointers in
            Self.withCStrings(values) { valuePointers in
                // expand_dbname = 1: the first value may be a URL or a key=value string.
                pq.connectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw PGError(sqlState: nil, message: "libpq could not allocate a connection", connectionLost: true)
        }
        guard pq.status(connection) == CONNECTION_OK else {
            let message = LibPQ.text(pq.errorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
            pq.finish(connection)
            throw PGError(sqlState: nil, message: message, connectionLost: true)
        }
        handle = connection
        self.pq = pq
        // The server's notices (a shutdown's warning) are not printed on the daemon's stderr.
        pq.setNoticeProcessor(handle, { _, _ in }, nil)
    }

    deinit { pq.finish(handle) }

    /// Whether the session is still up as far as libpq knows (a failed call tells for sure).
    public var isConnected: Bool { pq.status(handle) == CONNECTION_OK }

    /// Whether an idle session is still good, without a round trip: an idle session is sent nothing
    /// (bangfu listens for no notifications), so anything waiting on its socket (a shutdown's last
    /// message, the end of the stream after a restart) means the server has let it go.
    public var isAlive: Bool {
        guard pq.status(handle) == CONNECTION_OK else { return false }
        var waiting = pollfd(fd: pq.socket(handle), events: Int16(POLLIN), revents: 0)
        return poll(&waiting, 1, 0) == 0
    }

    /// The server process serving this session (what `pg_terminate_backend` takes).
    public var serverProcessId: Int32 { pq.backendPID(handle) }

    /// Runs one statement with `parameters` bound to $1, $2, … (nil is SQL NULL); its rows, if any.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = []) throws -> PGRows {
        try run(sql, parameters, types: nil)
    }

    /// Runs one statement with typed parameters: an integer travels as `int8`, a real as `float8`,
    /// bytes as `bytea` (hex), text untyped so the server gives it its column's type.
    public func execute(_ sql: String, values: [SQLValue]) throws -> PGRows {
        var types: [Oid] = []
        var texts: [String?] = []
        for value in values {
            switch value {
            case .null:
                types.append(0)
                texts.append(nil)
            case .integer(let integer):
                types.append(20)
                texts.append(String(integer))
            case .real(let real):
                types.append(701)
                texts.append(String(real))
            case .text(let text):
                types.append(0)
                texts.append(text)
            case .blob(let data):
                types.append(17)
                texts.append("\\x" + data.hexString)
            }
        }
        return try run(sql, texts, types: types)
    }

    /// One statement with its parameters as text (and their types, else inferred by the server).
    private func run(_ sql: String, _ texts: [String?], types: [Oid]?) throws -> PGRows {
        let result = Self.withOptionalCStrings(texts) { pointers in
            pq.execParams(handle, sql, Int32(texts.count), types, pointers, nil, nil, 0)
        }
        guard let result else { throw failure() }
        defer { pq.clear(result) }
        switch pq.resultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
            return PGRows(result, pq)
        default:
            throw failure(result)
        }
    }

    /// Runs several statements of bangfu's own (a migration's DDL), never anything with values in it:
    /// values go through `execute` as parameters.
    public func executeScript(_ sql: StaticString) throws {
        try executeScript(sql.description)
    }

    func executeScript(_ sql: String) throws {
        guard let result = pq.exec(handle, sql) else { throw failure() }
        defer { pq.clear(result) }
        guard [PGRES_COMMAND_OK, PGRES_TUPLES_OK].contains(pq.resultStatus(result)) else { throw failure(result) }
    }

    /// A table's columns with their types (`bigint`, `text`, `bytea`), in table order.
    public func columns(of table: String) throws -> [(name: String, type: String)] {
        let rows = try execute(
            """
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position
            """, [table])
        return (0..<rows.count).map { index in
            (rows.text(index, "column_name") ?? "", rows.text(index, "data_type") ?? "text")
        }
    }

    /// Runs `body` in one transaction at `isolation`; commits when it returns, rolls back when it throws.
    public func transaction<T>(_ isolation: PGIsolation = .readCommitted, _ body: () throws -> T) throws -> T {
        try execute("BEGIN ISOLATION LEVEL \(isolation.rawValue)")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            if isConnected { _ = try? execute("ROLLBACK") }
            throw error
        }
    }

    private func failure(_ result: OpaquePointer? = nil) -> PGError {
        let state = result.flatMap { pq.resultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) }
        // The primary message only: the DETAIL line may quote the values (an ID number) a constraint refused.
        let message =
            result.flatMap { pq.resultErrorField($0, Int32(UInt8(ascii: "M"))) }.map { String(cString: $0) } ?? ""
        let text = message.isEmpty ? LibPQ.text(pq.errorMessage(handle)) : message
        // An error without a SQLSTATE comes from libpq itself: the connection failed under it.
        let lost =
            pq.status(handle) != CONNECTION_OK || state == nil || state?.hasPrefix("08") == true
            || state?.hasPrefix("57P") == true
        return PGError(
            sqlState: state, message: text.trimmingCharacters(in: .whitespacesAndNewlines), connectionLost: lost)
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return body(copies.map { UnsafePointer($0) } + [nil])
    }

    private static func withOptionalCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let copies = strings.map { text in text.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        return body(copies.map { UnsafePointer($0) })
    }
}

/// The isolation a transaction runs at.
public enum PGIsolation: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

/// The rows of a result, copied out of libpq as text (NULL is nil).
public struct PGRows: Sendable {
    public let columns: [String]
    public let values: [[String?]]
    /// Each column's type (`pg_type` oid: 20 int8, 25 text, 17 bytea, …).
    public let types: [UInt32]
    /// Rows the statement changed (`INSERT`, `UPDATE`, `DELETE`), 0 for others.
    public let changes: Int

    init(_ result: OpaquePointer, _ pq: bangfu_libpq) {
        let rowCount = Int(pq.ntuples(result))
        let columnCount = Int(pq.nfields(result))
        columns = (0..<columnCount).map { column in LibPQ.text(pq.fname(result, Int32(column))) }
        types = (0..<columnCount).map { column in UInt32(pq.ftype(result, Int32(column))) }
        changes = Int(LibPQ.text(pq.cmdTuples(result))) ?? 0
        values = (0..<rowCount).map { row in
            (0..<columnCount).map { column in
                pq.getisnull(result, Int32(row), Int32(column)) == 1
                    ? nil : LibPQ.text(pq.getvalue(result, Int32(row), Int32(column)))
            }
        }
    }

    public var count: Int { values.count }

    /// The value of `column` in row `row`, as text.
    public func text(_ row: Int, _ column: String) -> String? {
        guard values.indices.contains(row), let index = columns.firstIndex(of: column) else { return nil }
        return values[row][index]
    }

    /// The value of `column` in row `row` as a 64-bit integer (integers travel as text).
    public func int(_ row: Int, _ column: String) -> Int64? { text(row, column).flatMap { Int64($0) } }
}

/// What PostgreSQL or libpq said, with the SQLSTATE when the server gave one.
public struct PGError: Error, Sendable, CustomStringConvertible {
    public let sqlState: String?
    public let message: String
    /// The session is gone (server down or restarted, network cut): reconnect before the next call.
    public let connectionLost: Bool

    public var description: String { "\(sqlState ?? "-----"): \(message)" }

    /// The error as bangfu answers it: a constraint is a duplicate or bad input; anything about the
    /// connection says the database is unreachable for now, without the server's own words.
    public var bangfuError: BangfuError {
        switch sqlState {
        case "23505":
            return BangfuError(.duplicate, zh: "记录已存在", en: "the record already exists")
        case "BF001":
            return BangfuError(
                .storage, zh: "资金、审计与历史记录只增不改，不能修改或删除",
                en: "money, audit and history records are append-only: they cannot be changed or deleted")
        case "BF002":
            return BangfuError(.overdraft, zh: "资金账户余额不足", en: "the fund's balance is not enough")
        case "BF003":
            return BangfuError(.invalidMoney, zh: "金额超出允许范围", en: "the amount is out of the allowed range")
        // A constraint, a number out of range, text that is not a number, and text PostgreSQL cannot
        // hold (a NUL character, bytes that are not UTF-8): the caller's input, refused.
        case "23514", "23502", "22003", "22P02", "22021", "22P05":
            return BangfuError(.invalidInput, zh: "数据不符合约束", en: "the data breaks a constraint")
        case let state where connectionLost || state?.hasPrefix("08") == true || state?.hasPrefix("57P") == true:
            return BangfuError(
                .storage, zh: "数据库暂时无法连接，请稍后重试；若持续，请联系管理员检查 PostgreSQL",
                en:
                    "the database cannot be reached just now: try again later; if it persists, ask the administrator to check PostgreSQL"
            )
        default:
            return BangfuError(.storage, zh: "数据库出错（\(sqlState ?? "?")）", en: "database error (\(sqlState ?? "?"))")
        }
    }
}
