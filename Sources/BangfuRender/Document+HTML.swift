import BangfuCLIKit
import Foundation

extension Document {
    /// A self-contained HTML page: print CSS for A4, charts as inline SVG, no scripts and nothing
    /// loaded from elsewhere (the console's page policy allows neither). Every text is escaped.
    public func html() -> String {
        var body = "<header><h1>\(Self.escape(title))</h1>"
        body += lines.map { "<p class=\"line\">\(Self.escape($0))</p>" }.joined()
        body += "</header>\n"
        for section in sections { body += Self.html(section) }
        body += closing.map { "<p class=\"closing\">\(Self.escape($0))</p>" }.joined()
        if !pageFooter.isEmpty { body += "<footer>\(Self.escape(pageFooter))</footer>" }
        let size = orientation == .landscape ? "A4 landscape" : "A4"
        return """
            <!DOCTYPE html>
            <html lang="\(Self.escape(language))"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Self.escape(title))</title>
            <style>
            @page { size: \(size); margin: 15mm 12mm 18mm; }
            body { font-family: "Noto Sans CJK SC", "Noto Sans CJK", sans-serif; font-size: 10.5pt; color: #111; margin: 1.5em; }
            h1 { text-align: center; font-size: 17pt; margin: 0 0 .3em; letter-spacing: .1em; }
            h2 { font-size: 12pt; margin: 1.2em 0 .4em; }
            p.line { text-align: center; margin: .15em 0; }
            table { border-collapse: collapse; width: 100%; }
            th, td { border: .5pt solid #333; padding: .25em .45em; vertical-align: top; }
            th { background: #eee; }
            td.trailing { text-align: right; font-variant-numeric: tabular-nums; }
            td.center { text-align: center; }
            tr.total td { font-weight: bold; }
            table.sign td { height: 2.6em; }
            thead { display: table-header-group; }
            tr { break-inside: avoid; }
            p.closing { margin: .5em 0; }
            p.empty { color: #555; }
            footer { margin-top: 1.5em; font-size: 8pt; color: #444; word-break: break-all; }
            svg { max-width: 100%; height: auto; }
            @media print { body { margin: 0; } }
            </style>
            </head><body>
            \(body)
            </body></html>

            """
    }

    static func html(_ section: Section) -> String {
        var out = section.heading.isEmpty ? "" : "<h2>\(escape(section.heading))</h2>\n"
        if section.rows.isEmpty && !section.emptyText.isEmpty {
            return out + "<p class=\"empty\">\(escape(section.emptyText))</p>\n"
        }
        if let chart = section.chart, !chart.bars.isEmpty { out += svg(chart) }
        out += section.tallRows ? "<table class=\"sign\">" : "<table>"
        let total = section.columns.reduce(0) { $0 + max($1.weight, 0.1) }
        out += "<colgroup>"
        out += section.columns.map { "<col style=\"width:\(percent(max($0.weight, 0.1) / total))\">" }.joined()
        out += "</colgroup><thead><tr>"
        out += section.columns.map { "<th>\(escape($0.title))</th>" }.joined()
        out += "</tr></thead>\n<tbody>\n"
        func row(_ cells: [Cell], total: Bool) -> String {
            let tds = cells.enumerated().map { index, cell in
                let alignment = index < section.columns.count ? section.columns[index].alignment : .leading
                let indent = cell.indent > 0 ? " style=\"padding-left:\(0.45 + Double(cell.indent) * 1.2)em\"" : ""
                return "<td class=\"\(alignment.rawValue)\"\(indent)>\(escape(cell.text))</td>"
            }
            return (total ? "<tr class=\"total\">" : "<tr>") + tds.joined() + "</tr>\n"
        }
        out += section.rows.map { row($0, total: false) }.joined()
        if let totalRow = section.total { out += row(totalRow, total: true) }
        return out + "</tbody></table>\n"
    }

    /// Horizontal bars scaled to the largest value; labels and figures as text, so they print and copy.
    static func svg(_ chart: Chart) -> String {
        let rowHeight = 22.0
        let labelWidth = 180.0
        let barWidth = 380.0
        let height = Double(chart.bars.count) * rowHeight + 30
        let largest = chart.bars.map(\.value).max() ?? 0
        var out = "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 680 \(Int(height))\""
        out += " role=\"img\" aria-label=\"\(escape(chart.title))\" font-size=\"12\">"
        out += "<text x=\"0\" y=\"16\" font-weight=\"bold\">\(escape(chart.title))</text>"
        for (index, bar) in chart.bars.enumerated() {
            let y = 26 + Double(index) * rowHeight
            let width = largest > 0 ? max(0, bar.value) / largest * barWidth : 0
            out += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 14)\" text-anchor=\"end\">\(escape(bar.label))</text>"
            out += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(String(format: "%.1f", width))\" height=\"14\""
            out += " fill=\"#b5312b\"/>"
            out += "<text x=\"\(labelWidth + width + 6)\" y=\"\(y + 14)\">\(escape(bar.text))</text>"
        }
        return out + "</svg></figure>\n"
    }

    static func percent(_ share: Double) -> String { String(format: "%.1f%%", share * 100) }

    /// Text for HTML content and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
