import BangfuCLIKit
import Foundation

/// What `bangfu-render` makes of a document.
public enum DocumentFormat: String, CaseIterable, Sendable {
    case pdf, html, xlsx

    /// Renders `document` to `path` in this format.
    public func render(_ document: Document, to path: String) throws {
        switch self {
        case .pdf: try PDFRenderer().render(document, to: path)
        case .xlsx: try XLSXRenderer().render(document, to: path)
        case .html:
            guard FileManager.default.createFile(atPath: path, contents: Data(document.html().utf8)) else {
                throw RenderError.cannotWrite(path)
            }
        }
    }
}
