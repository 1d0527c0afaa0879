import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A spreadsheet as rows of text: the first row is the heading. Read from CSV in UTF-8 (with or
/// without a BOM) or GB18030 (what Excel in China writes), told apart by whether the bytes are
/// valid UTF-8; and from XLSX (`Sheet+XLSX`).
public struct Sheet: Sendable {
    public var rows: [[String]]

    public init(rows: [[String]]) { self.rows = rows }

    /// Why a file could not be read, in both languages.
    public struct Unreadable: Error, Sendable {
        public let zh: String
        public let en: String
    }

    /// The file's sheet, by its content (an XLSX is a ZIP: it starts with PK).
    public static func read(_ data: Data) throws -> Sheet {
        if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return try xlsx(data) }
        return Sheet(rows: csv(try text(data)))
    }

    /// The bytes as text: UTF-8 (its BOM dropped), else GB18030.
    public static func text(_ data: Data) throws -> String {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        guard let text = gb18030(bytes) else {
            throw Unreadable(
                zh: "文件既不是 UTF-8 也不是 GB18030 编码的文本：请另存为 CSV（UTF-8）或 XLSX",
                en: "the file is neither UTF-8 nor GB18030 text: save it as CSV (UTF-8) or XLSX")
        }
        return text
    }

    /// GB18030 to a String with glibc's iconv; nil when the bytes are not GB18030.
    static func gb18030(_ bytes: [UInt8]) -> String? {
        convert(bytes, from: "GB18030", to: "UTF-8").map { String(decoding: $0, as: UTF8.self) }
    }

    /// Text as GB18030 bytes (what Excel in China opens without asking); nil if iconv cannot.
    public static func gb18030(encoding text: String) -> Data? {
        convert(Array(text.utf8), from: "UTF-8", to: "GB18030").map { Data($0) }
    }

    /// Bytes from one encoding to another with glibc's iconv, all or nothing.
    static func convert(_ bytes: [UInt8], from source: String, to target: String) -> [UInt8]? {
        let converter = iconv_open(target, source)
        guard converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var input = bytes.map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: bytes.count * 4 + 16)
        let converted: Int? = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                var inPointer = inputBuffer.baseAddress
                var inLeft = inputBuffer.count
                var outPointer = outputBuffer.baseAddress
                var outLeft = outputBuffer.count
                let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                return result == -1 || inLeft != 0 ? nil : outputBuffer.count - outLeft
            }
        }
        guard let converted else { return nil }
        return output[0..<converted].map { UInt8(bitPattern: $0) }
    }

    /// Rows as CSV (RFC 4180, CRLF), every field quoted where it must be.
    public static func csvText(_ rows: [[String]]) -> String {
        rows.map { row in
            row.map { field in
                field.contains(where: { ",\"\r\n".contains($0) })
                    ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
            }.joined(separator: ",")
        }.joined(separator: "\r\n") + "\r\n"
    }

    /// RFC 4180: fields separated by commas, quoted with double quotes (a quote doubled inside),
    /// records by CRLF or LF; a quoted field may hold both. Blank records are dropped.
    public static func csv(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func endRow() {
            row.append(field)
            field = ""
            if !(row.count == 1 && row[0].isEmpty) { rows.append(row) }
            row = []
        }
        while let scalar = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if scalar == "\"" {
                    let next = iterator.next()
                    if next == "\"" {
                        field.unicodeScalars.append("\"")
                    } else {
                        quoted = false
                        pending = next
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty: quoted = true
            case ",":
                row.append(field)
                field = ""
            case "\r":
                let next = iterator.next()
                if next != "\n" { pending = next }
                endRow()
            case "\n": endRow()
            default: field.unicodeScalars.append(scalar)
            }
        }
        if !field.isEmpty || !row.isEmpty { endRow() }
        return rows
    }
}
