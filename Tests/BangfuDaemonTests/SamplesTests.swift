import BangfuVarlink
import Foundation
import Testing

/// docs/samples: the printable documents made from synthetic data by the real daemon, bangfuctl
/// and bangfu-render. `scripts/make-samples.sh` runs this test with BANGFU_SAMPLES_OUT=docs/samples
/// to write them; an ordinary run makes them again in a temporary directory and compares each
/// PDF's text (pdftotext) and page count with the committed one. PDFs carry their creation date,
/// and the audit head's hash differs per store (ID numbers are keyed with the store's own secret),
/// so those two are compared as placeholders.
@Suite(.serialized) struct SamplesTests {
    typealias D = LiveDaemon

    static let documents = ["notice.pdf", "signature-sheet.pdf", "accounts.pdf", "report.pdf"]

    /// Ten synthetic households of one to three people: names from common surnames, ID numbers in
    /// the synthetic region 990101 (no real person has them), one rare character (𠮷).
    static var ledger: String {
        let heads = ["张建国", "李秀英", "王𠮷祥", "刘桂兰", "陈志强", "杨丽华", "赵德明", "黄淑芬", "周海涛", "吴春梅"]
        let causes = ["大病", "失业", "大病", "灾害", "意外事故", "大病", "失业", "大病", "灾害", "大病"]
        var rows = ["户号,姓名,身份证号,与户主关系,工作单位,联系电话,家庭住址,月收入（元）,致困原因"]
        for (index, name) in heads.enumerated() {
            let number = String(format: "%03d", index + 1)
            let head = ImportTests.idNumber("990101197\(index)0101\(number)")
            rows.append(
                "\(index + 1),\(name),\(head),户主,样例机械厂,1380000\(String(format: "%04d", index + 1)),样例路 \(index + 1) 号,\(600 + index * 50),\(causes[index])"
            )
            if index % 3 == 0 {
                let child = ImportTests.idNumber("990101201\(index % 10)0601\(number)")
                rows.append("\(index + 1),\(name.prefix(1))小\(name.suffix(1)),\(child),子女,实验小学,,,0,")
            }
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// Makes every sample into `directory`.
    static func make(into directory: String) throws {
        let d = try LiveDaemon(yaml: ImportTests.yaml)
        let work = try DocumentsTests.outbox()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let file = work + "/ledger.csv"
        try ledger.write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        let (imported, _, importErr) = try d.ctl(
            D.cw, ["import", "archives", file, "--unit", "b1", "--region", "370200"])
        try #require(imported == 0, "\(importErr)")
        _ = try d.ctlJSON(
            D.tr,
            [
                "fund", "create", "f1", "--name", "困难职工帮扶资金", "--unit", "county", "--source", "union_funds",
                "--help-type", "hardship-relief",
            ])
        _ = try d.ctlJSON(D.tr, ["fund", "deposit", "f1", "200000", "--memo", "上级拨付"])
        let archives = (try d.ctlJSON(D.cw, ["archive", "list"]).array ?? []).compactMap { $0["archiveNo"]?.string }
            .sorted()
        try #require(archives.count == 10)
        // Six applications: losses below the grant cap, and one at the cap (no loss given).
        let losses = ["1234.50", "800", "2000", "3560.70", "450", nil]
        var cases: [String] = []
        for (archive, loss) in zip(archives, losses) {
            let form = ["--form", "cause=disaster"] + (loss.map { ["--form", "loss=\($0)"] } ?? [])
            let filed = try d.ctlJSON(D.cw, ["case", "file", archive, "hardship-relief"] + form)
            let caseNo = try #require(filed["caseNo"]?.string)
            _ = try d.ctlJSON(D.cw, ["case", "submit", caseNo])
            _ = try d.ctlJSON(D.rv, ["case", "pass", caseNo])
            _ = try d.ctlJSON(D.ap, ["case", "approve", caseNo])
            cases.append(caseNo)
        }
        func make(_ role: UInt32, _ args: [String], _ name: String) throws {
            let (code, _, err) = try d.ctl(role, args + ["--output", work + "/" + name], lang: "zh_CN.UTF-8")
            try #require(code == 0, "\(name): \(err)")
            try FileManager.default.copyItem(atPath: work + "/" + name, toPath: directory + "/" + name)
        }
        try make(D.au, ["notice", "export", "--format", "pdf"], "notice.pdf")
        try make(D.au, ["notice", "export", "--format", "html"], "notice.html")
        _ = try d.ctlJSON(nil, ["clock", "advance", "20d"])
        for caseNo in cases { _ = try d.ctlJSON(D.tr, ["case", "pay", caseNo, "--fund", "f1"]) }
        for (channel, kind, outcome) in [
            ("window", "hardship_relief", "helped"), ("hotline_12351", "legal_aid", "referred"),
            ("window", "job_referral", "helped"),
        ] {
            _ = try d.ctlJSON(
                D.cw, ["care", "reception", "--unit", "b1", "--channel", channel, "--kind", kind, "--outcome", outcome])
        }
        let period = ["--from", "2027-01-01", "--to", "2027-03-31"]
        try make(D.tr, ["fund", "sheet"] + period + ["--format", "pdf"], "signature-sheet.pdf")
        try make(D.au, ["fund", "statement"] + period + ["--format", "pdf"], "accounts.pdf")
        for format in ["pdf", "html", "xlsx"] {
            try make(D.au, ["report", "figures", "--period", "2027-Q1", "--format", format], "report.\(format)")
        }
    }

    /// A PDF's text without what differs from run to run: the audit head (SEQ:HASH), and the
    /// spacing and page numbers (the head's glyphs differ in width, so the footer breaks its line
    /// elsewhere and the page number lands in another place in the text; page counts are compared apart).
    static func comparable(_ pdf: String) throws -> String {
        try DocumentsTests.pdfText(pdf).replacingOccurrences(
            of: "[0-9]+:[0-9a-f]{64}", with: "SEQ:HASH", options: .regularExpression
        ).replacingOccurrences(of: "第 [0-9]+ 页，共 [0-9]+ 页", with: "", options: .regularExpression)
            .filter { !$0.isWhitespace }
    }

    @Test func theCommittedSamplesAreWhatTheProgramsMakeToday() throws {
        let committed = D.root.appendingPathComponent("docs/samples").path
        if let out = ProcessInfo.processInfo.environment["BANGFU_SAMPLES_OUT"] {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            for name in try FileManager.default.contentsOfDirectory(atPath: out)
            where name.hasPrefix("report.")
                || name.hasSuffix(".pdf") || name.hasSuffix(".html")
            {
                try FileManager.default.removeItem(atPath: out + "/" + name)
            }
            return try Self.make(into: out)
        }
        let fresh = try DocumentsTests.outbox()
        defer { try? FileManager.default.removeItem(atPath: fresh) }
        try Self.make(into: fresh)
        for name in Self.documents {
            let made = try Self.comparable(fresh + "/" + name)
            let kept = try Self.comparable(committed + "/" + name)
            #expect(
                made == kept, "\(name) differs from docs/samples: run scripts/make-samples.sh and look at the change")
            #expect(
                try DocumentsTests.pages(fresh + "/" + name) == DocumentsTests.pages(committed + "/" + name), "\(name)")
        }
        // The HTML samples are made by the same code: no script, nothing loaded from elsewhere.
        for name in ["notice.html", "report.html"] {
            let page = try String(contentsOfFile: fresh + "/" + name, encoding: .utf8)
            #expect(!page.contains("<script") && !page.contains("src=") && !page.contains("href="), "\(name)")
        }
    }
}
