import ArgumentParser
import BangfuCLIKit
import BangfuCore
import Foundation

/// Where and how a printable document goes: a table or CSV made here, PDF, HTML or XLSX made by
/// `bangfu-render` (run as the same person, fed the document on its standard input).
struct DocumentOutput: ParsableArguments {
    @Option(help: "table、csv、pdf、html 或 xlsx / table, csv, pdf, html or xlsx.") var format: String?
    @Option(help: "CSV 编码：utf-8（带 BOM）或 gb18030 / CSV encoding: utf-8 (with BOM) or gb18030.")
    var encoding = "utf-8"
    @Option(help: "写入文件；默认标准输出 / Write to a file; standard output by default.") var output: String?

    static let formats = ["table", "csv", "pdf", "html", "xlsx"]

    /// The format asked for, else `fallback`; exits with usage code 2 on an unknown one.
    func chosenFormat(_ global: Global, default fallback: String) -> String {
        let chosen = (format ?? fallback).lowercased()
        guard Self.formats.contains(chosen), ["utf-8", "gb18030"].contains(encoding.lowercased()) else {
            global.die(
                global.zh
                    ? "--format 只能是 table、csv、pdf、html 或 xlsx，--encoding 只能是 utf-8 或 gb18030"
                    : "--format is table, csv, pdf, html or xlsx; --encoding is utf-8 or gb18030", code: 2)
        }
        return chosen
    }

    /// Prints or writes `document`; `what` names it in the message that says where it went.
    func deliver(_ document: Document, _ global: Global, default fallback: String, what: (zh: String, en: String)) {
        let chosen = chosenFormat(global, default: fallback)
        switch chosen {
        case "table": write(Data(document.textTables().utf8), global, chosen, what)
        case "csv":
            let text = document.csvText()
            if encoding.lowercased() == "gb18030" {
                guard let data = Sheet.gb18030(encoding: text) else {
                    global.die(global.zh ? "无法转换为 GB18030" : "cannot convert to GB18030", code: 1)
                }
                return write(data, global, chosen, what)
            }
            write(Data(("\u{FEFF}" + text).utf8), global, chosen, what)
        default: render(document, chosen, global, what)
        }
    }

    private func write(_ data: Data, _ global: Global, _ chosen: String, _ what: (zh: String, en: String)) {
        guard let output else { return FileHandle.standardOutput.write(data) }
        guard FileManager.default.createFile(atPath: output, contents: data) else {
            global.die(
                global.zh
                    ? "无法写入 \(output)：请检查目录是否存在以及您是否有写权限"
                    : "cannot write \(output): check the directory and its permissions",
                code: 1)
        }
        said(global, chosen, what)
    }

    private func said(_ global: Global, _ chosen: String, _ what: (zh: String, en: String)) {
        guard let output else { return }
        // On stderr, so that the file (or a pipe) holds the document only.
        let path = URL(fileURLWithPath: output).standardizedFileURL.path
        FileHandle.standardError.write(
            Data(
                (global.zh
                    ? "\(what.zh)已写入 \(path)\n"
                    : "\(what.en) written to \(path) (\(chosen.uppercased()))\n").utf8))
    }

    private func render(_ document: Document, _ chosen: String, _ global: Global, _ what: (zh: String, en: String)) {
        if output == nil && chosen != "html" && isatty(STDOUT_FILENO) == 1 {
            global.die(
                global.zh
                    ? "\(chosen.uppercased()) 不能直接显示在终端上：请用 --output 文件名 写入文件"
                    : "\(chosen.uppercased()) cannot be shown on a terminal: write it to a file with --output FILE",
                code: 2)
        }
        let renderer = Self.rendererPath()
        guard let renderer else {
            global.die(
                global.zh
                    ? "找不到 bangfu-render：请安装它（scripts/install.sh）或用环境变量 BANGFU_RENDER 指明路径"
                    : "bangfu-render not found: install it (scripts/install.sh) or name it in BANGFU_RENDER", code: 1)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: renderer)
        // The output as an absolute path, and the renderer started in /: the caller's working
        // directory may be one it cannot enter (a demo run with runuser from root's 0700 home),
        // and Foundation changes into it before exec.
        process.arguments = [
            "--format", chosen, "--output", output.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? "-",
        ]
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        let input = Pipe()
        process.standardInput = input
        do {
            try process.run()
            let encoder = JSONEncoder()
            input.fileHandleForWriting.write(try encoder.encode(document))
            try input.fileHandleForWriting.close()
        } catch {
            global.die(global.zh ? "无法运行 \(renderer)：\(error)" : "cannot run \(renderer): \(error)", code: 1)
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            global.die(
                global.zh ? "bangfu-render 未能生成文档（见上方信息）" : "bangfu-render could not make the document (see above)",
                code: 1)
        }
        said(global, chosen, what)
    }

    /// BANGFU_RENDER, else bangfu-render beside this program, else on PATH.
    static func rendererPath() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let named = environment["BANGFU_RENDER"], !named.isEmpty { return named }
        let beside = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("bangfu-render").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        for directory in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/bangfu-render"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
