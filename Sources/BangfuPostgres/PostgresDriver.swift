import BangfuCore
import BangfuSQL
import Foundation
import Synchronization

/// The shared SQL run on PostgreSQL: `?` placeholders numbered `$1, $2, …`, values bound typed
/// (`PGConnection.execute(_:values:)`), results read back by their column types, and the audit
/// chain appended by `PostgresAudit` under its lock.
final class PostgresDriver: SQLDriver {
    let connection: PGConnection
    let audit: PostgresAudit
    let identity: String
    /// Cursors declared in this transaction (each gets its own name).
    private var cursors = 0

    init(connection: PGConnection, audit: PostgresAudit, identity: String) {
        self.connection = connection
        self.audit = audit
        self.identity = identity
    }

    var dialect: SQLDialect { .postgres }

    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        try run(sql, arguments).changes
    }

    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        let result = try run(sql, arguments)
        let converters = result.types.map(Self.converter)
        return result.values.map { row in
            SQLRow(
                columns: result.columns,
                values: zip(row, converters).map { text, convert in text.map(convert) ?? .null })
        }
    }

    /// A server-side cursor in the caller's transaction, fetched 500 rows at a time.
    func each(_ sql: String, _ arguments: [SQLValue], _ body: (SQLRow) throws -> Bool) throws {
        cursors += 1
        let name = "bangfu_cursor_\(cursors)"
        _ = try run("DECLARE \(name) NO SCROLL CURSOR FOR " + sql, arguments)
        defer { _ = try? connection.execute("CLOSE \(name)") }
        while true {
            let batch = try rows("FETCH 500 FROM \(name)", [])
            for row in batch {
                guard try body(row) else { return }
            }
            if batch.count < 500 { return }
        }
    }

    private func run(_ sql: String, _ arguments: [SQLValue]) throws -> PGRows {
        try connection.execute(Self.numbered(sql), values: arguments)
    }

    func appendAudit(at: Date, actor: String, action: String, entity: String, entityId: String) throws {
        try audit.append(
            connection, atMs: StoreSQL.ms(at), actor: actor, action: action, entity: entity,
            entityId: entityId)
    }

    /// How a column's text becomes a value, by its type: integers (int2, int4, int8, and numeric
    /// sums that hold one) as integers, floats as reals, bytea from its hex, booleans as 1 or 0.
    static func converter(_ type: UInt32) -> @Sendable (String) -> SQLValue {
        switch type {
        case 20, 21, 23:
            return { text in Int64(text).map(SQLValue.integer) ?? .text(text) }
        case 1700:
            return { text in Int64(text).map(SQLValue.integer) ?? Double(text).map(SQLValue.real) ?? .text(text) }
        case 700, 701:
            return { text in Double(text).map(SQLValue.real) ?? .text(text) }
        case 16:
            return { text in .integer(text == "t" ? 1 : 0) }
        case 17:
            return { text in bytes(fromHex: text).map(SQLValue.blob) ?? .text(text) }
        default:
            return { text in .text(text) }
        }
    }

    /// `\x0a1b…` (bytea's text output) as bytes.
    static func bytes(fromHex text: String) -> Data? {
        let digits = Array(text.utf8.dropFirst(2))
        guard text.hasPrefix("\\x"), digits.count % 2 == 0 else { return nil }
        var bytes = Data(capacity: digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 48...57: digit - 48
        case 97...102: digit - 87
        case 65...70: digit - 55
        default: nil
        }
    }

    /// The statement with `?` numbered as PostgreSQL wants (`$1`, `$2`, …), outside quoted text,
    /// quoted names and comments. Kept by statement text: the shared statements are a few hundred.
    static func numbered(_ sql: String) -> String {
        if let kept = numberedKept.withLock({ $0[sql] }) { return kept }
        var output = ""
        output.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var quote: Character?
        var previous: Character?
        var inComment = false
        for character in sql {
            if inComment {
                if character == "\n" { inComment = false }
            } else if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "-", previous == "-" {
                inComment = true
            } else if character == "?" {
                number += 1
                output += "$\(number)"
                previous = character
                continue
            }
            output.append(character)
            previous = character
        }
        numberedKept.withLock { kept in
            if kept.count >= 4096 { kept.removeAll() }
            kept[sql] = output
        }
        return output
    }
}

private let numberedKept = Mutex<[String: String]>([:])
