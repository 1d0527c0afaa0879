import BangfuCLIKit
import CPangoCairo
import Foundation

/// Sets a document on A4 pages with Pango (shaping, line breaking, font fallback for CJK through
/// fontconfig) on a Cairo PDF surface. Tables break across pages with their header repeated; every
/// page carries the document's footer (the audit head) and "page n of N", so the document is laid
/// out twice: once to count the pages, once to draw them.
public struct PDFRenderer {
    /// The family fontconfig resolves; Debian's fonts-noto-cjk provides it.
    public static let family = "Noto Sans CJK SC"

    public init() {}

    public func render(_ document: Document, to path: String) throws {
        let pages = try PDFPages(document, path: "/dev/null", totalPages: nil).run()
        _ = try PDFPages(document, path: path, totalPages: pages).run()
    }
}

/// One pass over the document: a Cairo surface and a cursor down the page.
private final class PDFPages {
    enum Font: String {
        case body = "9.5"
        case bold = "Bold 9.5"
        case title = "Bold 16"
        case heading = "Bold 11.5"
        case small = "7"
    }

    let document: Document
    let totalPages: Int?
    let surface: OpaquePointer
    let cairo: OpaquePointer
    let context: OpaquePointer
    let pageWidth: Double
    let pageHeight: Double
    let margin = 42.0
    let footerHeight = 30.0
    let padding = 3.5
    var fonts: [Font: OpaquePointer] = [:]
    var y = 0.0
    var page = 1

    var contentWidth: Double { pageWidth - 2 * margin }
    var bottom: Double { pageHeight - margin - footerHeight }

    init(_ document: Document, path: String, totalPages: Int?) throws {
        self.document = document
        self.totalPages = totalPages
        (pageWidth, pageHeight) = document.orientation == .landscape ? (841.89, 595.28) : (595.28, 841.89)
        guard let surface = cairo_pdf_surface_create(path, pageWidth, pageHeight),
            cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS
        else { throw RenderError.cannotWrite(path) }
        self.surface = surface
        cairo = cairo_create(surface)
        context = pango_cairo_create_context(cairo)
        // Cairo's PDF unit is the point: with 72 dpi a 10 pt font is 10 units high.
        pango_cairo_context_set_resolution(context, 72)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, document.title)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "bangfu-render")
        for font in [Font.body, .bold, .title, .heading, .small] {
            fonts[font] = pango_font_description_from_string("\(PDFRenderer.family) \(font.rawValue)")
        }
        y = margin
    }

    deinit {
        for description in fonts.values { pango_font_description_free(description) }
        g_object_unref(UnsafeMutableRawPointer(context))
        cairo_destroy(cairo)
        cairo_surface_destroy(surface)
    }

    /// Draws every page and returns how many there were.
    func run() throws -> Int {
        paragraph(document.title, font: .title, alignment: PANGO_ALIGN_CENTER, after: 6)
        for line in document.lines { paragraph(line, font: .body, alignment: PANGO_ALIGN_CENTER, after: 2) }
        y += 8
        for section in document.sections { draw(section) }
        if !document.closing.isEmpty { y += 8 }
        for line in document.closing { paragraph(line, font: .body, alignment: PANGO_ALIGN_LEFT, after: 4) }
        finishPage()
        cairo_surface_finish(surface)
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            throw RenderError.cannotWrite(String(cString: cairo_status_to_string(cairo_surface_status(surface))))
        }
        return page
    }

    // MARK: Text

    /// A laid-out text of `width` points; the caller releases it with `release`.
    func layout(_ text: String, font: Font, width: Double, alignment: PangoAlignment = PANGO_ALIGN_LEFT)
        -> OpaquePointer
    {
        let layout = pango_layout_new(context)!
        pango_layout_set_font_description(layout, fonts[font])
        pango_layout_set_width(layout, Int32(max(width, 1) * Double(PANGO_SCALE)))
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        pango_layout_set_alignment(layout, alignment)
        pango_layout_set_text(layout, text, -1)
        return layout
    }

    func height(_ layout: OpaquePointer) -> Double {
        var width: Int32 = 0
        var height: Int32 = 0
        pango_layout_get_size(layout, &width, &height)
        return Double(height) / Double(PANGO_SCALE)
    }

    func show(_ layout: OpaquePointer, x: Double, y: Double) {
        cairo_move_to(cairo, x, y)
        pango_cairo_show_layout(cairo, layout)
    }

    func release(_ layout: OpaquePointer) { g_object_unref(UnsafeMutableRawPointer(layout)) }

    func paragraph(_ text: String, font: Font, alignment: PangoAlignment, after: Double) {
        let layout = layout(text, font: font, width: contentWidth, alignment: alignment)
        defer { release(layout) }
        let height = height(layout)
        if y + height > bottom { newPage() }
        cairo_set_source_rgb(cairo, 0.07, 0.07, 0.07)
        show(layout, x: margin, y: y)
        y += height + after
    }

    // MARK: Pages

    func newPage() {
        finishPage()
        cairo_show_page(cairo)
        page += 1
        y = margin
    }

    /// The foot of the page: the document's footer (the audit head) on the left, the page number on the right.
    func finishPage() {
        let numberWidth = 110.0
        let top = pageHeight - margin - footerHeight + 8
        cairo_set_source_rgb(cairo, 0.3, 0.3, 0.3)
        cairo_set_line_width(cairo, 0.4)
        cairo_move_to(cairo, margin, top - 4)
        cairo_line_to(cairo, pageWidth - margin, top - 4)
        cairo_stroke(cairo)
        let footer = layout(document.pageFooter, font: .small, width: contentWidth - numberWidth - 8)
        show(footer, x: margin, y: top)
        release(footer)
        let number = layout(
            document.pageNumber(page, of: totalPages ?? page), font: .small, width: numberWidth,
            alignment: PANGO_ALIGN_RIGHT)
        show(number, x: pageWidth - margin - numberWidth, y: top)
        release(number)
    }

    // MARK: Sections

    func draw(_ section: Section) {
        let widths = columnWidths(section)
        // A heading is not left alone at the foot of a page: it keeps its table's header and first row.
        let headerHeight = rowHeight(section.columns.map { Cell($0.title) }, widths: widths, font: .bold, tall: false)
        let firstRow =
            section.rows.first.map { rowHeight($0, widths: widths, font: .body, tall: section.tallRows) } ?? 0
        if y + 24 + headerHeight + firstRow > bottom { newPage() }
        if !section.heading.isEmpty {
            paragraph(section.heading, font: .heading, alignment: PANGO_ALIGN_LEFT, after: 5)
        }
        if section.rows.isEmpty && !section.emptyText.isEmpty {
            paragraph(section.emptyText, font: .body, alignment: PANGO_ALIGN_LEFT, after: 10)
            return
        }
        if let chart = section.chart, !chart.bars.isEmpty { draw(chart) }
        let header = section.columns.map { Cell($0.title) }
        drawRow(header, section: section, widths: widths, font: .bold, shaded: true)
        for row in section.rows {
            if y + rowHeight(row, widths: widths, font: .body, tall: section.tallRows) > bottom {
                newPage()
                drawRow(header, section: section, widths: widths, font: .bold, shaded: true)
            }
            drawRow(row, section: section, widths: widths, font: .body, shaded: false)
        }
        if let total = section.total {
            if y + rowHeight(total, widths: widths, font: .bold, tall: section.tallRows) > bottom { newPage() }
            drawRow(total, section: section, widths: widths, font: .bold, shaded: false)
        }
        y += 12
    }

    func columnWidths(_ section: Section) -> [Double] {
        let weights = section.columns.map { max($0.weight, 0.1) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total * contentWidth }
    }

    func rowHeight(_ cells: [Cell], widths: [Double], font: Font, tall: Bool) -> Double {
        var tallest = 0.0
        for (index, cell) in cells.enumerated() where index < widths.count {
            let layout = layout(cell.text, font: font, width: textWidth(widths[index], cell))
            tallest = max(tallest, height(layout))
            release(layout)
        }
        return max(tallest + 2 * padding, tall ? 30 : 0)
    }

    func textWidth(_ columnWidth: Double, _ cell: Cell) -> Double {
        columnWidth - 2 * padding - Double(cell.indent) * 9
    }

    func drawRow(_ cells: [Cell], section: Section, widths: [Double], font: Font, shaded: Bool) {
        let height = rowHeight(cells, widths: widths, font: font, tall: section.tallRows && !shaded)
        var x = margin
        for (index, width) in widths.enumerated() {
            if shaded {
                cairo_set_source_rgb(cairo, 0.92, 0.92, 0.92)
                cairo_rectangle(cairo, x, y, width, height)
                cairo_fill(cairo)
            }
            cairo_set_source_rgb(cairo, 0.2, 0.2, 0.2)
            cairo_set_line_width(cairo, 0.5)
            cairo_rectangle(cairo, x, y, width, height)
            cairo_stroke(cairo)
            if index < cells.count {
                let cell = cells[index]
                let alignment: PangoAlignment =
                    switch section.columns[index].alignment {
                    case .leading: PANGO_ALIGN_LEFT
                    case .trailing: PANGO_ALIGN_RIGHT
                    case .center: PANGO_ALIGN_CENTER
                    }
                let layout = layout(
                    cell.text, font: font, width: textWidth(width, cell),
                    alignment: shaded ? PANGO_ALIGN_CENTER : alignment)
                cairo_set_source_rgb(cairo, 0.07, 0.07, 0.07)
                show(layout, x: x + padding + Double(cell.indent) * 9, y: y + padding)
                release(layout)
            }
            x += width
        }
        y += height
    }

    /// Horizontal bars scaled to the largest value, labels on the left and figures after each bar.
    func draw(_ chart: Chart) {
        let rowHeight = 15.0
        let labelWidth = contentWidth * 0.28
        let barSpace = contentWidth * 0.52
        let largest = chart.bars.map(\.value).max() ?? 0
        if y + 20 + rowHeight * Double(min(chart.bars.count, 3)) > bottom { newPage() }
        paragraph(chart.title, font: .bold, alignment: PANGO_ALIGN_LEFT, after: 3)
        for bar in chart.bars {
            if y + rowHeight > bottom { newPage() }
            let label = layout(bar.label, font: .body, width: labelWidth - 6, alignment: PANGO_ALIGN_RIGHT)
            cairo_set_source_rgb(cairo, 0.07, 0.07, 0.07)
            show(label, x: margin, y: y)
            release(label)
            let width = largest > 0 ? max(0, bar.value) / largest * barSpace : 0
            cairo_set_source_rgb(cairo, 0.71, 0.19, 0.17)
            cairo_rectangle(cairo, margin + labelWidth, y + 2.5, width, rowHeight - 5)
            cairo_fill(cairo)
            let text = layout(bar.text, font: .body, width: contentWidth - labelWidth - width - 6)
            cairo_set_source_rgb(cairo, 0.07, 0.07, 0.07)
            show(text, x: margin + labelWidth + width + 4, y: y)
            release(text)
            y += rowHeight
        }
        y += 8
    }
}

/// Why a document could not be made.
public enum RenderError: Error, CustomStringConvertible {
    case cannotWrite(String)
    case spreadsheet(String)

    public var description: String {
        switch self {
        case .cannotWrite(let what): "无法写入 / cannot write: \(what)"
        case .spreadsheet(let what): "无法生成电子表格 / cannot write the spreadsheet: \(what)"
        }
    }
}
