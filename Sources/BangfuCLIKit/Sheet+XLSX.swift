import Foundation
import ZIPFoundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

extension Sheet {
    /// The first worksheet of an XLSX (Office Open XML): shared strings, inline strings, numbers
    /// and booleans, each cell in the column its reference names (empty cells between are kept).
    static func xlsx(_ data: Data) throws -> Sheet {
        let unreadable = Unreadable(
            zh: "无法读取该 XLSX 文件：请用 Excel 或 LibreOffice 另存为 XLSX 或 CSV 后重试",
            en: "the XLSX file cannot be read: save it again as XLSX or CSV")
        guard let archive = try? Archive(data: data, accessMode: .read) else { throw unreadable }
        func contents(_ path: String) -> Data? {
            guard let entry = archive[path] else { return nil }
            var data = Data()
            guard (try? archive.extract(entry) { data.append($0) }) != nil else { return nil }
            return data
        }
        let shared = contents("xl/sharedStrings.xml").map { SharedStrings.parse($0) } ?? []
        let sheetPath =
            archive["xl/worksheets/sheet1.xml"] != nil
            ? "xl/worksheets/sheet1.xml"
            : archive.map(\.path).filter { $0.hasPrefix("xl/worksheets/") && $0.hasSuffix(".xml") }.sorted().first
        guard let sheetPath, let sheet = contents(sheetPath) else { throw unreadable }
        return Sheet(rows: Worksheet.parse(sheet, shared: shared))
    }

    /// `xl/sharedStrings.xml`: each `<si>`'s text (rich text runs joined).
    final class SharedStrings: NSObject, XMLParserDelegate {
        var strings: [String] = []
        var current = ""
        var inText = false

        static func parse(_ data: Data) -> [String] {
            let reader = SharedStrings()
            let parser = XMLParser(data: data)
            parser.delegate = reader
            parser.parse()
            return reader.strings
        }

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            if name == "si" { current = "" }
            if name == "t" { inText = true }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { current += string } }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "t" { inText = false }
            if name == "si" { strings.append(current) }
        }
    }

    /// A worksheet's rows: `<row><c r="B2" t="s"><v>3</v></c>…`.
    final class Worksheet: NSObject, XMLParserDelegate {
        let shared: [String]
        var rows: [[String]] = []
        var row: [String] = []
        var column = 0
        var kind = ""
        var value = ""
        var inValue = false

        init(shared: [String]) { self.shared = shared }

        static func parse(_ data: Data, shared: [String]) -> [[String]] {
            let reader = Worksheet(shared: shared)
            let parser = XMLParser(data: data)
            parser.delegate = reader
            parser.parse()
            return reader.rows.filter { cells in cells.contains { !$0.isEmpty } }
        }

        /// `AB12` is column 27 (0-based: 27).
        static func columnIndex(_ reference: String) -> Int? {
            var index = 0
            var letters = 0
            for character in reference.uppercased() {
                guard let ascii = character.asciiValue, (65...90).contains(ascii) else { break }
                index = index * 26 + Int(ascii - 64)
                letters += 1
            }
            return letters == 0 ? nil : index - 1
        }

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            switch name {
            case "row": row = []
            case "c":
                column = attributes["r"].flatMap(Worksheet.columnIndex) ?? row.count
                kind = attributes["t"] ?? ""
                value = ""
            case "v", "t": inValue = true
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { if inValue { value += string } }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            switch name {
            case "v", "t": inValue = false
            case "c":
                let text: String
                switch kind {
                case "s": text = Int(value).flatMap { $0 < shared.count ? shared[$0] : nil } ?? ""
                case "b": text = value == "1" ? "TRUE" : "FALSE"
                default: text = value
                }
                guard column < 16_384 else { return }
                while row.count < column { row.append("") }
                if row.count == column { row.append(text) } else { row[column] = text }
            case "row": rows.append(row)
            default: break
            }
        }
    }
}
