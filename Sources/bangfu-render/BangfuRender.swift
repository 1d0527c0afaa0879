import ArgumentParser
import BangfuCLIKit
import BangfuRender
import Foundation

/// `bangfu-render`: sets a document (JSON on standard input, as bangfuctl builds it from bangfud's
/// answers) as PDF, HTML or XLSX. Its own program, run as the person who asked, so that bangfud
/// links neither Pango, Cairo nor a spreadsheet writer and never renders untrusted text itself.
@main
struct BangfuRenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bangfu-render",
        abstract: "将文档（标准输入的 JSON）排版为 PDF、HTML 或 XLSX / Set a document (JSON on stdin) as PDF, HTML or XLSX.")

    @Option(help: "pdf、html 或 xlsx / pdf, html or xlsx.") var format: String
    @Option(help: "输出文件；- 为标准输出 / Output file; - for standard output.") var output = "-"

    /// The largest document accepted on standard input.
    static let maximumInput = 64 << 20

    func run() throws {
        guard let kind = DocumentFormat(rawValue: format) else {
            throw ValidationError("--format 只能是 pdf、html 或 xlsx / --format is pdf, html or xlsx")
        }
        var input = Data()
        while let chunk = try FileHandle.standardInput.read(upToCount: 1 << 20), !chunk.isEmpty {
            input.append(chunk)
            guard input.count <= Self.maximumInput else {
                Self.fail("输入超过 64 MiB / input is over 64 MiB")
            }
        }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: input)
        } catch {
            Self.fail("输入不是 bangfu 文档（JSON）/ the input is not a bangfu document (JSON): \(error)")
        }
        do {
            if output != "-" { return try kind.render(document, to: output) }
            // PDF and XLSX are written to a file first (Cairo and libxlsxwriter want a path), then copied out.
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "bangfu-render-\(UUID().uuidString)")
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appendingPathComponent("document.\(kind.rawValue)").path
            try kind.render(document, to: file)
            FileHandle.standardOutput.write(try Data(contentsOf: URL(fileURLWithPath: file)))
        } catch {
            Self.fail("\(error)")
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("bangfu-render: \(message)\n".utf8))
        Foundation.exit(1)
    }
}
