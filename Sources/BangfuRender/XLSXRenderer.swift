import BangfuCLIKit
import CXlsxWriter
import Foundation

/// Writes a document as one worksheet with libxlsxwriter (Debian's libxlsxwriter-dev): the title,
/// then each section's heading, header and rows. Counts and amounts are numbers (amounts in yuan
/// with two decimals), so a county's clerk can add them up again in Excel, WPS or LibreOffice.
public struct XLSXRenderer {
    public init() {}

    public func render(_ document: Document, to path: String) throws {
        guard let workbook = workbook_new(path) else { throw RenderError.cannotWrite(path) }
        let sheet = workbook_add_worksheet(workbook, document.isChinese ? "报表" : "Report")
        let bold = workbook_add_format(workbook)
        format_set_bold(bold)
        let title = workbook_add_format(workbook)
        format_set_bold(title)
        format_set_font_size(title, 14)
        let money = workbook_add_format(workbook)
        format_set_num_format(money, "#,##0.00")
        let boldMoney = workbook_add_format(workbook)
        format_set_num_format(boldMoney, "#,##0.00")
        format_set_bold(boldMoney)
        let header = workbook_add_format(workbook)
        format_set_bold(header)
        format_set_bg_color(header, 0xEEEEEE)
        format_set_border(header, UInt8(LXW_BORDER_THIN.rawValue))

        var row: UInt32 = 0
        var failure: lxw_error = LXW_NO_ERROR
        func check(_ result: lxw_error) { if result != LXW_NO_ERROR && failure == LXW_NO_ERROR { failure = result } }
        func text(_ value: String, _ column: Int, _ format: UnsafeMutablePointer<lxw_format>?) {
            check(worksheet_write_string(sheet, row, lxw_col_t(column), value, format))
        }
        text(document.title, 0, title)
        row += 1
        for line in document.lines {
            text(line, 0, nil)
            row += 1
        }
        var widest = 1
        for section in document.sections {
            row += 1
            if !section.heading.isEmpty {
                text(section.heading, 0, bold)
                row += 1
            }
            widest = max(widest, section.columns.count)
            for (index, column) in section.columns.enumerated() { text(column.title, index, header) }
            row += 1
            for (cells, isTotal) in section.rows.map({ ($0, false) }) + (section.total.map { [($0, true)] } ?? []) {
                for (index, cell) in cells.enumerated() {
                    if cell.money, let fen = cell.value {
                        check(
                            worksheet_write_number(
                                sheet, row, lxw_col_t(index), Double(fen) / 100, isTotal ? boldMoney : money))
                    } else if let count = cell.value {
                        check(worksheet_write_number(sheet, row, lxw_col_t(index), Double(count), isTotal ? bold : nil))
                    } else {
                        let indent = String(repeating: "  ", count: cell.indent)
                        text(indent + cell.text, index, isTotal ? bold : nil)
                    }
                }
                row += 1
            }
        }
        row += 1
        for line in document.closing + (document.pageFooter.isEmpty ? [] : [document.pageFooter]) {
            text(line, 0, nil)
            row += 1
        }
        check(worksheet_set_column(sheet, 0, 0, 24, nil))
        if widest > 1 { check(worksheet_set_column(sheet, 1, lxw_col_t(widest - 1), 14, nil)) }
        let closed = workbook_close(workbook)
        if failure != LXW_NO_ERROR { throw RenderError.spreadsheet(String(cString: lxw_strerror(failure))) }
        if closed != LXW_NO_ERROR { throw RenderError.spreadsheet(String(cString: lxw_strerror(closed))) }
    }
}
