import BangfuCore
import Foundation

/// A printable document (a notice, a signature sheet, the public accounts, a report form) as data:
/// what bangfuctl builds from the daemon's answers and `bangfu-render` sets as HTML, PDF or XLSX, and
/// bangfuctl itself prints as a table or CSV. One model, so every output says the same thing.
public struct Document: Codable, Sendable, Hashable {
    public enum Orientation: String, Codable, Sendable { case portrait, landscape }

    public var title: String
    /// Lines under the title: who issues it, the period.
    public var lines: [String]
    public var sections: [Section]
    /// Lines after the last section: how to object, where to sign.
    public var closing: [String]
    /// Printed at the foot of every page with the page number: the audit head the data was read at.
    public var pageFooter: String
    public var orientation: Orientation
    /// A BCP 47 tag (`zh-CN`, `en`) for the HTML and the page numbers.
    public var language: String

    public init(
        title: String, lines: [String] = [], sections: [Section] = [], closing: [String] = [],
        pageFooter: String = "", orientation: Orientation = .portrait, language: String = "zh-CN"
    ) {
        self.title = title
        self.lines = lines
        self.sections = sections
        self.closing = closing
        self.pageFooter = pageFooter
        self.orientation = orientation
        self.language = language
    }

    public var isChinese: Bool { language.hasPrefix("zh") }

    /// "第 2 页，共 5 页" or "page 2 of 5".
    public func pageNumber(_ page: Int, of pages: Int) -> String {
        isChinese ? "第 \(page) 页，共 \(pages) 页" : "page \(page) of \(pages)"
    }
}

/// A table with its heading, and optionally a bar chart of one of its columns.
public struct Section: Codable, Sendable, Hashable {
    public var heading: String
    public var columns: [Column]
    public var rows: [[Cell]]
    /// A last row set in bold (合计).
    public var total: [Cell]?
    public var chart: Chart?
    /// Rows tall enough to sign in by hand (the signature sheet).
    public var tallRows: Bool
    /// Said when there are no rows.
    public var emptyText: String

    public init(
        heading: String, columns: [Column], rows: [[Cell]], total: [Cell]? = nil, chart: Chart? = nil,
        tallRows: Bool = false, emptyText: String = ""
    ) {
        self.heading = heading
        self.columns = columns
        self.rows = rows
        self.total = total
        self.chart = chart
        self.tallRows = tallRows
        self.emptyText = emptyText
    }
}

public struct Column: Codable, Sendable, Hashable {
    public enum Alignment: String, Codable, Sendable { case leading, trailing, center }

    public var title: String
    public var alignment: Alignment
    /// Share of the page's width, relative to the other columns.
    public var weight: Double

    public init(_ title: String, _ alignment: Alignment = .leading, weight: Double = 1) {
        self.title = title
        self.alignment = alignment
        self.weight = weight
    }
}

/// A cell as printed, and the number behind it for a spreadsheet: a count, or with `money` fen.
public struct Cell: Codable, Sendable, Hashable, ExpressibleByStringLiteral {
    public var text: String
    public var value: Int64?
    public var money: Bool
    /// Levels of indentation (a unit under its parent).
    public var indent: Int

    public init(_ text: String, value: Int64? = nil, money: Bool = false, indent: Int = 0) {
        self.text = text
        self.value = value
        self.money = money
        self.indent = indent
    }

    public init(stringLiteral text: String) { self.init(text) }

    /// A count.
    public static func count(_ value: Int64) -> Cell { Cell(String(value), value: value) }

    /// An amount in fen, printed in yuan (1,234.50).
    public static func yuan(_ fen: Int64) -> Cell { Cell(Money(fen: fen).grouped, value: fen, money: true) }

    /// The text a spreadsheet or CSV reads: amounts as plain yuan (1234.50), so they stay numbers.
    public var plain: String { money ? Money(fen: value ?? 0).plain : text }
}

/// Horizontal bars, one per label: drawn as inline SVG in HTML and with Cairo in PDF.
public struct Chart: Codable, Sendable, Hashable {
    public struct Bar: Codable, Sendable, Hashable {
        public var label: String
        public var value: Double
        public var text: String

        public init(label: String, value: Double, text: String) {
            self.label = label
            self.value = value
            self.text = text
        }
    }

    public var title: String
    public var bars: [Bar]

    public init(title: String, bars: [Bar]) {
        self.title = title
        self.bars = bars
    }
}

extension Money {
    /// Yuan with thousands grouped and two decimals, without the sign ¥: 12,345.60 (as on vouchers).
    public var grouped: String { description.replacingOccurrences(of: "¥", with: "") }
}
