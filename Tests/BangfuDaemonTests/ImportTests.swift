import BangfuVarlink
import Foundation
import Testing

/// Issue 14.1: a county's ledger imported through bangfud's rules, whatever Excel or LibreOffice
/// wrote; checked first with --dry-run; safe to repeat; a person in another unit's archive is
/// reported, not moved.
@Suite(.serialized) struct ImportTests {
    typealias D = LiveDaemon
    static let otherCaseworker: UInt32 = 61008

    /// The test configuration with a second branch, b2, and a caseworker there.
    static let yaml =
        D.yaml
        .replacingOccurrences(
            of: "  - { id: b1, name: 一厂工会, parent: county, level: grassroots }",
            with: """
                  - { id: b1, name: 一厂工会, parent: county, level: grassroots }
                  - { id: b2, name: 二厂工会, parent: county, level: grassroots }
                """)
        + "\n  - { user: \"uid:\(otherCaseworker)\", role: caseworker, unit: b2 }\n"

    /// An 18-character ID number with its GB 11643 check character.
    static func idNumber(_ body: String) -> String {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(body, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
        return body + String(Array("10X98765432")[sum % 11])
    }

    static let head1 = idNumber("99010119761012031"), spouse1 = idNumber("99010119780305042")
    static let head2 = idNumber("99010119680120011"), head3 = idNumber("99010119800229015")

    /// Three households: a family of three, one head with a rare character in the name whose
    /// stated category differs from the derived one, and one with a bad income and a lost ID number.
    static let ledger = """
        户号,姓名,身份证号,与户主关系,工作单位,联系电话,家庭住址,月收入（元）,致困原因,政治面貌,就业状况,困难类别
        1,张三明,\(head1),户主,一厂,13800000001,样例路 1 号,1500,大病,中共党员,在岗,深度困难
        1,李秀兰,\(spouse1),配偶,,,,0,,,,
        1,张小雨,\(idNumber("99010120100601023")),子女,实验小学,,,0,,,,
        2,王𠮷祥,\(head2),户主,二厂,13800000002,样例路 2 号,900,失业,群众,失业,相对困难
        3,赵四,\(head3),户主,,,,abc,大病,,,
        3,赵小四,3.70202E+17,子女,,,,0,,,,

        """

    func write(_ text: String, _ name: String, gb18030: Bool = false, bom: Bool = false) throws -> String {
        let path = "/tmp/bangfu-ledger-\(UUID().uuidString.prefix(8))-\(name)"
        try ((bom ? "\u{FEFF}" : "") + text).write(toFile: path, atomically: true, encoding: .utf8)
        if gb18030 {
            let (code, _, err) = try D.run(["/usr/bin/iconv"], ["-f", "UTF-8", "-t", "GB18030", "-o", path, path])
            try #require(code == 0, "\(err)")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        return path
    }

    func importing(_ d: LiveDaemon, _ file: String, _ extra: [String] = [], as uid: UInt32 = D.cw) throws -> (
        Int32, JSONValue?
    ) {
        let (code, out, err) = try d.ctl(
            uid, ["import", "archives", file, "--unit", "b1", "--region", "370200", "--json"] + extra)
        let reply = try? JSONDecoder().decode(JSONValue.self, from: Data(out.utf8))
        if reply == nil { Issue.record("no JSON (\(code)): \(out) \(err) \(file)") }
        return (code, reply)
    }

    @Test func aLedgerImportsOnceWhateverItsEncoding() throws {
        let d = try LiveDaemon(yaml: Self.yaml)
        let bom = try write(Self.ledger, "bom.csv", bom: true)
        let gb = try write(Self.ledger, "gb.csv", gb18030: true)

        // Checked first: every bad value with its row and column, nothing archived.
        let (dryCode, dry) = try importing(d, bom, ["--dry-run"])
        #expect(dryCode == 1)
        #expect(dry?["households"]?.int == 2 && dry?["created"]?.int == 2, "\(String(describing: dry))")
        let problems = dry?["problems"]?.array ?? []
        #expect(problems.count == 2)
        #expect(problems.contains { $0["row"]?.int == 6 && $0["column"]?.string == "月收入（元）" })
        #expect(
            problems.contains {
                $0["row"]?.int == 7 && $0["value"]?.string == "3.70202E+17"
                    && ($0["message"]?.string ?? "").contains("文本")
            })
        let stated = dry?["results"]?.array?.first
        #expect(stated?["name"]?.string == "王𠮷祥" && stated?["statedCategory"]?.string == "relative")
        #expect(try d.ctlJSON(D.cw, ["archive", "list"]).array?.isEmpty == true, "a dry run archives nothing")

        // GB18030, as Excel in China writes it: the rare character survives.
        let (_, first) = try importing(d, gb)
        #expect(first?["created"]?.int == 2 && first?["unchanged"]?.int == 0)
        let found = try d.ctlJSON(D.cw, ["archive", "search", "--name", "王𠮷"]).array ?? []
        #expect(found.first?["name"]?.string == "王𠮷祥")
        let family = try #require(
            try d.ctlJSON(D.cw, ["archive", "search", "--id-number", Self.spouse1]).array?.first?["archiveNo"]?
                .string)
        let household = try d.ctlJSON(D.cw, ["household", family])
        #expect(household["household"]?["archive"]?["members"]?.array?.count == 2)
        #expect(household["household"]?["archive"]?["address"]?.string == "样例路 1 号")
        #expect(household["household"]?["archive"]?["head"]?["politicalStatus"]?.string == "party_member")
        #expect(household["household"]?["archive"]?["mainCause"]?.string == "serious_illness")

        // The same file again (UTF-8 with a BOM this time): nothing changes.
        let (_, again) = try importing(d, bom)
        #expect(again?["created"]?.int == 0 && again?["unchanged"]?.int == 2)
        #expect(try d.ctlJSON(D.cw, ["archive", "list"]).array?.count == 2)
        #expect(try d.ctlJSON(D.au, ["verify"])["ok"]?.boolValue == true)
    }

    @Test func aPersonInAnotherUnitsArchiveIsReportedNotMoved() throws {
        let d = try LiveDaemon(yaml: Self.yaml)
        let sample = try D.sampleArchive(unit: "b2")
        let other = try #require(
            try d.ctlJSON(Self.otherCaseworker, ["archive", "create", "--file", sample])["archiveNo"]?.string)
        // The sample archive's head is 990101197610120310: the first household of the ledger.
        let (code, result) = try importing(d, try write(Self.ledger, "utf8.csv"))
        #expect(code == 1 && result?["refused"]?.int == 1 && result?["created"]?.int == 1)
        let refused = result?["results"]?.array?.first { $0["action"]?.string == "refused" }
        #expect(refused?["name"]?.string == "张三明")
        let message = refused?["message"]?.string ?? ""
        #expect(!message.isEmpty && !message.contains(other), "the other unit's archive is not named: \(message)")
        #expect(try d.ctlJSON(Self.otherCaseworker, ["archive", "get", other])["archive"]?["unitId"]?.string == "b2")
        // A caseworker without a grant on the unit named imports nothing.
        #expect(try d.ctl(D.rv, ["import", "archives", try write(Self.ledger, "r.csv"), "--unit", "b1"]).0 == 4)
    }

    @Test func spreadsheetsSavedByLibreOffice() throws {
        let soffice = "/usr/bin/libreoffice"
        try #require(FileManager.default.isExecutableFile(atPath: soffice), "LibreOffice is installed by ensure-deps")
        let d = try LiveDaemon(yaml: Self.yaml)
        let csv = try write(Self.ledger, "lo.csv")
        let numbers = URL(fileURLWithPath: csv).deletingLastPathComponent().appendingPathComponent(
            "lo-\(UUID().uuidString.prefix(6))")
        let text = numbers.appendingPathComponent("text")
        // UTF-8 (76) either way; the second keeps columns 1, 2, 3 and 6 as text (…/3/2…).
        for (outdir, filter) in [(numbers.path, "CSV:44,34,76,1"), (text.path, "CSV:44,34,76,1,1/2/2/2/3/2/6/2")] {
            try FileManager.default.createDirectory(atPath: outdir, withIntermediateDirectories: true)
            let (code, _, err) = try D.run(
                [soffice],
                ["--headless", "--infilter=\(filter)", "--convert-to", "xlsx", "--outdir", outdir, csv],
                env: ["HOME": "/tmp"])
            try #require(code == 0, "\(err)")
        }
        defer { try? FileManager.default.removeItem(at: numbers) }
        let name = URL(fileURLWithPath: csv).deletingPathExtension().lastPathComponent + ".xlsx"
        // The ID column as numbers: every ID number lost its last digits and is refused with the hint.
        let asNumbers = numbers.appendingPathComponent(name).path
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: numbers.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: asNumbers)
        let (code, refused) = try importing(d, asNumbers)
        #expect(code == 1 && refused?["created"]?.int == 0)
        #expect((refused?["problems"]?.array ?? []).filter { ($0["message"]?.string ?? "").contains("文本") }.count == 6)
        // The column kept as text: it imports.
        let asText = text.appendingPathComponent(name).path
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: text.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: asText)
        let (_, imported) = try importing(d, asText)
        #expect(imported?["created"]?.int == 2, "\(String(describing: imported))")
    }

    /// On a terminal the caseworker sees the households being archived, not a pause: bangfuctl asks
    /// Import.Progress on a second connection while Finish works (the owner's only: the session's owner check).
    @Test func aLargeImportShowsItsProgressOnATerminal() throws {
        let d = try LiveDaemon(yaml: Self.yaml)
        var rows = ["户号,姓名,身份证号,与户主关系,月收入（元）,致困原因"]
        for index in 0..<3_000 {
            let body = "990101198001" + String(format: "%02d", 1 + index / 500) + String(format: "%03d", index % 500)
            rows.append("\(index),职工\(index),\(Self.idNumber(body)),户主,500,大病")
        }
        let file = try write(rows.joined(separator: "\n") + "\n", "progress.csv")
        // script(1) gives bangfuctl a pseudo-terminal, as a person at a console has.
        let command = [
            "/usr/bin/setpriv", "--reuid=\(D.cw)", "--regid=\(D.gid)", "--clear-groups", D.ctlForOthers, "import",
            "archives", file, "--unit", "b1", "--region", "370200", "--socket", d.socket,
        ].joined(separator: " ")
        let (code, out, err) = try D.run(
            ["/usr/bin/script"], ["-qec", command, "/dev/null"], env: ["LANG": "zh_CN.UTF-8", "LC_ALL": ""])
        #expect(code == 0, "\(out) \(err)")
        #expect(out.contains("共 3000 户：新建 3000"), "\(out)")
        // The bar drawn while Finish worked: some households done, of all 3000.
        let bars = out.matches(of: /建档 .*?(\d+)\/3000/).compactMap { Int($0.1) }
        #expect(!bars.isEmpty && bars.contains { $0 < 3000 }, "\(out)")
        // Progress of an import not (or no longer) finishing is not found.
        let python = D.python
        let probe = """
            import varlink, sys
            with varlink.Client(address="unix:" + sys.argv[1]) as client, client.open("org.bangfu.Import") as api:
                started = api.Begin(["姓名", "身份证号", "与户主关系"], None, "b1", "370200", None, True)
                for who in ("owner", "owner-finished"):
                    try:
                        api.Progress(started["importId"])
                        print(who, "answered")
                    except varlink.VarlinkError as error:
                        print(who, error.error(), error.parameters())
                    if who == "owner":
                        try:
                            api.Finish(started["importId"])
                        except varlink.VarlinkError as error:
                            print("finish", error.error())
            """
        let (probed, said, probeErr) = try D.run(
            ["/usr/bin/setpriv", "--reuid=\(D.cw)", "--regid=\(D.gid)", "--clear-groups", python],
            ["-c", probe, d.socket])
        #expect(probed == 0, "\(probeErr)")
        let lines = said.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("owner") && $0.contains("'code': 'not_found'") }.count == 2, "\(said)")
    }
}
