import BangfuVarlink
import Foundation
import Testing

/// Clients we did not write, and the outside example help type over the socket.
@Suite(.serialized) struct InteropTests {
    typealias D = LiveDaemon

    func py(_ d: LiveDaemon, uid: UInt32? = nil, _ args: [String]) throws -> (Int32, String, String) {
        let cmd =
            uid.map { ["/usr/bin/setpriv", "--reuid=\($0)", "--regid=\(D.gid)", "--clear-groups", D.python] } ?? [
                D.python
            ]
        return try LiveDaemon.run(cmd, ["-m", "varlink.cli"] + args, env: ["PYTHONIOENCODING": "utf-8"])
    }

    @Test func thePyPIVarlinkClient() throws {
        let d = try LiveDaemon()
        let (c1, info, e1) = try py(d, ["info", "unix:\(d.socket)"])
        #expect(c1 == 0 && info.contains("org.bangfu.Cases") && info.contains("bangfud"), "\(e1)")
        for iface in [
            "org.bangfu.Archive", "org.bangfu.Cases", "org.bangfu.Funds", "org.bangfu.Notice", "org.bangfu.Admin",
            "org.varlink.service",
        ] {
            let (c, out, err) = try py(d, ["help", "unix:\(d.socket)/\(iface)"])
            #expect(c == 0 && out.contains("interface \(iface)") && err.isEmpty, "\(iface): \(err)")
        }
        // Calls that change state, from the caseworker's uid; the CLI prints errors on stderr and still exits 0.
        let archive = try String(contentsOfFile: try D.sampleArchive(), encoding: .utf8)
        let (c2, out2, err2) = try py(
            d, uid: D.cw, ["call", "unix:\(d.socket)/org.bangfu.Archive.Create", "{\"archive\": \(archive)}"])
        #expect(c2 == 0 && err2.isEmpty && out2.contains("HA-2027-000001"), "\(err2)")
        let (_, out3, err3) = try py(
            d, uid: D.cw,
            [
                "call", "unix:\(d.socket)/org.bangfu.Cases.File",
                #"{"archiveNo": "HA-2027-000001", "helpType": "medical-aid", "form": {"self_paid_fen": 250000}}"#,
            ])
        #expect(out3.contains("BF-2027-000001") && err3.isEmpty, "\(err3)")
        let (_, out4, _) = try py(d, ["call", "unix:\(d.socket)/org.bangfu.Admin.AdvanceClock", #"{"seconds": 3600}"#])
        #expect(out4.contains("2027-02-04T10:00:00+08:00"))
        // Streaming with more.
        let (_, out5, err5) = try py(d, uid: D.au, ["call", "-m", "unix:\(d.socket)/org.bangfu.Cases.List", "{}"])
        #expect(out5.contains("BF-2027-000001"), "\(err5)")
        // A typed error comes back by name.
        let (_, _, err6) = try py(
            d, uid: D.cw, ["call", "unix:\(d.socket)/org.bangfu.Cases.Get", #"{"caseNo": "BF-1999-000001"}"#])
        #expect(err6.contains("org.bangfu.Cases.NotFound"))
    }

    @Test func theOutsideExampleHelpTypeThroughAllFourStages() throws {
        // The plugin tests build the example; build it here too when this suite runs alone.
        let scratch = D.root.appendingPathComponent(".build-example").path
        let (bc, _, berr) = try LiveDaemon.run(
            ["/usr/bin/env", "swift"],
            [
                "build", "--package-path", D.root.appendingPathComponent("examples/help-type-example").path,
                "--scratch-path", scratch,
            ])
        #expect(bc == 0, "\(berr)")
        let plugins = URL(fileURLWithPath: "/tmp").appendingPathComponent(
            "bangfu-plugins-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: plugins) }
        try FileManager.default.copyItem(
            atPath: scratch + "/debug/libbangfu-help-winter-heating.so",
            toPath: plugins.appendingPathComponent("libbangfu-help-winter-heating.so").path)
        let d = try LiveDaemon(pluginDir: plugins.path)
        let loaded = try d.ctlJSON(D.au, ["plugins"])["loaded"]?.array ?? []
        #expect(loaded.compactMap { $0["id"]?.string } == ["winter-heating"])
        _ = try d.ctlJSON(
            D.tr,
            [
                "fund", "create", "warm", "--name", "取暖基金", "--unit", "county", "--source", "donation", "--help-type",
                "winter-heating",
            ])
        _ = try d.ctlJSON(D.tr, ["fund", "deposit", "warm", "5000", "--memo", "社会捐赠"])
        let archiveNo = try #require(
            try d.ctlJSON(D.cw, ["archive", "create", "--file", try D.sampleArchive()])["archiveNo"]?.string)
        let caseNo = try #require(
            try d.ctlJSON(D.cw, ["case", "file", archiveNo, "winter-heating", "--form", "winter=2026"])["caseNo"]?
                .string)
        _ = try d.ctlJSON(D.cw, ["case", "submit", caseNo])
        _ = try d.ctlJSON(D.rv, ["case", "pass", caseNo])
        let approved = try d.ctlJSON(D.ap, ["case", "approve", caseNo])
        #expect(approved["plan"]?["total"]?.int == 90_000)  // 3 people x ¥300
        _ = try d.ctlJSON(nil, ["clock", "advance", "16d"])
        let paid = try d.ctlJSON(D.tr, ["case", "pay", caseNo, "--fund", "warm"])
        #expect(paid["case"]?["state"]?.string == "closed" && paid["payment"]?["amount"]?.int == 90_000)
    }

    @Test func noticeExportHasMaskedNamesOnly() throws {
        let d = try LiveDaemon()
        let archiveNo = try #require(
            try d.ctlJSON(D.cw, ["archive", "create", "--file", try D.sampleArchive()])["archiveNo"]?.string)
        let caseNo = try #require(
            try d.ctlJSON(D.cw, ["case", "file", archiveNo, "hardship-relief", "--form", "cause=disaster"])["caseNo"]?
                .string)
        _ = try d.ctlJSON(D.cw, ["case", "submit", caseNo])
        _ = try d.ctlJSON(D.rv, ["case", "pass", caseNo])
        _ = try d.ctlJSON(D.ap, ["case", "approve", caseNo])
        // Issue 13.20: written to a file, the export says where (the notice itself goes only to the file).
        // (Where the auditor, another uid, may write.)
        let out = d.dir.appendingPathComponent("export")
        try FileManager.default.createDirectory(
            at: out, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        let file = out.appendingPathComponent("notice.html").path
        let (written, _, said) = try d.ctl(
            D.au, ["notice", "export", "--format", "html", "--output", file], lang: "zh_CN.UTF-8")
        #expect(written == 0 && said.contains("公示") && said.contains("已写入 \(file)"), "\(said)")
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains("困难职工帮扶公示"))
        let (_, html, _) = try d.ctl(D.au, ["notice", "export", "--format", "html"])
        let (_, csv, _) = try d.ctl(D.au, ["notice", "export", "--format", "csv"])
        // The audit head the notice was read at is printed with it (a hash: left out of the checks below,
        // where any run of its hex digits could look like the start of an ID number or an account).
        let head = /(\d+:[0-9a-f]{64})/
        let printed = try #require(csv.firstMatch(of: head).map { String($0.1) })
        #expect(html.firstMatch(of: head).map { String($0.1) } == printed, "the HTML carries the same head")
        #expect(try d.ctlJSON(D.au, ["verify", "--anchor", printed])["ok"]?.boolValue == true, "\(printed)")
        for text in [html, csv] {
            let shown = text.split(whereSeparator: \.isNewline).filter { !$0.contains("audit head") }.joined(
                separator: "\n")
            #expect(shown.contains("张*明") && shown.contains("特困救助") && shown.contains(caseNo))
            #expect(
                !shown.contains("张三明") && !shown.contains("990101") && !shown.contains("13800000000")
                    && !shown.contains("6222"))
        }
        #expect(csv.contains("No.,Case,Name,Unit,Help,Amount (yuan)") && csv.contains(",\(caseNo),张*明,"))
        #expect(csv.contains(",5000.00"), "amounts as plain yuan, so a spreadsheet reads numbers: \(csv)")
        // The auditor's archive view is masked; the caseworker's is full.
        let masked = try d.ctlJSON(D.au, ["archive", "get", archiveNo])
        #expect(masked["archive"]?["head"]?["name"]?.string == "张*明" && masked["archive"]?["head"]?["phone"] == nil)
        let full = try d.ctlJSON(D.cw, ["archive", "get", archiveNo])
        #expect(full["archive"]?["head"]?["phone"]?.string == "13800000000")
        // Issue 13.2: the treasurer's view masks the members but does not drop them (家庭人口 stays).
        let members = full["archive"]?["members"]?.array ?? []
        let paying = try d.ctlJSON(D.tr, ["archive", "get", archiveNo])["archive"]?["members"]?.array ?? []
        #expect(members.count >= 2 && paying.count == members.count)
        #expect(paying.allSatisfy { $0["idNumber"]?.string?.contains("*") == true && $0["monthlyIncome"] == nil })
        // No ID number in any log line.
        #expect(!d.log().contains("990101197610120310"))
    }
}
