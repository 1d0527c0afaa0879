import BangfuLoad
import BangfuVarlink
import BangfuWire
import Foundation
import GRDB
import Synchronization
import Testing

/// Losing nothing: backups under load, a full disk, SIGKILL rounds, SIGTERM under load.
@Suite(.serialized) struct DurabilityTests {
    typealias D = LiveDaemon

    /// Runs `body(i)` for i = 0, 1, 2, ... on a thread until stopped; keeps which calls bangfud acknowledged.
    final class Load: @unchecked Sendable {
        final class State: @unchecked Sendable {
            let lock = NSLock()
            var ackedCalls: [Int] = []
            var attempted = 0
            var running = true
        }
        let state = State()
        var thread: Thread!

        init(_ body: @escaping @Sendable (Int) -> Bool) {
            let state = self.state
            thread = Thread {
                var i = 0
                while state.lock.withLock({ state.running }) {
                    let acknowledged = body(i)
                    state.lock.withLock {
                        if acknowledged { state.ackedCalls.append(i) }
                        state.attempted = i + 1
                    }
                    i += 1
                }
            }
            thread.start()
        }

        var acked: Int { state.lock.withLock { state.ackedCalls.count } }
        /// The calls acknowledged so far, by their number.
        var ackedCalls: [Int] { state.lock.withLock { state.ackedCalls } }
        /// How many calls were started (acknowledged or not).
        var attempted: Int { state.lock.withLock { state.attempted } }

        func stop() {
            state.lock.withLock { state.running = false }
            while !thread.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        }
    }

    func fund(_ d: LiveDaemon) throws {
        _ = try d.ctlJSON(
            D.tr,
            [
                "fund", "create", "f1", "--name", "帮扶资金", "--unit", "county", "--source", "union_funds", "--help-type",
                "hardship-relief",
            ])
    }

    /// The auditor's way: a checkpoint bangfud signed and its public key, checked against a copy
    /// offline; a checkpoint signed by another key, or altered, is refused.
    @Test func aSignedCheckpointChecksACopyOffline() throws {
        let d = try LiveDaemon()
        try fund(d)
        let key = d.dir.appendingPathComponent("checkpoint-key").path
        let mode = (try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600, "the signing key made on first start is bangfud's alone")
        #expect(try d.ctlJSON(D.au, ["status"])["checkpointKey"]?.string == "state_directory")
        // Written by the auditor's own account.
        let out = d.dir.appendingPathComponent("auditor").path
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: out)
        let checkpoint = out + "/checkpoint.txt"
        let publicKey = out + "/checkpoint.pub"
        #expect(try d.ctl(D.au, ["checkpoint", "export", "--output", checkpoint, "--public-key", publicKey]).0 == 0)
        #expect(try d.ctl(D.cw, ["checkpoint", "export", "--output", "/tmp/x", "--public-key", "/tmp/y"]).0 == 4)
        _ = try d.ctlJSON(D.tr, ["fund", "deposit", "f1", "1", "--memo", "after"])
        let copy = d.dir.appendingPathComponent("copy").path
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        _ = try d.ctlJSON(nil, ["backup", copy + "/bangfu.sqlite"])
        func offline(_ checkpointFile: String, _ keyFile: String) throws -> Int32 {
            try LiveDaemon.run(
                [D.bin + "/bangfu-db"],
                ["verify", "--state-dir", copy, "--checkpoint", checkpointFile, "--public-key", keyFile]
            ).0
        }
        #expect(try offline(checkpoint, publicKey) == 0)
        // Another key: 32 other bytes.
        let otherKey = d.dir.appendingPathComponent("other.pub").path
        try (Data(repeating: 7, count: 32).base64EncodedString() + "\n").write(
            toFile: otherKey, atomically: true, encoding: .utf8)
        #expect(try offline(checkpoint, otherKey) != 0)
        // The head's sequence number changed by hand.
        let text = try String(contentsOfFile: checkpoint, encoding: .utf8)
        let altered = d.dir.appendingPathComponent("altered.txt").path
        try text.replacingOccurrences(of: "seq: ", with: "seq: 1").write(
            toFile: altered, atomically: true, encoding: .utf8)
        #expect(try offline(altered, publicKey) != 0)
    }

    @Test func backupUnderLoadHoldsEverythingAcknowledgedBefore() throws {
        let d = try LiveDaemon()
        try fund(d)
        let load = Load { i in
            (try? d.ctl(D.tr, ["fund", "deposit", "f1", "1", "--memo", "load", "--request-id", "b\(i)"]).0) == 0
        }
        // The backup starts with the load going: twenty deposits acknowledged first.
        #expect(D.waitUntil(seconds: 30) { load.acked >= 20 })
        let before = load.acked
        let ackedBefore = load.ackedCalls
        let path = d.dir.appendingPathComponent("backup.sqlite").path
        let r = try d.ctlJSON(nil, ["backup", path])
        load.stop()
        #expect(r["path"]?.string == path && before > 0)
        // The head the backup holds, kept outside it, pins it: the live database still holds it, as the
        // copy does offline; a head it never had is refused.
        let head = try #require(r["head"]?.string)
        #expect(try d.ctlJSON(D.au, ["verify", "--anchor", head])["ok"]?.boolValue == true)
        #expect(try d.ctl(D.au, ["verify", "--anchor", "1:" + String(repeating: "0", count: 64)]).0 == 1)
        // The copy opens, verifies and holds every deposit acknowledged before the backup began.
        let (code, out, err) = try LiveDaemon.run(
            [D.bin + "/bangfu-db"], ["verify", "--state-dir", d.dir.path + "/restore", "--json"])
        #expect(code != 0, "no database there yet: \(out)\(err)")
        try FileManager.default.createDirectory(atPath: d.dir.path + "/restore", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: path, toPath: d.dir.path + "/restore/bangfu.sqlite")
        let (c2, out2, _) = try LiveDaemon.run(
            [D.bin + "/bangfu-db"], ["verify", "--state-dir", d.dir.path + "/restore", "--json", "--anchor", head])
        let report = try JSONDecoder().decode(JSONValue.self, from: Data(out2.utf8))
        #expect(c2 == 0 && report["problems"]?.array?.isEmpty == true && (report["auditRows"]?.int ?? 0) > 0)
        let (_, st, _) = try LiveDaemon.run(
            [D.bin + "/bangfu-db"],
            [
                "statement", "--state-dir", d.dir.path + "/restore", "--from", "2027-01-01", "--to", "2027-12-31",
                "--json",
            ])
        let deposits = (try JSONDecoder().decode([[String: JSONValue]].self, from: Data(st.utf8))).first?["deposits"]
        #expect((deposits.flatMap { if case .int(let i) = $0 { i } else { nil } } ?? 0) >= Int64(before) * 100)
        // Not only the sum: every request acknowledged before the backup began is in the copy, by its id
        // (deposits made during the backup cannot stand in for a missing earlier one).
        let copied = try DatabaseQueue(path: d.dir.path + "/restore/bangfu.sqlite").read { db in
            Set(
                try String.fetchAll(
                    db, sql: "SELECT request_id FROM request_log WHERE principal = ?", arguments: ["uid:\(D.tr)"]))
        }
        let missing = ackedBefore.map { "b\($0)" }.filter { !copied.contains($0) }
        #expect(
            !ackedBefore.isEmpty && missing.isEmpty,
            "acknowledged before the backup but not in it: \(missing.prefix(5))")
        #expect(try d.ctl(nil, ["backup", path]).0 == 1, "never overwrites")
    }

    @Test func aFullDiskRefusesWritesKeepsReadsAndRecovers() throws {
        let d = try LiveDaemon(startNow: false)
        let mount = d.dir.path
        // The state directory on a small filesystem made for the test.
        let (mc, _, merr) = try LiveDaemon.run(
            ["/bin/mount"], ["-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", mount])
        try #require(mc == 0, "mount: \(merr)")
        defer { _ = try? LiveDaemon.run(["/bin/umount"], ["-l", mount]) }
        try LiveDaemon.yaml.write(toFile: d.configPath, atomically: true, encoding: .utf8)
        try d.start(clock: "manual:2027-02-04T09:00")
        try fund(d)
        let archive = try #require(
            try d.ctlJSON(D.cw, ["archive", "create", "--file", try D.sampleArchive()])["archiveNo"]?.string)
        // Fill what is left.
        _ = try LiveDaemon.run(["/bin/dd"], ["if=/dev/zero", "of=\(mount)/filler", "bs=64k", "count=1000"])
        var refused = false
        for i in 0..<200 {
            let (code, _, err) = try d.ctl(
                D.tr, ["fund", "deposit", "f1", "1", "--memo", String(repeating: "满", count: 200) + "\(i)"])
            if code != 0 {
                #expect(err.contains("StorageFailed") && err.contains("disk is full"), "\(err)")
                refused = true
                break
            }
        }
        #expect(refused, "a write was refused when the disk filled")
        // Reads go on.
        #expect(try d.ctlJSON(D.au, ["archive", "get", archive])["archiveNo"]?.string == archive)
        #expect(try d.ctlJSON(D.au, ["status"])["plugins"]?.int == 9)
        // Space freed: writes work again and nothing is corrupted.
        try FileManager.default.removeItem(atPath: mount + "/filler")
        #expect(try d.ctl(D.tr, ["fund", "deposit", "f1", "1", "--memo", "after"]).0 == 0)
        #expect(try d.ctlJSON(D.au, ["verify"])["ok"]?.boolValue == true)
        d.stop()
    }

    /// Load from bangfu-bench's generator: `clients` threads, each a caseworker, reviewer and approver
    /// driving cases to their notice over the real socket, concurrently, so bangfud's writes share
    /// commits (group commit) when the SIGKILL lands. Reconnects after each kill until stopped.
    final class CaseLoad: @unchecked Sendable {
        let running = Atomic<Bool>(true)
        let acked = Mutex<[String: String]>([:])
        /// Anything but a lost connection: a refusal, a wrong answer, StorageFailed. Must stay empty.
        let failures = Mutex<[String]>([])
        var threads: [Thread] = []

        init(socket: String, clients: Int, round: Int) {
            for k in 0..<clients {
                let t = Thread { [self] in
                    var j = 0
                    while running.load(ordering: .relaxed) {
                        do {
                            let client = try LoadClient(socket: socket)
                            client.onAck = { c, state in self.acked.withLock { $0[c] = state } }
                            while running.load(ordering: .relaxed) {
                                j += 1
                                try client.caseToNotice((round * clients + k) * 40_000 + j)
                            }
                        } catch is VarlinkClientError {
                            // The daemon was killed (or is starting again): reconnect.
                            Thread.sleep(forTimeInterval: 0.01)
                        } catch {
                            self.failures.withLock { $0.append("\(error)") }
                            Thread.sleep(forTimeInterval: 0.01)
                        }
                    }
                }
                threads.append(t)
                t.start()
            }
        }

        func stop() {
            running.store(false, ordering: .relaxed)
            while threads.contains(where: { !$0.isFinished }) { Thread.sleep(forTimeInterval: 0.01) }
        }
    }

    @Test func killLoopLosesNothingAcknowledged() throws {
        let rounds = ProcessInfo.processInfo.environment["BANGFU_KILL_ROUNDS"].flatMap(Int.init) ?? 5
        let d = try LiveDaemon(yaml: LiveDaemon.yaml + "\ndisbursement:\n  pay_at_notice_end: true\n")
        try fund(d)
        _ = try d.ctlJSON(D.tr, ["fund", "deposit", "f1", "100000000", "--memo", "拨款"])
        var acknowledged: [String: String] = [:]  // case number -> state bangfud answered
        for round in 0..<rounds {
            let load = CaseLoad(socket: d.socket, clients: 4, round: round)
            // A random moment, on purpose (not a wait for a condition): the kill must land anywhere in a write.
            Thread.sleep(forTimeInterval: Double.random(in: 0.5...2.0))
            kill(d.process!.processIdentifier, SIGKILL)
            d.process!.waitUntilExit()
            load.stop()
            let failures = load.failures.withLock { $0 }
            #expect(
                failures.isEmpty,
                "round \(round): the load got answers other than a lost connection: \(failures.prefix(3))")
            #expect(!load.acked.withLock { $0 }.isEmpty, "round \(round): nothing was acknowledged before the kill")
            acknowledged.merge(load.acked.withLock { $0 }) { $1 }
            try d.start(clock: "manual")
            // Every acknowledged transition is there (a later state is fine: the last ack may not have reached us).
            let order = [
                "draft", "submitted", "branch_review_passed", "in_notice", "notice_passed", "disbursing", "closed",
            ]
            let reader = try LoadClient(socket: d.socket)
            for (c, state) in acknowledged {
                let now = (try? reader.caseState(c).state) ?? "missing"
                #expect(
                    (order.firstIndex(of: now) ?? -1) >= (order.firstIndex(of: state) ?? 99),
                    "\(c): acknowledged \(state), found \(now)")
            }
            #expect(try d.ctlJSON(D.au, ["verify"])["ok"]?.boolValue == true, "round \(round)")
        }
        #expect(!acknowledged.isEmpty)
        // Pending notice deadlines still fire after all the kills, and each case is paid once.
        _ = try d.ctlJSON(nil, ["clock", "advance", "20d"])
        let reader = try LoadClient(socket: d.socket)
        #expect(
            acknowledged.values.contains("in_notice"),
            "no case reached its notice: the paid-once check would check nothing")
        for (c, state) in acknowledged where state == "in_notice" {
            let got = try reader.caseState(c)
            #expect(got.state == "closed" && got.payments == 1, "\(c): \(got)")
        }
        // Every fund balance equals its ledger, the audit chain verifies.
        #expect(try d.ctlJSON(D.au, ["verify"])["ok"]?.boolValue == true)
        // Status reports how writes were grouped since this (last) start: a transaction holds at least one write.
        let status = try #require(try d.call(WireMethod.adminStatus.rawValue).first)
        let writes = status["writes"]?.int ?? 0, transactions = status["writeTransactions"]?.int ?? 0
        #expect(
            writes > 0 && transactions > 0 && transactions <= writes && (status["largestWriteGroup"]?.int ?? 0) >= 1)
        print(
            "group commit since the last start: \(writes) writes in \(transactions) transactions, at most \(status["largestWriteGroup"]?.int ?? 0) in one"
        )
        let inNotice = acknowledged.values.filter { $0 == "in_notice" }.count
        print(
            "kill loop: \(rounds) SIGKILL rounds survived under 4 concurrent clients, \(acknowledged.count) cases acknowledged (\(inNotice) through approval), nothing lost, every notice paid once"
        )
    }

    @Test func sigtermUnderLoadCompletesOrFailsCleanly() throws {
        let d = try LiveDaemon()
        try fund(d)
        let results = Mutex<[Int32]>([])
        let load = Load { i in
            let code =
                (try? d.ctl(D.tr, ["fund", "deposit", "f1", "1", "--memo", "t", "--request-id", "t\(i)"]).0) ?? -1
            results.withLock { $0.append(code) }
            return code == 0
        }
        // Wait until the load is really going, so that SIGTERM lands under load.
        #expect(D.waitUntil(seconds: 30) { load.acked >= 20 })
        d.process!.terminate()
        d.process!.waitUntilExit()
        load.stop()
        #expect(d.process!.terminationStatus == 0)
        let acked = load.acked
        let attempted = load.attempted
        #expect(acked >= 5, "something was acknowledged before SIGTERM")
        // Each call either completed (0) or failed cleanly, never half-written; "cannot connect" (3) only
        // once the daemon stopped, so never before the last acknowledged call.
        let codes = results.withLock { $0 }
        #expect(codes.allSatisfy { [0, 1, 3].contains($0) }, "\(Set(codes))")
        let lastAcked = codes.lastIndex(of: 0) ?? -1
        #expect(!codes.prefix(lastAcked).contains(3), "a call could not connect while the daemon was still serving")
        try d.start(clock: "manual")
        // Request by request: every id sent again. An acknowledged one answers as the first time and
        // adds nothing; one cut off by the stop deposits now, once. So the balance is exactly one
        // deposit per id, which would be more if any id had been applied twice.
        for i in 0..<attempted {
            #expect(
                try d.ctl(D.tr, ["fund", "deposit", "f1", "1", "--memo", "t", "--request-id", "t\(i)"]).0 == 0, "t\(i)")
        }
        let balance = try d.ctlJSON(D.tr, ["fund", "list"])["funds"]?.array?.first?["balance"]?.int ?? -1
        #expect(
            balance == Int64(attempted) * 100,
            "\(balance) fen for \(attempted) request ids (\(acked) acknowledged before the stop)")
        #expect(try d.ctlJSON(D.au, ["verify"])["ok"]?.boolValue == true)
    }
}
