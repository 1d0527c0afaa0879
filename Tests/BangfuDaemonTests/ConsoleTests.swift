import BangfuLoad
import BangfuVarlink
import Foundation
import Testing

/// Issue 15 (first part): the console in Cockpit, in a real Chromium driven by Selenium through
/// Debian's chromedriver. People log in through Cockpit's own login page (PAM, passwords made by
/// the test); Cockpit runs the page's bridge as each of them, so bangfud sees their uid. A
/// caseworker, a reviewer, an approver and a treasurer carry one case through application,
/// review, approval and payment by clicking (the notice passes on the manual clock); a person
/// without a role sees the refusal.
@Suite(.serialized) struct ConsoleTests {
    typealias D = LiveDaemon

    static let cockpitWS = "/usr/lib/cockpit/cockpit-ws"
    /// Where the console looks for bangfud (cockpit/bangfu/bangfu.js).
    static let consoleSocket = "/run/bangfu/control.sock"
    /// Login accounts of their own (uids no other test uses, so an account left behind by an
    /// interrupted run changes nothing elsewhere), granted by name as a site grants its staff.
    static let people: [(uid: UInt32, name: String)] = [
        (61101, "bftest-rv"), (61102, "bftest-ap"), (61103, "bftest-tr"), (61104, "bftest-nobody"),
        (61105, "bftest-cw"), (61106, "bftest-he"),
    ]
    static let yaml =
        ImportTests.yaml + """
              - { user: bftest-cw, role: caseworker, unit: b1 }
              - { user: bftest-he, role: helper, unit: b1 }
              - { user: bftest-rv, role: reviewer, unit: b1 }
              - { user: bftest-ap, role: approver, unit: county }
              - { user: bftest-tr, role: treasurer, unit: county }

            """

    /// A login account for a test uid: the one that has it, else a new one; its name.
    static func account(uid: UInt32, name: String, password: String) throws -> String {
        if (try D.run(["/usr/bin/getent"], ["group", String(D.gid)])).0 != 0 {
            _ = try D.run(["/usr/sbin/groupadd"], ["-g", String(D.gid), "bangfu-test"])
        }
        var login = name
        let (found, entry, _) = try D.run(["/usr/bin/getent"], ["passwd", String(uid)])
        if found == 0, let existing = entry.split(separator: ":").first {
            login = String(existing)
            try #require(login == name, "uid \(uid) belongs to \(login), not to the test")
            _ = try D.run(["/usr/sbin/usermod"], ["-s", "/bin/bash", "-g", String(D.gid), login])
        } else {
            let (made, _, err) = try D.run(
                ["/usr/sbin/useradd"],
                ["-u", String(uid), "-g", String(D.gid), "-M", "-d", "/tmp", "-s", "/bin/bash", name])
            try #require(made == 0, "useradd \(name): \(err)")
        }
        let (set, _, err) = try D.run(["/usr/sbin/chpasswd"], [], stdin: "\(login):\(password)\n")
        try #require(set == 0, "chpasswd: \(err)")
        return login
    }

    @Test func fourPeopleCarryACaseThroughTheConsoleAndAStrangerIsRefused() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.cockpitWS), "ensure-deps installs cockpit-ws")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"), "and chromium-driver")
        let d = try LiveDaemon(yaml: Self.yaml)
        // The console connects to the standard socket: point it at this daemon for the test.
        try FileManager.default.createDirectory(atPath: "/run/bangfu", withIntermediateDirectories: true)
        if let existing = try? FileManager.default.destinationOfSymbolicLink(atPath: Self.consoleSocket),
            existing.hasPrefix("/tmp/")
        {
            try FileManager.default.removeItem(atPath: Self.consoleSocket)
        }
        try #require(
            !FileManager.default.fileExists(atPath: Self.consoleSocket),
            "a bangfud already serves \(Self.consoleSocket): stop it to run the console test")
        try FileManager.default.createSymbolicLink(atPath: Self.consoleSocket, withDestinationPath: d.socket)
        defer { try? FileManager.default.removeItem(atPath: Self.consoleSocket) }
        // The package, where Cockpit finds it (as scripts/install.sh puts it).
        let package = "/usr/share/cockpit/bangfu"
        try? FileManager.default.removeItem(atPath: package)
        try FileManager.default.copyItem(
            atPath: D.root.appendingPathComponent("cockpit/bangfu").path, toPath: package)

        let password = "Bf-\(UUID().uuidString.prefix(13))"
        let logins = try Self.people.map { person in
            try Self.account(uid: person.uid, name: person.name, password: password)
        }
        defer {
            for (login, person) in zip(logins, Self.people) {
                _ = try? D.run(["/usr/bin/pkill"], ["-KILL", "-u", String(person.uid)])
                _ = try? D.run(["/usr/sbin/userdel"], ["-f", login])
            }
        }
        let (reviewer, approver, treasurer, stranger, caseworker) = (
            logins[0], logins[1], logins[2], logins[3], logins[4]
        )
        let helper = logins[5]

        let port = Int.random(in: 20_000...40_000)
        let ws = Process()
        ws.executableURL = URL(fileURLWithPath: Self.cockpitWS)
        ws.arguments = ["--no-tls", "--address", "127.0.0.1", "--port", String(port)]
        ws.standardOutput = FileHandle.nullDevice
        ws.standardError = FileHandle.nullDevice
        try ws.run()
        defer { ws.terminate() }
        let base = "http://127.0.0.1:\(port)"
        var up = false
        for _ in 0..<50 where !up {
            up = (try D.run([D.python], ["-c", "import urllib.request; urllib.request.urlopen('\(base)/')"])).0 == 0
            if !up { Thread.sleep(forTimeInterval: 0.2) }
        }
        try #require(up, "cockpit-ws did not answer on \(base)")

        // The household is archived (with bangfuctl: the console's archive form is to come) and the fund filled.
        _ = try #require(
            try d.ctlJSON(D.cw, ["archive", "create", "--file", try D.sampleArchive()])["archiveNo"]?.string)
        try d.createTheSampleFund()

        let shots = ProcessInfo.processInfo.environment["BANGFU_SCREENSHOTS"] ?? "/tmp/bangfu-console-screenshots"
        try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)
        let flow = D.root.appendingPathComponent("Tests/Console/console_flow.py").path
        var caseNo = ""
        func click(_ step: String, as user: String, _ subject: String? = nil) throws -> String {
            let (code, out, err) = try D.run([D.python], [flow, base, password, shots, step, user, subject ?? caseNo])
            try #require(code == 0, "\(step) as \(user):\n\(out)\n\(err)")
            return out
        }
        func state() throws -> String? { try d.ctlJSON(D.au, ["case", "get", caseNo])["case"]?["state"]?.string }

        // The caseworker finds the household, fills the help type's own form, sees the assessment
        // (¥5,000.00 for a disaster in a deep-hardship household), and submits.
        let applied = try click("apply", as: caseworker, "张三明")
        #expect(applied.contains("符合条件，测算金额：5,000.00 元"), "\(applied)")
        caseNo = try #require(applied.firstMatch(of: /BF-\d{4}-\d{6}/).map { String($0.0) })
        #expect(applied.contains("asked: 提交初审：\(caseNo) 张三明 特困救助 5,000.00 元"), "\(applied)")
        #expect(try state() == "submitted")
        let reviewed = try click("review", as: reviewer)
        // The confirmation names the household and what it is for before anything changes.
        #expect(reviewed.contains("asked: 通过初审：\(caseNo) 张三明 特困救助"), "\(reviewed)")
        #expect(try state() == "branch_review_passed")
        let approved = try click("approve", as: approver)
        #expect(approved.contains("status: 已完成：审批"), "\(approved)")
        #expect(try state() == "in_notice")
        _ = try d.ctlJSON(nil, ["clock", "advance", "20d"])
        let paid = try click("pay", as: treasurer)
        #expect(paid.contains("张三明 特困救助 ¥5,000.00") && paid.contains("资金账户 帮扶资金"), "\(paid)")
        #expect(try state() == "closed")
        #expect(try d.ctlJSON(D.au, ["case", "get", caseNo])["payments"]?.array?.count == 1)
        // The caseworker's household page: the case paid and closed, the payment, in words.
        let household = try click("household", as: caseworker, "张三明")
        #expect(household.contains("\(caseNo) 特困救助 已办结 5,000.00") && household.contains("发放记录"), "\(household)")
        // A paired helper whose household has gone a quarter without contact records a phone call
        // on a phone-sized screen; the household leaves the overdue list.
        let archive = try #require(try d.ctlJSON(D.au, ["case", "get", caseNo])["case"]?["archiveNo"]?.string)
        _ = try d.ctlJSON(D.cw, ["care", "pair", archive, helper])
        _ = try d.ctlJSON(nil, ["clock", "advance", "100d"])
        #expect(try d.ctlJSON(D.cw, ["care", "overdue-contacts"]).array?.count == 1)
        let contacted = try click("contact", as: helper, archive)
        #expect(contacted.contains("记录联系：\(archive)") && contacted.contains("联系方式 电话"), "\(contacted)")
        #expect(try d.ctlJSON(D.cw, ["care", "overdue-contacts"]).array?.isEmpty == true)
        // No role, no data: the refusal in words, in Chinese.
        let refused = try click("work", as: stranger)
        #expect(refused.contains("无权") && !refused.contains(caseNo), "\(refused)")
    }
}
