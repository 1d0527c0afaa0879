import BangfuCore
import Foundation

extension Document {
    /// The document as aligned terminal tables (display width), sections one after another.
    public func textTables() -> String {
        var out = [title] + lines
        for section in sections {
            out.append("")
            if !section.heading.isEmpty { out.append(section.heading) }
            if section.rows.isEmpty && !section.emptyText.isEmpty {
                out.append(section.emptyText)
                continue
            }
            var table = TextTable(
                headers: section.columns.map(\.title),
                rightAligned: Set(section.columns.indices.filter { section.columns[$0].alignment == .trailing }))
            for row in section.rows + (section.total.map { [$0] } ?? []) {
                table.add(row.map { cell in String(repeating: "  ", count: cell.indent) + cell.text })
            }
            out.append(table.render())
        }
        out += closing.isEmpty ? [] : [""] + closing
        if !pageFooter.isEmpty { out.append(pageFooter) }
        return out.joined(separator: "\n") + "\n"
    }

    /// The document as CSV rows: the title and lines first, each section's heading, header and
    /// rows (amounts as plain yuan, so a spreadsheet reads them as numbers), the footer last.
    public func csvText() -> String {
        var rows: [[String]] = [[title]] + lines.map { [$0] }
        for section in sections {
            rows.append([])
            if !section.heading.isEmpty { rows.append([section.heading]) }
            rows.append(section.columns.map(\.title))
            for row in section.rows + (section.total.map { [$0] } ?? []) {
                rows.append(row.map(\.plain))
            }
        }
        rows += closing.map { [$0] }
        if !pageFooter.isEmpty { rows.append([pageFooter]) }
        return Sheet.csvText(rows)
    }
}
