import BangfuJSON
import GRDBSQLite

/// A fact row's canonical text built from its plain columns, byte for byte what SQLite's
/// `quote(c1) || char(31) || quote(c2) ...` gives (`AuditFacts.rowTextQuery`, which `verify` runs).
///
/// Every write's audit entry hashes the rows it changed; asking SQLite to quote and join every
/// column cost an eighth of a transition's instructions (callgrind: 62k per noted `help_case` row),
/// reading the columns and quoting them here a fraction of that. The values whose quoting is
/// subtle are left to SQLite (`append` returns false): real numbers (SQLite's own float formatting), text holding a
/// NUL (`quote()` stops there) or bytes that are not UTF-8 (the old path read them repaired).
/// `verify` keeps building the text in SQL, so the two ways check each other on every store.
enum QuotedRow {
    /// Appends the quoted columns `first...` of the statement's current row to `text`, separated by
    /// U+001F; false, leaving `text` unspecified, when a value is one SQLite must quote itself.
    static func append(_ statement: OpaquePointer, from first: Int32, to text: inout [UInt8]) -> Bool {
        let count = sqlite3_column_count(statement)
        for column in first..<count {
            if column > first { text.append(0x1F) }
            switch sqlite3_column_type(statement, column) {
            case SQLITE_NULL:
                text.append(contentsOf: "NULL".utf8)
            case SQLITE_INTEGER:
                text.append(contentsOf: String(sqlite3_column_int64(statement, column)).utf8)
            case SQLITE_TEXT:
                guard let start = sqlite3_column_text(statement, column) else { return false }
                let bytes = UnsafeBufferPointer(start: start, count: Int(sqlite3_column_bytes(statement, column)))
                guard appendText(bytes, to: &text) else { return false }
            case SQLITE_BLOB:
                let length = Int(sqlite3_column_bytes(statement, column))
                text.append(contentsOf: "X'".utf8)
                if length > 0, let start = sqlite3_column_blob(statement, column) {
                    for byte in UnsafeRawBufferPointer(start: start, count: length) {
                        text.append(upperHexDigit(byte >> 4))
                        text.append(upperHexDigit(byte & 15))
                    }
                }
                text.append(0x27)
            default:
                return false
            }
        }
        return true
    }

    /// `'text'` with each `'` doubled; false for a NUL or bytes that are not UTF-8.
    private static func appendText(_ bytes: UnsafeBufferPointer<UInt8>, to text: inout [UInt8]) -> Bool {
        var ascii = true
        for byte in bytes {
            if byte == 0 { return false }
            if byte >= 0x80 { ascii = false }
        }
        if !ascii, UTF8Text.string(validating: bytes) == nil { return false }
        text.append(0x27)
        for byte in bytes {
            text.append(byte)
            if byte == 0x27 { text.append(0x27) }
        }
        text.append(0x27)
        return true
    }

    /// The ASCII of a hex digit 0…15, upper case, as `quote()` writes a blob.
    private static func upperHexDigit(_ value: UInt8) -> UInt8 { value < 10 ? 48 + value : 55 + value }
}
