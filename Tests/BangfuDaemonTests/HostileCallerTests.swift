import BangfuLoad
import BangfuVarlink
import BangfuWire
import CBenchSupport
import Foundation
import Testing

/// What a local user holding a real grant tried against the landed daemon, each now answered with
/// a typed error while the daemon keeps serving.
@Suite(.serialized) struct HostileCallerTests {
    typealias D = LiveDaemon

    /// A connection as `uid` (the daemon knows the caller by SO_PEERCRED only).
    static func connect(_ d: LiveDaemon, as uid: UInt32) throws -> VarlinkClient {
        let descriptor = bangfu_connect_as(d.socket, uid, D.gid)
        guard descriptor >= 0 else { throw DaemonTestError("cannot connect as \(uid)") }
        return VarlinkClient(connectedSocket: descriptor)
    }

    /// The error name and parameters of a call that must fail; records an issue when it succeeds.
    static func refusal(_ client: VarlinkClient, _ method: String, _ params: [String: JSONValue], more: Bool = false)
        -> (String, [String: JSONValue])
    {
        do {
            let reply = try client.call(method, params, more: more)
            Issue.record("\(method) \(params) succeeded: \(reply)")
            return ("", [:])
        } catch let error as VarlinkError {
            return (error.name, error.parameters)
        } catch {
            Issue.record("\(method): no reply (\(error))")
            return ("", [:])
        }
    }

    @Test func hugeAmountsAreRefusedAndTheDaemonKeepsServing() throws {
        let d = try LiveDaemon()
        let caseworker = try Self.connect(d, as: D.cw)
        // The call that crashed bangfud: an income of 10^17 fen (Category.swift's `net * 100`).
        var archive = LoadClient.archive(1).objectValue!
        archive["annualIncome"] = .int(100_000_000_000_000_000)
        let (name, params) = Self.refusal(caseworker, WireMethod.archiveCreate.rawValue, ["archive": .object(archive)])
        #expect(name == "org.bangfu.Archive.InvalidInput")
        #expect(params["messageEn"]?.stringValue?.contains("annualIncome") == true, "\(params)")
        #expect(d.process?.isRunning == true)
        // Every amount of an archive, at the edges of the documented range.
        let catalogue: [(String, JSONValue)] = [
            ("annualIncome", .int(Int64.max)), ("annualIncome", .int(100_000_000_001)),
            ("rigidExpenses", .int(Int64.max)),
            ("accidentCosts", .int(100_000_000_001)), ("annualIncome", .int(-1)),
        ]
        for (field, value) in catalogue {
            var bad = LoadClient.archive(2).objectValue!
            bad[field] = value
            let (name, _) = Self.refusal(caseworker, WireMethod.archiveCreate.rawValue, ["archive": .object(bad)])
            #expect(name == "org.bangfu.Archive.InvalidInput", "\(field) = \(value)")
        }
        // The largest income allowed is assessed, not trapped on.
        var largest = LoadClient.archive(3).objectValue!
        largest["annualIncome"] = .int(100_000_000_000)
        let (notEligible, _) = Self.refusal(
            caseworker, WireMethod.archiveCreate.rawValue, ["archive": .object(largest)])
        #expect(notEligible == "org.bangfu.Archive.NotEligible")

        // Deposits: a treasurer's typo cannot break a fund for ever.
        let treasurer = try Self.connect(d, as: D.tr)
        _ = try treasurer.call(
            "org.bangfu.Funds.Create",
            [
                "id": .string("f1"), "name": .string("帮扶资金"), "unitId": .string("county"),
                "source": .string("union_funds"), "helpTypes": .array([.string("hardship-relief")]),
            ])
        for amount: Int64 in [0, -1, 100_000_000_001, 9_000_000_000_000_000_000, Int64.max, Int64.min] {
            let (name, params) = Self.refusal(
                treasurer, WireMethod.fundsDeposit.rawValue,
                ["fundId": .string("f1"), "amount": .int(amount), "memo": .string("误输")])
            #expect(name == "org.bangfu.Funds.InvalidInput", "deposit \(amount)")
            #expect(params["messageEn"]?.stringValue?.contains("amount") == true, "deposit \(amount): \(params)")
        }
        // The balance is bounded too: ten thousand deposits of the largest amount reach it exactly.
        _ = try treasurer.call(
            "org.bangfu.Funds.Deposit",
            ["fundId": .string("f1"), "amount": .int(100_000_000_000), "memo": .string("最大一笔")])
        let statement = try treasurer.call(
            "org.bangfu.Funds.Statement", ["from": .string("2027-01-01"), "to": .string("2027-12-31")])
        #expect(statement.first?["funds"] != nil, "the statement still reads")
        // The clock: zero, negative and past the year 2200 refused.
        for seconds: Int64 in [0, -1, Int64.max, 317 * 366 * 86_400] {
            let (name, _) = Self.refusal(
                try VarlinkClient(path: d.socket), WireMethod.adminAdvanceClock.rawValue, ["seconds": .int(seconds)])
            #expect(name == "org.bangfu.Admin.InvalidInput", "advance \(seconds)")
        }
        // Repayments and instalments with absurd numbers on a case that does not exist.
        let (repay, _) = Self.refusal(
            treasurer, WireMethod.casesReceiveRepayment.rawValue,
            ["caseNo": .string("BF-2027-999999"), "amount": .int(Int64.max), "fundId": .string("f1")])
        #expect(repay == "org.bangfu.Cases.NotFound")
        let (pay, _) = Self.refusal(
            treasurer, WireMethod.casesPay.rawValue,
            ["caseNo": .string("BF-2027-999999"), "instalment": .int(Int64.max), "fundId": .string("f1")])
        #expect(pay == "org.bangfu.Cases.NotFound")
        #expect(d.process?.isRunning == true)
        #expect(try d.call(WireMethod.adminVerifyAudit.rawValue).first?["ok"]?.boolValue == true)
    }

    /// A configuration with small limits: 4 connections per user, 1 s for a message to arrive whole,
    /// and an admin whose grant is on the branch only.
    static let limitedYAML =
        LiveDaemon.yaml
        .replacingOccurrences(
            of: "connections_per_user: 128", with: "connections_per_user: 4\n  message_deadline_seconds: 1")
        + "\n  - { user: \"uid:61008\", role: admin, unit: b1 }\n"

    @Test func oneUserAtItsCapCannotLockOutAnother() throws {
        let d = try LiveDaemon(yaml: Self.limitedYAML)
        var held = try (0..<4).map { _ in try Self.connect(d, as: D.cw) }
        for client in held { _ = try client.call(WireMethod.adminGetClock.rawValue) }
        // The fifth connection of the same user is closed unanswered.
        let fifth = try Self.connect(d, as: D.cw)
        #expect(throws: (any Error).self) { try fifth.call(WireMethod.adminGetClock.rawValue) }
        // Another user is served meanwhile.
        let other = try Self.connect(d, as: D.rv)
        #expect(try other.call(WireMethod.adminGetClock.rawValue).first?["manual"]?.boolValue == true)
        // The refusal reached the security log, with the uid.
        let logged = try waitFor { d.log().contains("refused connect for uid \(D.cw)") }
        #expect(logged, "the refused connection is in the security log")
        // Closing one of the four lets the user in again.
        held.removeFirst()
        let again = try waitFor { (try? Self.connect(d, as: D.cw).call(WireMethod.adminGetClock.rawValue)) != nil }
        #expect(again)
    }

    @Test func aSlowSenderIsCutOffAtTheDeadline() throws {
        let d = try LiveDaemon(yaml: Self.limitedYAML)
        // One byte every 0.2 s, never a whole message: the idle timer alone would never fire.
        let script = """
            import socket, sys, time
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(0.2)
            sent = 0
            for i in range(100):
                try:
                    s.sendall(b"{")
                    sent += 1
                    if s.recv(1) == b"":
                        print("closed", sent); sys.exit(0)
                except socket.timeout:
                    continue
                except OSError:
                    print("closed", sent); sys.exit(0)
            print("open", sent)
            """
        let (code, out, err) = try LiveDaemon.run(["/usr/bin/python3"], ["-c", script, d.socket])
        #expect(code == 0, "\(err)")
        #expect(out.hasPrefix("closed"), "a sender that never finishes its message is cut off: \(out)")
        #expect(try d.call("org.varlink.service.GetInfo").first?["product"]?.stringValue == "bangfud")
    }

    /// A client that sends calls and never reads the replies: the daemon stops reading it once its
    /// replies wait, so the client is held back by the kernel (its sends block) instead of filling
    /// the daemon's memory with answers; once it reads, every call is answered, in order.
    @Test func aClientThatNeverReadsIsHeldBack() throws {
        let d = try LiveDaemon()
        let script = """
            import socket, sys, threading, time
            call = b'{"method":"org.varlink.service.GetInfo"}\\0'
            cap = 4 << 20
            data = memoryview(call * (cap // len(call) + 1))
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.setblocking(False)
            sent, last = 0, time.monotonic()
            while sent < cap and time.monotonic() - last < 1.0:
                try:
                    sent += s.send(data[sent:sent + 65536]); last = time.monotonic()
                except BlockingIOError:
                    time.sleep(0.01)
            held = sent
            calls = -(-sent // len(call))
            s.setblocking(True); s.settimeout(30)
            rest = threading.Thread(target=s.sendall, args=(data[sent:calls * len(call)],)); rest.start()
            replies = 0
            while replies < calls:
                chunk = s.recv(1 << 16)
                if not chunk: break
                replies += chunk.count(b"\\0")
            rest.join()
            print(held, calls, replies)
            """
        let (code, out, err) = try LiveDaemon.run(["/usr/bin/python3"], ["-c", script, d.socket])
        #expect(code == 0, "\(err)")
        let figures = out.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(figures.count == 3, "\(out)")
        // The kernel's buffers and one read's frames: a few hundred KiB, far from the 4 MiB offered.
        #expect(figures[0] < 1 << 20, "the daemon read \(figures[0]) bytes of calls whose replies nobody read")
        #expect(figures[2] == figures[1], "every call answered once the client read: \(out)")
        #expect(try d.call("org.varlink.service.GetInfo").first?["product"]?.stringValue == "bangfud")
    }

    @Test func wholeSystemOperationsNeedTheTopUnit() throws {
        let d = try LiveDaemon(yaml: Self.limitedYAML)
        let branchAdmin = try Self.connect(d, as: 61008)
        for (method, params) in [
            (
                WireMethod.adminBackup.rawValue,
                ["path": JSONValue.string(d.dir.appendingPathComponent("b.sqlite").path)]
            ),
            (WireMethod.adminReload.rawValue, [:]), (WireMethod.adminAdvanceClock.rawValue, ["seconds": .int(60)]),
            (WireMethod.adminVerifyAudit.rawValue, [:]),
        ] {
            let (name, _) = Self.refusal(branchAdmin, method, params)
            #expect(name == "org.varlink.service.PermissionDenied", "\(method) by an admin of branch b1")
        }
        // The auditor granted on the city (the top unit) verifies the whole chain.
        #expect(
            try Self.connect(d, as: D.au).call(WireMethod.adminVerifyAudit.rawValue).first?["ok"]?.boolValue == true)
    }

    @Test func listingsComeInPagesWithAnOpaqueCursor() throws {
        let d = try LiveDaemon()
        let caseworker = try Self.connect(d, as: D.cw)
        var created: [String] = []
        for n in 0..<5 {
            let reply = try caseworker.call(WireMethod.archiveCreate.rawValue, ["archive": LoadClient.archive(100 + n)])
            created.append(try #require(reply.first?["household"]?["archiveNo"]?.string))
        }
        var seen: [String] = []
        var after: JSONValue = .null
        var pages = 0
        repeat {
            var params: [String: JSONValue] = ["limit": .int(2)]
            if after != .null { params["after"] = after }
            let replies = try caseworker.call(WireMethod.archiveList.rawValue, params, more: true)
            #expect(replies.count <= 2)
            seen += replies.compactMap { $0["archive"]?["archiveNo"]?.string }
            after = replies.last?["next"] ?? .null
            pages += 1
        } while after != .null && pages < 10
        #expect(pages == 3 && seen == created, "pages \(pages): \(seen)")
        for (limit, cursor) in [
            (JSONValue.int(0), JSONValue.null), (.int(1_001), .null), (.int(-1), .null), (.int(2), .string("12")),
        ] {
            var params: [String: JSONValue] = ["limit": limit]
            if cursor != .null { params["after"] = cursor }
            let (name, _) = Self.refusal(caseworker, WireMethod.archiveList.rawValue, params, more: true)
            #expect(name == "org.bangfu.Archive.InvalidInput", "limit \(limit) after \(cursor)")
        }
        // bangfuctl follows the pages itself.
        let listed = try d.ctlJSON(D.cw, ["archive", "list"])
        #expect(listed.array?.count == 5)
    }

    /// Polls `condition` for up to 10 s.
    func waitFor(_ condition: () throws -> Bool) throws -> Bool {
        for _ in 0..<200 {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }
}
