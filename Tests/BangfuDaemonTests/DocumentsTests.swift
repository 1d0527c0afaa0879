import BangfuVarlink
import Foundation
import Testing

/// Issue 14.2 and 14.3: the report form's sections, and the printable documents made by
/// bangfu-render (PDF through Pango/Cairo, HTML, XLSX through libxlsxwriter) from what bangfud
/// answers. PDFs are read back with poppler's pdftotext and rasterised with pdftoppm; the XLSX is
/// opened by LibreOffice and turned back into CSV.
@Suite(.serialized) struct DocumentsTests {
    typealias D = LiveDaemon

    /// A directory every test uid may write its output into.
    static func outbox() throws -> String {
        let path = "/tmp/bangfu-documents-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: path)
        return path
    }

    static func pdfText(_ path: String) throws -> String {
        let (code, text, err) = try D.run(["/usr/bin/pdftotext"], ["-layout", path, "-"])
        try #require(code == 0, "pdftotext: \(err)")
        return text
    }

    /// pdftoppm draws every page: the file is a PDF a viewer can show.
    static func pages(_ path: String) throws -> Int {
        let prefix = path + "-page"
        let (code, _, err) = try D.run(["/usr/bin/pdftoppm"], ["-png", "-r", "40", path, prefix])
        try #require(code == 0, "pdftoppm: \(err)")
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        let name = URL(fileURLWithPath: prefix).lastPathComponent
        return try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix(name) && $0.hasSuffix(".png") }.count
    }

    @Test func reportSectionsAndPrintedDocumentsHoldWhatTheStoreHolds() throws {
        let d = try LiveDaemon(yaml: ImportTests.yaml)
        let out = try Self.outbox()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let archives = try d.importTheSampleLedger()
        try d.createTheSampleFund()
        // 张三明's household (the one whose head is 张三明) gets one case, through to payment.
        let zhang = try #require(
            archives.first { ($0["name"]?.string ?? "").hasPrefix("张") }?["archiveNo"]?.string)
        let caseNo = try #require(
            try d.ctlJSON(D.cw, ["case", "file", zhang, "hardship-relief", "--form", "cause=disaster"])["caseNo"]?
                .string)
        _ = try d.ctlJSON(D.cw, ["case", "submit", caseNo])
        _ = try d.ctlJSON(D.rv, ["case", "pass", caseNo])
        let approved = try d.ctlJSON(D.ap, ["case", "approve", caseNo])
        let amount = try #require(approved["plan"]?["total"]?.int)
        // The notice, printed while it runs: issuer, period, masked name, amount, the objection phone.
        let notice = out + "/notice.pdf"
        let (noticeCode, _, noticeErr) = try d.ctl(
            D.au, ["notice", "export", "--format", "pdf", "--output", notice], lang: "zh_CN.UTF-8")
        try #require(noticeCode == 0, "\(noticeErr)")
        let noticeText = try Self.pdfText(notice)
        for expected in ["困难职工帮扶公示", "发布单位：", "测试市总工会", "公示期：", "张*明", caseNo, "12351", "审计链头"] {
            #expect(noticeText.contains(expected), "\(expected) in \(noticeText)")
        }
        #expect(!noticeText.contains("张三明") && !noticeText.contains(ImportTests.head1), "no full name, no ID")
        #expect(try Self.pages(notice) == 1)

        _ = try d.ctlJSON(nil, ["clock", "advance", "20d"])
        _ = try d.ctlJSON(D.tr, ["case", "pay", caseNo, "--fund", "f1"])
        _ = try d.ctlJSON(
            D.cw,
            [
                "care", "reception", "--unit", "b1", "--channel", "hotline_12351", "--kind", "hardship_relief",
                "--outcome", "helped",
            ])
        _ = try d.ctlJSON(
            D.cw, ["care", "reception", "--unit", "b1", "--kind", "legal_aid", "--outcome", "referred"])

        // The report's sections, cross-checked against what the other methods say.
        let report = try d.ctlJSON(D.au, ["report", "figures", "--period", "2027-Q1"])
        let city = try #require(report["rows"]?.array?.first)
        #expect(city["unitId"]?.string == "city")
        #expect(city["newArchives"]?.int == 2 && city["exitedArchives"]?.int == 0 && city["personTimes"]?.int == 1)
        #expect(city["receptions"]?.int == 2 && city["receptionsHelped"]?.int == 1)
        let lines = city["lines"]?.array ?? []
        func line(_ section: String, _ key: String, _ detail: String = "") -> JSONValue? {
            lines.first {
                $0["section"]?.string == section && $0["key"]?.string == key && $0["detail"]?.string == detail
            }
        }
        #expect(line("cases_by_type", "hardship-relief", "closed")?["count"]?.int == 1, "\(lines)")
        #expect(line("paid_by_type", "hardship-relief", "union_funds")?["amount"]?.int == amount)
        #expect(line("archives_by_cause", "serious_illness")?["count"]?.int == 1, "\(lines)")
        #expect(line("archives_by_cause", "unemployed")?["count"]?.int == 1, "\(lines)")
        #expect(line("receptions", "hotline_12351", "helped")?["count"]?.int == 1)
        #expect(line("receptions", "window", "referred")?["count"]?.int == 1)
        // A month before anything happened: nothing new, nothing paid.
        let january = try d.ctlJSON(D.au, ["report", "figures", "--period", "2026-12"])["rows"]?.array?.first
        #expect(january?["newArchives"]?.int == 0 && january?["openArchives"]?.int == 0)
        #expect(january?["aidPaid"]?.int == 0 && january?["lines"]?.array?.isEmpty == true)

        // The signature sheet: the treasurer sees the payee's name, the auditor a masked one; ID
        // numbers masked for both; the amount in figures and in capitals.
        let sheet = out + "/sheet.pdf"
        let (sheetCode, _, sheetErr) = try d.ctl(
            D.tr,
            ["fund", "sheet", "--from", "2027-02-01", "--to", "2027-03-31", "--format", "pdf", "--output", sheet],
            lang: "zh_CN.UTF-8")
        try #require(sheetCode == 0, "\(sheetErr)")
        let sheetText = try Self.pdfText(sheet)
        // The help type's amount for a disaster is ¥5,000.00 in the sample settings: 伍仟元整.
        #expect(amount == 500_000)
        for expected in ["帮扶资金发放签领表", "张三明", "5,000.00", "伍仟元整", "领款人签名", caseNo] {
            #expect(sheetText.contains(expected), "\(expected) in \(sheetText)")
        }
        #expect(!sheetText.contains(ImportTests.head1), "the ID number is masked")
        // Masked as everywhere: the first three and the last two characters.
        let maskedID =
            String(ImportTests.head1.prefix(3)) + String(repeating: "*", count: 13) + ImportTests.head1.suffix(2)
        #expect(sheetText.contains(maskedID), "\(maskedID) in \(sheetText)")
        let masked = try d.ctlJSON(D.au, ["fund", "sheet", "--from", "2027-02-01", "--to", "2027-03-31"])
        #expect(masked["lines"]?.array?.first?["name"]?.string == "张*明")
        #expect(try d.ctl(D.cw, ["fund", "sheet", "--from", "2027-02-01", "--to", "2027-03-31"]).0 == 4)

        // The public accounts as XLSX, opened by LibreOffice and read back as CSV.
        let accounts = out + "/accounts.xlsx"
        let (accountsCode, _, accountsErr) = try d.ctl(
            D.au,
            [
                "fund", "statement", "--from", "2027-01-01", "--to", "2027-03-31", "--format", "xlsx", "--output",
                accounts,
            ],
            lang: "zh_CN.UTF-8")
        try #require(accountsCode == 0, "\(accountsErr)")
        let accountsCSV = try Self.libreOfficeCSV(accounts, out)
        #expect(accountsCSV.contains("帮扶资金,工会经费,0.00,\"100,000.00\",\"5,000.00\",0.00,"), "\(accountsCSV)")

        // The report form as XLSX (the city's row read back), HTML (inline SVG, no script) and PDF.
        let reportXLSX = out + "/report.xlsx"
        let (xlsxCode, _, xlsxErr) = try d.ctl(
            D.au, ["report", "figures", "--period", "2027-Q1", "--format", "xlsx", "--output", reportXLSX],
            lang: "zh_CN.UTF-8")
        try #require(xlsxCode == 0, "\(xlsxErr)")
        let reportCSV = try Self.libreOfficeCSV(reportXLSX, out)
        // 测试市总工会: 2 open (both deep as derived), 2 new, 1 case, 1 person-time, ¥5,000 paid, nothing lent.
        #expect(reportCSV.contains("测试市总工会,2,2,0,0,2,0,0,1,0,1,\"5,000.00\",0.00,0.00"), "\(reportCSV)")
        #expect(reportCSV.contains("接待2人次，帮扶1人次"), "\(reportCSV)")

        let html = out + "/report.html"
        #expect(
            try d.ctl(D.au, ["report", "figures", "--period", "2027-Q1", "--format", "html", "--output", html]).0 == 0)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("<svg") && page.contains("@page") && !page.contains("<script"))
        let pdf = out + "/report.pdf"
        let (pdfCode, _, pdfErr) = try d.ctl(
            D.au, ["report", "figures", "--period", "2027-Q1", "--format", "pdf", "--output", pdf], lang: "zh_CN.UTF-8")
        try #require(pdfCode == 0, "\(pdfErr)")
        let reportText = try Self.pdfText(pdf)
        for expected in ["困难职工帮扶工作统计报表", "2027年第一季度", "一厂工会", "大病", "工会经费", "第 1 页"] {
            #expect(reportText.contains(expected), "\(expected) in \(reportText)")
        }
        #expect(try Self.pages(pdf) >= 1)
        // A terminal cannot show a PDF: bangfuctl says to use --output (exit 2 when stdout is a tty
        // only; here stdout is a pipe, so the PDF goes to it whole).
        let (piped, bytes, _) = try d.ctl(D.au, ["report", "figures", "--period", "2027-Q1", "--format", "pdf"])
        #expect(piped == 0 && bytes.hasPrefix("%PDF"))
        #expect(try d.ctl(D.au, ["report", "figures", "--period", "2027-Q1", "--format", "docx"]).0 == 2)
    }

    /// bangfu-render reads what it is given as data: markup in a name is printed as text (HTML
    /// escaped, Pango given plain text), a document that is not one is refused with a message.
    @Test func bangfuRenderTakesTextAsText() throws {
        let render = D.bin + "/bangfu-render"
        let out = try Self.outbox()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let hostile = #"<script>alert(1)</script> & <b>张</b>"#
        let escapedForJSON = hostile.replacingOccurrences(of: "\"", with: "\\\"")
        let document = """
            {"title":"\(escapedForJSON)","lines":[],"closing":[],"pageFooter":"","orientation":"portrait",
             "language":"zh-CN\\"><script>","sections":[{"heading":"<i>x</i>","columns":[{"title":"姓名",
             "alignment":"leading","weight":1}],"rows":[[{"text":"\(escapedForJSON)","money":false,"indent":0}]],
             "tallRows":false,"emptyText":"","chart":{"title":"<svg onload=x>","bars":[{"label":"<a>","value":1,"text":"</svg>"}]}}]}
            """
        let (htmlCode, html, _) = try D.run([render], ["--format", "html"], stdin: document)
        #expect(htmlCode == 0)
        #expect(!html.contains("<script") && !html.contains("<b>") && !html.contains("<i>") && !html.contains("<a>"))
        #expect(!html.contains("<svg onload") && html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;"))
        let pdf = out + "/hostile.pdf"
        let (pdfCode, _, pdfErr) = try D.run([render], ["--format", "pdf", "--output", pdf], stdin: document)
        try #require(pdfCode == 0, "\(pdfErr)")
        #expect(try Self.pdfText(pdf).contains("<script>alert(1)</script> & <b>张</b>"))
        for bad in ["", "{", #"{"title": 5}"#, String(repeating: "[", count: 20_000)] {
            let (code, _, err) = try D.run([render], ["--format", "pdf", "--output", out + "/bad.pdf"], stdin: bad)
            #expect(code == 1 && err.contains("不是 bangfu 文档"), "\(err)")
        }
        #expect(try D.run([render], ["--format", "docx"], stdin: document).0 != 0)
    }

    /// LibreOffice's own reading of a spreadsheet, as CSV (UTF-8).
    static func libreOfficeCSV(_ xlsx: String, _ directory: String) throws -> String {
        let converted = directory + "/csv-\(UUID().uuidString.prefix(6))"
        let (code, _, err) = try D.run(
            ["/usr/bin/libreoffice"],
            ["--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", converted, xlsx],
            env: ["HOME": "/tmp"])
        try #require(code == 0, "\(err)")
        let name = URL(fileURLWithPath: xlsx).deletingPathExtension().lastPathComponent + ".csv"
        return try String(contentsOfFile: converted + "/" + name, encoding: .utf8)
    }
}
