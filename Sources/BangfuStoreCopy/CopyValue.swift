import BangfuCore
import Foundation
import GRDB

/// One stored value as both stores hold it, spelled the same way whichever store it came from:
/// the proof of a copy compares these spellings, row by row.
public enum CopyValue: Equatable {
    case null
    case integer(Int64)
    case text(String)
    case blob([UInt8])

    /// A value read from SQLite. bangfu stores no floating-point numbers: one is refused.
    init(_ value: DatabaseValue, table: String, column: String) throws {
        switch value.storage {
        case .null: self = .null
        case .int64(let integer): self = .integer(integer)
        case .string(let string): self = .text(string)
        case .blob(let data): self = .blob([UInt8](data))
        case .double:
            throw BangfuError(
                .storage, zh: "\(table).\(column) 存有小数，bangfu 不存小数：数据库文件不是 bangfu 写的？",
                en:
                    "\(table).\(column) holds a floating-point number, which bangfu never stores: is this bangfu's file?"
            )
        }
    }

    /// A value read from PostgreSQL as text, by its column's type.
    init(postgres text: String?, type: String) throws {
        guard let text else {
            self = .null
            return
        }
        switch type {
        case "bigint", "integer":
            guard let integer = Int64(text) else {
                throw BangfuError(.storage, zh: "整数列中有“\(text)”", en: "an integer column holds \"\(text)\"")
            }
            self = .integer(integer)
        case "bytea":
            self = .blob(try Self.bytes(hex: text))
        default:
            self = .text(text)
        }
    }

    /// SQLite's `quote()` spelling (the audit chain's row texts use it): 5, 'it''s', X'0A', NULL.
    var canonical: String {
        switch self {
        case .null: return "NULL"
        case .integer(let integer): return String(integer)
        case .text(let string): return "'" + string.replacingOccurrences(of: "'", with: "''") + "'"
        case .blob(let bytes): return "X'" + bytes.hexString.uppercased() + "'"
        }
    }

    /// The value as a PostgreSQL text parameter (bytea in its hex input form).
    var parameter: String? {
        switch self {
        case .null: return nil
        case .integer(let integer): return String(integer)
        case .text(let string): return string
        case .blob(let bytes): return "\\x" + bytes.hexString
        }
    }

    /// PostgreSQL's hex output of a bytea (`\x0a1b`).
    static func bytes(hex text: String) throws -> [UInt8] {
        guard text.hasPrefix("\\x"), text.count % 2 == 0 else {
            throw BangfuError(.storage, zh: "bytea 值不是十六进制形式", en: "a bytea value is not in hex form")
        }
        var bytes: [UInt8] = []
        var index = text.index(text.startIndex, offsetBy: 2)
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else {
                throw BangfuError(.storage, zh: "bytea 值不是十六进制形式", en: "a bytea value is not in hex form")
            }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
