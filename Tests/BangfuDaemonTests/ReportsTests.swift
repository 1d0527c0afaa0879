import BangfuVarlink
import Foundation
import Testing

/// Issue 14.2 (first part): the report form per unit, rolled up the tree, equal to what the store
/// holds (cross-checked through other methods), as a table and as CSV in GB18030.
@Suite(.serialized) struct ReportsTests {
    typealias D = LiveDaemon

    @Test func figuresRollUpTheTreeAndMatchTheRecords() throws {
        let d = try LiveDaemon(yaml: ImportTests.yaml)
        let archives = try d.importTheSampleLedger()
        // One case paid: filed, reviewed, approved, past its notice, paid by the treasurer.
        try d.createTheSampleFund()
        let archive = try #require(archives.first?["archiveNo"]?.string)
        let caseNo = try #require(
            try d.ctlJSON(D.cw, ["case", "file", archive, "hardship-relief", "--form", "cause=disaster"])["caseNo"]?
                .string)
        _ = try d.ctlJSON(D.cw, ["case", "submit", caseNo])
        _ = try d.ctlJSON(D.rv, ["case", "pass", caseNo])
        _ = try d.ctlJSON(D.ap, ["case", "approve", caseNo])
        _ = try d.ctlJSON(nil, ["clock", "advance", "20d"])
        _ = try d.ctlJSON(D.tr, ["case", "pay", caseNo, "--fund", "f1"])

        // 14.3 (part): the notice passed and left the board, and is kept in its history.
        #expect(try d.ctlJSON(D.au, ["notice", "list"]).array?.isEmpty == true)
        let past = try d.ctlJSON(D.au, ["notice", "history", "--from", "2027-02-01", "--to", "2027-02-28"]).array ?? []
        #expect(past.count == 1 && past.first?["caseNo"]?.string == caseNo && past.first?["state"]?.string == "closed")
        #expect(past.first?["firstDay"]?.string != nil && past.first?["name"]?.string == "张*明")
        #expect(
            try d.ctlJSON(D.au, ["notice", "history", "--from", "2027-01-01", "--to", "2027-01-31"]).array?.isEmpty
                == true)
        let (exported, printable, _) = try d.ctl(
            D.au, ["notice", "export", "--from", "2027-02-01", "--to", "2027-02-28", "--format", "csv"])
        #expect(exported == 0 && printable.contains(caseNo) && printable.contains("张*明"), "\(printable)")

        let report = try d.ctlJSON(D.au, ["report", "figures", "--period", "2027-Q1"])
        let rows = report["rows"]?.array ?? []
        #expect(rows.map { $0["unitId"]?.string ?? "" } == ["city", "county", "b1", "b2"])
        #expect(rows.map { $0["depth"]?.int ?? -1 } == [0, 1, 2, 2])
        #expect(report["from"]?.string == "2027-01-01" && report["to"]?.string == "2027-03-31")
        let statement = try d.ctlJSON(D.au, ["fund", "statement", "--from", "2027-01-01", "--to", "2027-03-31"])
        let paid = try #require(statement["funds"]?.array?.first?["disbursements"]?.int)
        for unit in ["city", "county", "b1"] {
            let row = rows.first { $0["unitId"]?.string == unit }
            #expect(row?["openArchives"]?.int == Int64(archives.count), "\(unit)")
            #expect(row?["payments"]?.int == 1 && row?["aidPaid"]?.int == paid, "\(unit)")
            #expect(row?["cases"]?.int == 1 && row?["casesInProgress"]?.int == 0, "\(unit)")
        }
        #expect(rows.last?["openArchives"]?.int == 0, "b2 has none")

        // A caseworker of b1 sees b1 only, and may not ask for the county.
        let own = try d.ctlJSON(D.cw, ["report", "figures", "--period", "2027"])["rows"]?.array ?? []
        #expect(own.map { $0["unitId"]?.string ?? "" } == ["b1"])
        #expect(try d.ctl(D.cw, ["report", "figures", "--period", "2027", "--unit", "county"]).0 == 4)
        #expect(try d.ctl(D.au, ["report", "figures", "--period", "2027-13"]).0 == 1)

        // CSV in GB18030, as Excel in China opens it.
        let csv = "/tmp/bangfu-report-\(UUID().uuidString.prefix(8)).csv"
        let (code, _, _) = try d.ctl(
            D.au,
            ["report", "figures", "--period", "2027-Q1", "--format", "csv", "--encoding", "gb18030", "--output", csv],
            lang: "zh_CN.UTF-8")
        #expect(code == 0)
        let (decoded, text, _) = try D.run(["/usr/bin/iconv"], ["-f", "GB18030", "-t", "UTF-8", csv])
        #expect(decoded == 0 && text.contains("2027年第一季度") && text.contains("一厂工会,2,"), "\(text)")
        #expect(text.contains(String(format: "%.2f", Double(paid) / 100)), "\(text)")
    }
}
