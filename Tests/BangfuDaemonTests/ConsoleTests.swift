import BangfuLoad
import BangfuVarlink
import Foundation
import Testing

/// Issue 15: the console in Cockpit, in a real Chromium driven by Selenium through Debian's
/// chromedriver. People log in through Cockpit's own login page (PAM, passwords made by the test);
/// Cockpit runs the page's bridge as each of them, so bangfud sees their uid, and spawns bangfuctl
/// (and through it bangfu-render) as them for documents.
@Suite(.serialized) struct ConsoleTests {
    typealias D = LiveDaemon

    static let yaml =
        ImportTests.yaml + """
              - { user: bftest-cw, role: caseworker, unit: b1 }
              - { user: bftest-he, role: helper, unit: b1 }
              - { user: bftest-rv, role: reviewer, unit: b1 }
              - { user: bftest-ap, role: approver, unit: county }
              - { user: bftest-tr, role: treasurer, unit: county }

            """

    /// A caseworker archives a household on the national form; then a caseworker, a reviewer, an
    /// approver and a treasurer carry one case through application, review, approval, an objection
    /// and its dismissal, the notice (manual clock) and payment by clicking; the treasurer reads the
    /// accounts in English, the approver downloads the report form as a PDF, a helper on a phone
    /// records a contact and a must-visit, and a person without a role sees the refusal.
    @Test func fourPeopleCarryACaseThroughTheConsoleAndAStrangerIsRefused() throws {
        let site = try ConsoleSite(yaml: Self.yaml)
        let d = site.daemon
        try d.createTheSampleFund()
        var caseNo = ""
        func state() throws -> String? { try d.ctlJSON(D.au, ["case", "get", caseNo])["case"]?["state"]?.string }

        // The household, archived on the national form's fields; bangfud derives its category.
        let archived = try site.click("archive", as: "bftest-cw", "张三明")
        let archives = try d.ctlJSON(D.au, ["archive", "list"]).array ?? []
        #expect(archives.count == 1 && archives.first?["category"]?.string == "deep", "\(archived)")
        #expect(archived.contains("已建档：") && archived.contains("张三明（HA-"), "\(archived)")
        let archiveNo = try #require(archives.first?["archiveNo"]?.string)
        let household = try d.ctlJSON(D.cw, ["archive", "get", archiveNo])["archive"]
        #expect(household?["members"]?.array?.count == 2 && household?["annualIncome"]?.int == 3_600_000)
        #expect(household?["secondaryCauses"]?.array?.first?.string == "laid_off")

        // The caseworker fills the help type's own form (its choices in words), sees the
        // assessment (¥5,000.00 for a disaster in a deep-hardship household), and submits.
        let applied = try site.click("apply", as: "bftest-cw", "张三明")
        #expect(applied.contains("tabs: 我的待办 申请 档案 公示 资金 慰问活动 报表\n"), "\(applied)")
        #expect(applied.contains("choices:  大病 灾害 突发困难 子女就学"), "\(applied)")
        #expect(applied.contains("符合条件，测算金额：5,000.00 元"), "\(applied)")
        caseNo = try #require(applied.firstMatch(of: /BF-\d{4}-\d{6}/).map { String($0.0) })
        #expect(applied.contains("asked: 提交初审：\(caseNo) 张三明 特困救助 5,000.00 元"), "\(applied)")
        #expect(try state() == "submitted")
        let reviewed = try site.click("review", as: "bftest-rv", caseNo)
        // The confirmation names the household and what it is for before anything changes.
        #expect(reviewed.contains("asked: 通过初审：\(caseNo) 张三明 特困救助"), "\(reviewed)")
        #expect(try state() == "branch_review_passed")
        let approved = try site.click("approve", as: "bftest-ap", caseNo)
        #expect(approved.contains("status: 已完成：审批"), "\(approved)")
        #expect(try state() == "in_notice")
        // On the notice board (a masked name), the caseworker records an objection; past notices
        // list the case too. The approver then dismisses it from my work, with a decision.
        let objected = try site.click("notice", as: "bftest-cw", caseNo)
        #expect(objected.contains("asked: 登记异议：\(caseNo) 张*明"), "\(objected)")
        #expect(objected.contains("公示异议") && !objected.contains("990101"), "\(objected)")
        #expect(try state() == "objected")
        let dismissed = try site.click("dismiss", as: "bftest-ap", caseNo)
        #expect(dismissed.contains("asked: 异议不成立：\(caseNo) 张三明"), "\(dismissed)")
        #expect(try state() == "in_notice")
        let events = try d.ctlJSON(D.au, ["case", "get", caseNo])["events"]?.array ?? []
        #expect(events.contains { $0["event"]?.string == "dismiss_objection" }, "\(events)")
        _ = try d.ctlJSON(nil, ["clock", "advance", "20d"])
        let paid = try site.click("pay", as: "bftest-tr", caseNo)
        #expect(paid.contains("张三明 特困救助 ¥5,000.00") && paid.contains("资金账户 帮扶资金"), "\(paid)")
        #expect(try state() == "closed")
        #expect(try d.ctlJSON(D.au, ["case", "get", caseNo])["payments"]?.array?.count == 1)
        // The caseworker's household page: members, 五清, the case paid and closed, in words.
        let overview = try site.click("household", as: "bftest-cw", "张三明")
        #expect(overview.contains("\(caseNo) 特困救助 已办结 5,000.00") && overview.contains("发放记录"), "\(overview)")
        #expect(overview.contains("李秀兰 配偶") && overview.contains("三口之家，配偶重病"), "\(overview)")
        // The treasurer's accounts in English: ¥100,000 in, ¥5,000 out, ¥95,000 left, as bars.
        let accounts = try site.click("funds@en", as: "bftest-tr")
        #expect(accounts.contains("bars: Income=10000000 Spent=500000 Closing=9500000"), "\(accounts)")
        #expect(accounts.contains("Public accounts") && accounts.contains("Households helped"), "\(accounts)")
        // The approver downloads the month's report form: a PDF made by bangfu-render as them.
        let month = try #require(try d.ctlJSON(D.au, ["status"])["now"]?.string?.prefix(7))
        let report = try site.click("report", as: "bftest-ap", String(month))
        let pdf = try #require(report.firstMatch(of: /downloaded: (\S+\.pdf)/).map { String($0.1) }, "\(report)")
        let text = try DocumentsTests.pdfText(pdf)
        #expect(text.contains("统计报表") && text.contains("5,000.00"), "\(text.prefix(400))")
        // A paired helper whose household has gone a quarter without contact records a phone call
        // on a phone-sized screen; the household leaves the overdue list.
        _ = try d.ctlJSON(D.cw, ["care", "pair", archiveNo, "bftest-he"])
        _ = try d.ctlJSON(nil, ["clock", "advance", "100d"])
        #expect(try d.ctlJSON(D.cw, ["care", "overdue-contacts"]).array?.count == 1)
        let contacted = try site.click("contact", as: "bftest-he", archiveNo)
        #expect(contacted.contains("记录联系：\(archiveNo)") && contacted.contains("联系方式 电话"), "\(contacted)")
        // A helper's tabs are the helper's: no applications, campaigns or report forms.
        #expect(contacted.contains("tabs: 我的待办 档案 公示 资金\n"), "\(contacted)")
        #expect(try d.ctlJSON(D.cw, ["care", "overdue-contacts"]).array?.isEmpty == true)
        // The household's head goes into hospital: a must-visit falls to the paired helper, who
        // records it from the phone too.
        _ = try d.ctlJSON(D.cw, ["care", "must-visit", archiveNo, "hospital_stay"])
        let visited = try site.click("visit", as: "bftest-he", archiveNo)
        #expect(visited.contains("asked: 记录走访：\(archiveNo) 住院"), "\(visited)")
        let visits = try d.ctlJSON(D.cw, ["household", archiveNo])["visits"]?.array ?? []
        #expect(
            visits.count == 1 && visits.first?["status"]?.string == "visited"
                && visits.first?["note"]?.string == "住院探望，送去慰问品", "\(visits)")
        // No role, no data: the refusal in words, in Chinese.
        let refused = try site.click("work", as: "bftest-nobody")
        #expect(refused.contains("无权") && !refused.contains(caseNo), "\(refused)")
        #expect(refused.contains("tabs: 我的待办\n"), "\(refused)")
    }

    /// A holiday campaign on the campaigns page: its progress as a chart, the household the budget
    /// left out and why, and a visit recorded by clicking.
    @Test func aCampaignsProgressLeftOutAndAVisitInTheConsole() throws {
        // 送温暖 for 2027-02-06, ¥1,000 a deep household: a budget of ¥1,000 plans one of two.
        let yaml = SchedulerTests.yaml(budget: "1000").replacingOccurrences(of: LiveDaemon.yaml, with: Self.yaml)
        let site = try ConsoleSite(yaml: yaml, clock: "manual:2026-12-24T09:00")
        let d = site.daemon
        _ = try d.importTheSampleLedger()
        let runId = try #require(try d.ctlJSON(D.au, ["campaign", "list"])["runs"]?.array?.first?["id"]?.int)
        _ = try d.ctlJSON(nil, ["campaign", "add-households", String(runId)])
        let visits = try d.ctlJSON(D.au, ["campaign", "visits", String(runId)]).array ?? []
        let visited = try #require(visits.first?["archiveNo"]?.string)
        #expect(visits.count == 1)
        let page = try site.click("campaign", as: "bftest-cw", visited)
        #expect(page.contains("asked: 记录走访：\(visited)"), "\(page)")
        #expect(page.contains("未列入的家庭：1") && page.contains("预算不足未列入"), "\(page)")
        let after = try d.ctlJSON(D.au, ["campaign", "visits", String(runId)]).array ?? []
        #expect(after.first?["status"]?.string == "visited" && after.first?["visitedBy"]?.string == "bftest-cw")
    }
}

/// Cockpit in front of a LiveDaemon, as a site runs it: the package where Cockpit finds it, the
/// standard socket path pointing at the daemon, login accounts of the test's own (uids no other
/// test uses, so an account left by an interrupted run changes nothing elsewhere), granted by
/// name as a site grants its staff, and bangfuctl with bangfu-render where the manifest says.
final class ConsoleSite {
    typealias D = LiveDaemon

    static let cockpitWS = "/usr/lib/cockpit/cockpit-ws"
    /// Where the console looks for bangfud (cockpit/bangfu/varlink.js).
    static let consoleSocket = "/run/bangfu/control.sock"
    static let people: [(uid: UInt32, name: String)] = [
        (61101, "bftest-rv"), (61102, "bftest-ap"), (61103, "bftest-tr"), (61104, "bftest-nobody"),
        (61105, "bftest-cw"), (61106, "bftest-he"),
    ]

    let daemon: LiveDaemon
    let password = "Bf-\(UUID().uuidString.prefix(13))"
    let base: String
    let screenshots: String
    private let webServer = Process()
    private let programs: String

    init(yaml: String, clock: String = "manual:2027-02-04T09:00") throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.cockpitWS), "ensure-deps installs cockpit-ws")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"), "and chromium-driver")
        daemon = try LiveDaemon(yaml: yaml, clock: clock)
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
        try FileManager.default.createSymbolicLink(atPath: Self.consoleSocket, withDestinationPath: daemon.socket)
        // bangfuctl and bangfu-render where every test account may run them.
        programs = "/tmp/bangfu-console-bin-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(
            atPath: programs, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        for program in ["bangfuctl", "bangfu-render"] {
            try FileManager.default.copyItem(atPath: "\(D.bin)/\(program)", toPath: "\(programs)/\(program)")
        }
        // The package, where Cockpit finds it (as scripts/install.sh puts it), its manifest naming
        // that bangfuctl.
        let package = "/usr/share/cockpit/bangfu"
        try? FileManager.default.removeItem(atPath: package)
        try FileManager.default.copyItem(atPath: D.root.appendingPathComponent("cockpit/bangfu").path, toPath: package)
        let manifest = try String(contentsOfFile: "\(package)/manifest.json", encoding: .utf8)
        try manifest.replacingOccurrences(of: "\"/usr/bin/bangfuctl\"", with: "\"\(programs)/bangfuctl\"")
            .write(toFile: "\(package)/manifest.json", atomically: true, encoding: .utf8)

        for person in Self.people { try Self.account(uid: person.uid, name: person.name, password: password) }

        let port = Int.random(in: 20_000...40_000)
        webServer.executableURL = URL(fileURLWithPath: Self.cockpitWS)
        webServer.arguments = ["--no-tls", "--address", "127.0.0.1", "--port", String(port)]
        webServer.standardOutput = FileHandle.nullDevice
        webServer.standardError = FileHandle.nullDevice
        try webServer.run()
        base = "http://127.0.0.1:\(port)"
        var up = false
        for _ in 0..<50 where !up {
            up = (try D.run([D.python], ["-c", "import urllib.request; urllib.request.urlopen('\(base)/')"])).0 == 0
            if !up { Thread.sleep(forTimeInterval: 0.2) }
        }
        try #require(up, "cockpit-ws did not answer on \(base)")
        screenshots = ProcessInfo.processInfo.environment["BANGFU_SCREENSHOTS"] ?? "/tmp/bangfu-console-screenshots"
        try? FileManager.default.removeItem(atPath: "\(screenshots)/downloads")
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
    }

    deinit {
        // cockpit-ws outlives SIGTERM while it still has sessions: kill it.
        kill(webServer.processIdentifier, SIGKILL)
        webServer.waitUntilExit()
        for person in Self.people {
            _ = try? D.run(["/usr/bin/pkill"], ["-KILL", "-u", String(person.uid)])
            _ = try? D.run(["/usr/sbin/userdel"], ["-f", person.name])
        }
        try? FileManager.default.removeItem(atPath: Self.consoleSocket)
        try? FileManager.default.removeItem(atPath: programs)
        try? FileManager.default.removeItem(atPath: "\(screenshots)/downloads")
    }

    /// Logs in as `user` and does `step` by clicking (Tests/Console/console_flow.py); what the page said.
    func click(_ step: String, as user: String, _ subject: String = "") throws -> String {
        let flow = D.root.appendingPathComponent("Tests/Console/console_flow.py").path
        let (code, out, err) = try D.run([D.python], [flow, base, password, screenshots, step, user, subject])
        try #require(code == 0, "\(step) as \(user):\n\(out)\n\(err)")
        return out
    }

    /// A login account for a test uid: a new one, or the one an interrupted run left.
    static func account(uid: UInt32, name: String, password: String) throws {
        if (try D.run(["/usr/bin/getent"], ["group", String(D.gid)])).0 != 0 {
            _ = try D.run(["/usr/sbin/groupadd"], ["-g", String(D.gid), "bangfu-test"])
        }
        let (found, entry, _) = try D.run(["/usr/bin/getent"], ["passwd", String(uid)])
        if found == 0, let existing = entry.split(separator: ":").first {
            try #require(existing == name, "uid \(uid) belongs to \(existing), not to the test")
            _ = try D.run(["/usr/sbin/usermod"], ["-s", "/bin/bash", "-g", String(D.gid), name])
        } else {
            let (made, _, err) = try D.run(
                ["/usr/sbin/useradd"],
                ["-u", String(uid), "-g", String(D.gid), "-M", "-d", "/tmp", "-s", "/bin/bash", name])
            try #require(made == 0, "useradd \(name): \(err)")
        }
        let (set, _, err) = try D.run(["/usr/sbin/chpasswd"], [], stdin: "\(name):\(password)\n")
        try #require(set == 0, "chpasswd: \(err)")
    }
}
