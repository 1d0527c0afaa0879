import BangfuVarlink
import BangfuWire
import CBenchSupport
import Foundation
import Testing

/// The real bangfud on a temp socket, driven by bangfuctl as different uids.
@Suite(.serialized) struct DaemonLifecycleTests {
    typealias D = LiveDaemon

    /// Archive, file, submit, review and approve a case; returns its number.
    func approvedCase(_ d: LiveDaemon) throws -> String {
        _ = try d.ctlJSON(
            D.tr,
            [
                "fund", "create", "f1", "--name", "帮扶资金", "--unit", "county", "--source", "union_funds", "--help-type",
                "hardship-relief",
            ])
        _ = try d.ctlJSON(D.tr, ["fund", "deposit", "f1", "20000", "--memo", "拨款"])
        let archive = try d.ctlJSON(D.cw, ["archive", "create", "--file", try D.sampleArchive()])
        let archiveNo = try #require(archive["archiveNo"]?.string)
        #expect(archive["category"]?.string == "deep")
        let filed = try d.ctlJSON(
            D.cw, ["case", "file", archiveNo, "hardship-relief", "--form", "cause=serious_illness"])
        let caseNo = try #require(filed["caseNo"]?.string)
        #expect(filed["state"]?.string == "draft")
        #expect(try d.ctlJSON(D.cw, ["case", "submit", caseNo])["state"]?.string == "submitted")
        #expect(
            try d.ctlJSON(D.rv, ["case", "pass", caseNo, "--comment", "入户核实"])["state"]?.string
                == "branch_review_passed")
        let approved = try d.ctlJSON(D.ap, ["case", "approve", caseNo])
        #expect(approved["state"]?.string == "in_notice")
        #expect(approved["plan"]?["total"]?.int == 500_000)
        // 5 working days on the synthetic calendar: 02-14 (make-up), 15, 16, 17, 18; passes 02-19 00:00.
        #expect(approved["noticeDeadline"]?.string == "2027-02-19T00:00:00+08:00")
        return caseNo
    }

    func state(_ d: LiveDaemon, _ caseNo: String) throws -> String? {
        try d.ctlJSON(D.au, ["case", "get", caseNo])["case"]?["state"]?.string
    }

    @Test func fullLifecycleAndTheNoticeDeadlineToTheMinute() throws {
        let d = try LiveDaemon()
        let caseNo = try approvedCase(d)
        // 2027-02-04 09:00 -> 2027-02-18 23:59: one minute before the deadline.
        _ = try d.ctlJSON(nil, ["clock", "advance", "14d14h59m"])
        #expect(try state(d, caseNo) == "in_notice")
        _ = try d.ctlJSON(nil, ["clock", "advance", "1m"])
        #expect(try state(d, caseNo) == "disbursing")
        let paid = try d.ctlJSON(D.tr, ["case", "pay", caseNo, "--fund", "f1"])
        #expect(paid["payment"]?["amount"]?.int == 500_000 && paid["case"]?["state"]?.string == "closed")
        let again = try d.ctlJSON(D.tr, ["case", "pay", caseNo, "--fund", "f1"])
        #expect(again["payment"]?["alreadyPaid"]?.boolValue == true)
        // Issue 13.20: as a person reads it, the payment names the payee and the masked account.
        let (_, voucher, _) = try d.ctl(D.tr, ["case", "pay", caseNo, "--fund", "f1"], lang: "zh_CN.UTF-8")
        #expect(voucher.contains("收款人 张三明，账户 6222 **** 0001") && !voucher.contains("6222000000000000001"), "\(voucher)")
        let funds = try d.ctlJSON(D.tr, ["fund", "list"])
        #expect(funds["funds"]?.array?.first?["balance"]?.int == 1_500_000)
        #expect(try d.ctlJSON(D.au, ["verify"])["ok"]?.boolValue == true)
        // The human output is Chinese by default, English with LANG=en_US.UTF-8.
        #expect(try d.ctl(D.au, ["case", "get", caseNo], lang: "zh_CN.UTF-8").1.contains("已办结"))
        #expect(try d.ctl(D.au, ["case", "get", caseNo]).1.contains("closed"))
        // A daemon on SQLite never loads PostgreSQL's client library (issue 17: idle memory).
        let pid = try #require(d.process?.processIdentifier)
        // Read to the end: `String(contentsOfFile:)` stops after the first page of a /proc file.
        let mapsFile = try #require(FileHandle(forReadingAtPath: "/proc/\(pid)/maps"))
        let maps = String(decoding: mapsFile.readDataToEndOfFile(), as: UTF8.self)
        let (readable, loadsLibpq) = (maps.contains("libsqlite3.so"), maps.contains("libpq.so"))
        #expect(readable && !loadsLibpq, "a daemon on SQLite mapped libpq")
    }

    @Test func theNoticeSurvivesARestartAndFiresOnceAfterDowntime() throws {
        let d = try LiveDaemon()
        let caseNo = try approvedCase(d)
        _ = try d.ctlJSON(nil, ["clock", "advance", "5d"])
        try d.restart()
        #expect(
            try d.ctlJSON(nil, ["clock"])["now"]?.string == "2027-02-09T09:00:00+08:00",
            "the manual clock resumes where it stopped")
        #expect(try state(d, caseNo) == "in_notice")
        d.stop()
        // While stopped, time passes (the clock file moves on, as the wall clock would).
        let clockFile = d.dir.appendingPathComponent("clock").path
        let later = Int64(
            (ISO8601DateFormatter().date(from: "2027-02-20T10:00:00+08:00")!.timeIntervalSince1970) * 1000)
        try String(later).write(toFile: clockFile, atomically: true, encoding: .utf8)
        try d.start(clock: "manual")
        // The timer fires what fell due while stopped, at start, once.
        var s = try state(d, caseNo)
        for _ in 0..<50 where s != "disbursing" {
            Thread.sleep(forTimeInterval: 0.05)
            s = try state(d, caseNo)
        }
        #expect(s == "disbursing")
        let events = try d.ctlJSON(D.au, ["case", "get", caseNo])["events"]?.array ?? []
        #expect(events.filter { $0["event"]?.string == "notice_elapsed" }.count == 1)
        // The manual clock never goes back.
        try d.restart()
        #expect(try d.ctlJSON(nil, ["clock"])["now"]?.string == "2027-02-20T10:00:00+08:00")
    }

    @Test func aCallerWithoutTheRoleIsRefusedAndLogged() throws {
        let d = try LiveDaemon()
        let caseNo = try approvedCase(d)
        let (code, _, err) = try d.ctl(D.nobody, ["case", "get", caseNo])
        #expect(code == 4, "\(err)")
        // Refused before any record is read: the roles it would need, and not the case's unit.
        #expect(err.contains("may not call org.bangfu.Cases.Get") && err.contains("caseworker"), "\(err)")
        let (_, _, chinese) = try d.ctl(D.nobody, ["case", "get", caseNo], lang: "zh_CN.UTF-8")
        #expect(chinese.contains("无权") && chinese.contains("经办人") && !chinese.contains("b1"), "\(chinese)")
        // A reviewer cannot approve (role), a treasurer of the unit cannot file.
        #expect(try d.ctl(D.rv, ["case", "approve", caseNo]).0 == 4)
        #expect(try d.ctl(D.tr, ["archive", "create", "--file", try D.sampleArchive()]).0 == 4)
        // The clock is the administrator's: refused for everyone else.
        #expect(try d.ctl(D.ap, ["clock", "advance", "1d"]).0 == 4)
        #expect(
            D.waitUntil { d.log().contains("uid \(D.nobody)") && d.log().contains(WireMethod.casesGet.rawValue) },
            "refusals go to the security log with the uid")
        // Identity is never taken from parameters.
        let (c2, _, _) = try LiveDaemon.run(
            ["/usr/bin/setpriv", "--reuid=\(D.nobody)", "--regid=\(D.gid)", "--clear-groups", D.python],
            [
                "-c",
                """
                import varlink
                # AdvanceClock succeeds for root (uid 0): a caller claiming uid 0 in its parameters must
                # still be refused as who it is, and with nothing but PermissionDenied.
                with varlink.Client(address='unix:\(d.socket)') as c, c.open('org.bangfu.Admin') as admin:
                    try:
                        admin.AdvanceClock(seconds=60, uid=0, user='root')
                        raise SystemExit(1)
                    except varlink.VarlinkError as e:
                        raise SystemExit(0 if e.error() == 'org.varlink.service.PermissionDenied' else 2)
                """,
            ])
        #expect(c2 == 0, "a caller claiming uid 0 in its parameters was not refused as itself")
        // And root itself may: the same call works for the real uid 0.
        #expect(try d.call(WireMethod.adminAdvanceClock.rawValue, ["seconds": .int(60)]).first?["now"] != nil)
    }

    /// Issue 13.18: wrong usage exits 2, as the README says, in the user's language.
    @Test func wrongUsageExitsTwo() throws {
        for arguments in [
            ["case", "get"], ["fund", "deposit", "f1"], ["no-such-command"], ["status", "--no-such-flag"],
        ] {
            let (code, _, err) = try LiveDaemon.run(
                [LiveDaemon.bin + "/bangfuctl"], arguments, env: ["LANG": "zh_CN.UTF-8"])
            #expect(code == 2 && err.contains("用法错误"), "\(arguments): \(code) \(err)")
            // The parser's own words are said in Chinese too.
            #expect(!["Missing", "Unexpected", "Unknown", "Error"].contains { word in err.contains(word) }, "\(err)")
        }
        #expect(try LiveDaemon.run([LiveDaemon.bin + "/bangfuctl"], ["--help"]).0 == 0)
    }

    /// Issue 13.12: the manual clock makes a missing state directory, as bangfud does without it.
    @Test func aManualClockMakesAMissingStateDirectory() throws {
        let parent = "/tmp/bangfud-state-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let nested = parent + "/a/b"
        let d = try LiveDaemon(extraArgs: ["--state-dir", nested])
        #expect(try d.ctlJSON(nil, ["status"])["database"]?.string == nested + "/bangfu.sqlite")
        #expect(FileManager.default.fileExists(atPath: nested + "/clock"))
    }

    @Test func requestIdsSurviveARestart() throws {
        let d = try LiveDaemon()
        _ = try d.ctlJSON(
            D.tr,
            [
                "fund", "create", "f1", "--name", "帮扶资金", "--unit", "county", "--source", "union_funds", "--help-type",
                "hardship-relief",
            ])
        let first = try d.ctlJSON(D.tr, ["fund", "deposit", "f1", "1000", "--memo", "拨款", "--request-id", "dep-1"])
        #expect(first["balance"]?.int == 100_000)
        try d.restart()
        let retry = try d.ctlJSON(D.tr, ["fund", "deposit", "f1", "1000", "--memo", "拨款", "--request-id", "dep-1"])
        #expect(retry == first, "a retry returns the first answer")
        #expect(
            try d.ctlJSON(D.tr, ["fund", "list"])["funds"]?.array?.first?["balance"]?.int == 100_000,
            "and pays in nothing more")
        let (code, _, err) = try d.ctl(
            D.tr, ["fund", "deposit", "f1", "2000", "--memo", "拨款", "--request-id", "dep-1"])
        #expect(code == 1 && err.contains("RequestIdReused"))
        // Ids are per caller: another treasurer-less caller cannot replay it, and the same id of another uid is separate.
        #expect(try d.ctl(D.au, ["fund", "deposit", "f1", "1000", "--memo", "拨款", "--request-id", "dep-1"]).0 == 4)
        // Replies are kept 30 days (request_log.reply_days): after that a retry is refused, and pays nothing.
        _ = try d.ctlJSON(nil, ["clock", "advance", "29d"])
        #expect(
            try d.ctlJSON(D.tr, ["fund", "deposit", "f1", "1000", "--memo", "拨款", "--request-id", "dep-1"]) == first)
        _ = try d.ctlJSON(nil, ["clock", "advance", "2d"])
        let (expired, _, expiredErr) = try d.ctl(
            D.tr, ["fund", "deposit", "f1", "1000", "--memo", "拨款", "--request-id", "dep-1"])
        #expect(expired == 1 && expiredErr.contains("RequestExpired"), "\(expiredErr)")
        #expect(try d.ctlJSON(D.tr, ["fund", "list"])["funds"]?.array?.first?["balance"]?.int == 100_000)
    }

    @Test func malformedInputGetsAnErrorOrAClosedConnectionAndTheDaemonCarriesOn() throws {
        let d = try LiveDaemon()
        func raw(_ bytes: [UInt8]) throws -> String? {
            let c = try VarlinkClient(path: d.socket, timeoutSeconds: 5)
            // The daemon may close before all of a too-large message is written.
            try? c.send(Data(bytes))
            return try? String(decoding: c.receive(), as: UTF8.self)
        }
        #expect(try raw(Array("this is not json".utf8) + [0])?.contains("InvalidParameter") == true)
        #expect(try raw(Array("{\"method\": 12}".utf8) + [0])?.contains("InvalidParameter") == true)
        #expect(try raw(Array("{\"method\":\"org.bangfu.Nope.X\"}".utf8) + [0])?.contains("InterfaceNotFound") == true)
        #expect(try raw(Array("{\"method\":\"org.bangfu.Cases.Nope\"}".utf8) + [0])?.contains("MethodNotFound") == true)
        #expect(try raw(Array("{\"method\":\"org.bangfu.Cases.List\"}".utf8) + [0])?.contains("ExpectedMore") == true)
        #expect(
            try raw(Array("{\"method\":\"org.bangfu.Cases.Get\",\"parameters\":{\"caseNo\":12}}".utf8) + [0])?.contains(
                "InvalidParameter") == true)
        #expect(try raw([0xff, 0xfe, 0x00])?.contains("InvalidParameter") == true)
        // Deep nesting and huge numbers are refused as parameters, not crashes.
        #expect(try raw(Array(String(repeating: "[", count: 100_000).utf8) + [0])?.contains("InvalidParameter") == true)
        #expect(
            try raw(
                Array("{\"method\":\"org.bangfu.Admin.AdvanceClock\",\"parameters\":{\"seconds\":1e400}}".utf8) + [0])?
                .contains("error") == true)
        // A message over the limit (1 MiB) closes the connection.
        #expect(try raw(Array(repeating: UInt8(ascii: "a"), count: 2 << 20)) == nil)
        // And the daemon still answers.
        #expect(try d.call("org.varlink.service.GetInfo").first?["product"]?.stringValue == "bangfud")
    }

    @Test func twoHundredConnectionsAtOnce() throws {
        let d = try LiveDaemon()
        // From two users: one user may hold at most `limits.connections_per_user` (128 here).
        let clients = try (0..<200).map { index in
            guard index % 2 == 1 else { return try VarlinkClient(path: d.socket, timeoutSeconds: 30) }
            let descriptor = bangfu_connect_as(d.socket, D.cw, D.gid)
            guard descriptor >= 0 else { throw DaemonTestError("cannot connect as \(D.cw)") }
            return VarlinkClient(connectedSocket: descriptor)
        }
        let answers = try clients.map { try $0.call(WireMethod.adminGetClock.rawValue) }
        #expect(answers.count == 200 && answers.allSatisfy { $0.first?["manual"]?.boolValue == true })
        let status = try d.call(WireMethod.adminStatus.rawValue).first
        #expect((status?["connections"].flatMap { if case .int(let i) = $0 { i } else { nil } } ?? 0) >= 200)
    }
}

extension JSONValue {
    var array: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
}

@Suite struct PayAtNoticeEndTests {
    typealias D = LiveDaemon

    @Test func theDaemonPaysFromTheNearestFundWhenConfigured() throws {
        let d = try LiveDaemon(yaml: LiveDaemon.yaml + "\ndisbursement:\n  pay_at_notice_end: true\n")
        _ = try d.ctlJSON(
            D.tr,
            [
                "fund", "create", "small", "--name", "小额", "--unit", "county", "--source", "union_funds", "--help-type",
                "hardship-relief",
            ])
        _ = try d.ctlJSON(D.tr, ["fund", "deposit", "small", "100", "--memo", "拨款"])
        _ = try d.ctlJSON(
            D.tr,
            [
                "fund", "create", "big", "--name", "大额", "--unit", "county", "--source", "union_funds", "--help-type",
                "hardship-relief",
            ])
        _ = try d.ctlJSON(D.tr, ["fund", "deposit", "big", "20000", "--memo", "拨款"])
        let archiveNo = try #require(
            try d.ctlJSON(D.cw, ["archive", "create", "--file", try D.sampleArchive()])["archiveNo"]?.string)
        let caseNo = try #require(
            try d.ctlJSON(D.cw, ["case", "file", archiveNo, "hardship-relief", "--form", "cause=disaster"])["caseNo"]?
                .string)
        _ = try d.ctlJSON(D.cw, ["case", "submit", caseNo])
        _ = try d.ctlJSON(D.rv, ["case", "pass", caseNo])
        _ = try d.ctlJSON(D.ap, ["case", "approve", caseNo])
        _ = try d.ctlJSON(nil, ["clock", "advance", "16d"])
        let got = try d.ctlJSON(D.au, ["case", "get", caseNo])
        #expect(got["case"]?["state"]?.string == "closed")
        #expect(got["payments"]?.array?.first?["fundId"]?.string == "big", "the fund with too little is passed over")
        #expect(got["payments"]?.array?.first?["paidBy"]?.string == "system")
    }
}
