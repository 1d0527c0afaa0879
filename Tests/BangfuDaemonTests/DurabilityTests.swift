import BangfuVarlink
import Foundation
import Synchronization
import Testing

/// Losing nothing: backups under load, a full disk, SIGKILL rounds, SIGTERM under load.
@Suite(.serialized) struct DurabilityTests {
    typealias D = LiveDaemon

    /// Runs `body` repeatedly on a thread until stopped; counts what bangfud acknowledged.
    final class Load: @unchecked Sendable {
        final class State: @unchecked Sendable {
            let lock = NSLock()
            var acked = 0
            var running = true
        }
        let state = State()
        var thread: Thread!

        init(_ body: @escaping @Sendable (Int) -> Bool) {
            let state = self.state
            thread = Thread {
                var i = 0
                while state.lock.withLock({ state.running }) {
                    if body(i) { state.lock.withLock { state.acked += 1 } }
                    i += 1
                }
            }
            thread.start()
        }

        var acked: Int { state.lock.withLock { state.acked } }

        func stop() {
            state.lock.withLock { state.running = false }
            while !thread.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        }
    }

    func fund(_ d: LiveDaemon) throws {
        _ = try d.ctlJSON(D.tr, ["fund", "create", "f1", "--name", "帮扶资金", "--unit", "county", "--source", "union_funds", "--help-type", "hardship-relief"])
    }

    @Test func backupUnderLoadHoldsEverythingAcknowledgedBefore() throws {
        let d = try LiveDaemon()
        try fund(d)
        let load = Load { i in (try? d.ctl(D.tr, ["fund", "deposit", "f1", "1", "--memo", "load", "--request-id", "b\(i)"]).0) == 0 }
        Thread.sleep(forTimeInterval: 1)
        let before = load.acked
        let path = d.dir.appendingPathComponent("backup.sqlite").path
        let r = try d.ctlJSON(nil, ["backup", path])
        load.stop()
        #expect(r["path"]?.string == path && before > 0)
        // The copy opens, verifies and holds every deposit acknowledged before the backup began.
        let (code, out, err) = try LiveDaemon.run([D.bin + "/bangfu-db"], ["verify", "--state-dir", d.dir.path + "/restore", "--json"])
        #expect(code != 0, "no database there yet: \(out)\(err)")
        try FileManager.default.createDirectory(atPath: d.dir.path + "/restore", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: path, toPath: d.dir.path + "/restore/bangfu.sqlite")
        let (c2, out2, _) = try LiveDaemon.run([D.bin + "/bangfu-db"], ["verify", "--state-dir", d.dir.path + "/restore", "--json"])
        let report = try JSONDecoder().decode(JSONValue.self, from: Data(out2.utf8))
        #expect(c2 == 0 && report["problems"]?.array?.isEmpty == true && (report["auditRows"]?.int ?? 0) > 0)
        let (_, st, _) = try LiveDaemon.run([D.bin + "/bangfu-db"], ["statement", "--state-dir", d.dir.path + "/restore", "--from", "2027-01-01", "--to", "2027-12-31", "--json"])
        let deposits = (try JSONDecoder().decode([[String: JSONValue]].self, from: Data(st.utf8))).first?["deposits"]
        #expect((deposits.flatMap { if case .int(let i) = $0 { i } else { nil } } ?? 0) >= Int64(before) * 100)
        #expect(try d.ctl(nil, ["backup", path]).0 == 1, "never overwrites")
    }

    @Test func aFullDiskRefusesWritesKeepsReadsAndRecovers() throws {
        let d = try LiveDaemon(startNow: false)
        let mount = d.dir.path
        // The state directory on a small filesystem made for the test.
        let (mc, _, merr) = try LiveDaemon.run(["/bin/mount"], ["-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", mount])
        try #require(mc == 0, "mount: \(merr)")
        defer { _ = try? LiveDaemon.run(["/bin/umount"], ["-l", mount]) }
        try LiveDaemon.yaml.write(toFile: d.configPath, atomically: true, encoding: .utf8)
        try d.start(clock: "manual:2027-02-04T09:00")
        try fund(d)
        let archive = try #require(try d.ctlJSON(D.cw, ["archive", "create", "--file", try D.sampleArchive()])["archiveNo"]?.string)
        // Fill what is left.
        _ = try LiveDaemon.run(["/bin/dd"], ["if=/dev/zero", "of=\(mount)/filler", "bs=64k", "count=1000"])
        var refused = false
        for i in 0..<200 {
            let (code, _, err) = try d.ctl(D.tr, ["fund", "deposit", "f1", "1", "--memo", String(repeating: "满", count: 200) + "\(i)"])
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

    @Test func killLoopLosesNothingAcknowledged() throws {
        let rounds = ProcessInfo.processInfo.environment["BANGFU_KILL_ROUNDS"].flatMap(Int.init) ?? 5
        let d = try LiveDaemon(yaml: LiveDaemon.yaml + "\ndisbursement:\n  pay_at_notice_end: true\n")
        try fund(d)
        _ = try d.ctlJSON(D.tr, ["fund", "deposit", "f1", "1000000", "--memo", "拨款"])
        let archiveFile = try D.sampleArchive()
        var acknowledged: [String: String] = [:]  // case number -> state bangfud answered
        var archives = 0
        for round in 0..<rounds {
            // Load: archives (new synthetic people each time) and cases through to the notice.
            let acked = Mutex<[String: String]>([:])
            let load = Load { i in
                let n = round * 10_000 + i
                let text = (try? String(contentsOfFile: archiveFile, encoding: .utf8)) ?? ""
                let ids = Self.ids(for: n)
                let file = "/tmp/bangfu-kill-\(n).json"
                let body = text.replacingOccurrences(of: "990101197610120310", with: ids.0).replacingOccurrences(of: "990101197803050427", with: ids.1)
                    .replacingOccurrences(of: "990101201209010528", with: ids.2)
                try? body.write(toFile: file, atomically: true, encoding: .utf8)
                defer { try? FileManager.default.removeItem(atPath: file) }
                _ = try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
                guard let a = try? d.ctlJSON(D.cw, ["archive", "create", "--file", file])["archiveNo"]?.string,
                      let c = try? d.ctlJSON(D.cw, ["case", "file", a, "hardship-relief", "--form", "cause=disaster"])["caseNo"]?.string else { return false }
                acked.withLock { $0[c] = "draft" }
                for (who, args, state) in [(D.cw, ["case", "submit", c], "submitted"), (D.rv, ["case", "pass", c], "branch_review_passed"),
                                           (D.ap, ["case", "approve", c], "in_notice")] {
                    guard (try? d.ctlJSON(who, args))?["state"]?.string == state else { return false }
                    acked.withLock { $0[c] = state }
                }
                return true
            }
            Thread.sleep(forTimeInterval: Double.random(in: 0.5...2.0))
            kill(d.process!.processIdentifier, SIGKILL)
            d.process!.waitUntilExit()
            load.stop()
            acknowledged.merge(acked.withLock { $0 }) { $1 }
            archives += 1
            try d.start(clock: "manual")
            // Every acknowledged transition is there (a later state is fine: the last ack may not have reached us).
            let order = ["draft", "submitted", "branch_review_passed", "in_notice", "notice_passed", "disbursing", "closed"]
            for (c, state) in acknowledged {
                let now = try d.ctlJSON(D.au, ["case", "get", c])["case"]?["state"]?.string ?? "missing"
                #expect((order.firstIndex(of: now) ?? -1) >= (order.firstIndex(of: state) ?? 99), "\(c): acknowledged \(state), found \(now)")
            }
            #expect(try d.ctlJSON(D.au, ["verify"])["ok"]?.boolValue == true, "round \(round)")
        }
        #expect(!acknowledged.isEmpty)
        // Pending notice deadlines still fire after all the kills, and each case is paid once.
        _ = try d.ctlJSON(nil, ["clock", "advance", "20d"])
        for (c, state) in acknowledged where state == "in_notice" {
            let got = try d.ctlJSON(D.au, ["case", "get", c])
            #expect(got["case"]?["state"]?.string == "closed" && got["payments"]?.array?.count == 1, "\(c)")
        }
        #expect(try d.ctlJSON(D.au, ["verify"])["ok"]?.boolValue == true)
        let inNotice = acknowledged.values.filter { $0 == "in_notice" }.count
        print("kill loop: \(rounds) SIGKILL rounds survived, \(acknowledged.count) cases acknowledged (\(inNotice) through approval), nothing lost, every notice paid once")
    }

    @Test func sigtermUnderLoadCompletesOrFailsCleanly() throws {
        let d = try LiveDaemon()
        try fund(d)
        let results = Mutex<[Int32]>([])
        let load = Load { i in
            let code = (try? d.ctl(D.tr, ["fund", "deposit", "f1", "1", "--memo", "t", "--request-id", "t\(i)"]).0) ?? -1
            results.withLock { $0.append(code) }
            return code == 0
        }
        Thread.sleep(forTimeInterval: 1)
        d.process!.terminate()
        d.process!.waitUntilExit()
        load.stop()
        #expect(d.process!.terminationStatus == 0)
        let acked = load.acked
        // Each call either completed (0) or failed cleanly (refused / could not connect), never half-written.
        #expect(results.withLock { $0 }.allSatisfy { [0, 1, 3].contains($0) })
        try d.start(clock: "manual")
        let balance = try d.ctlJSON(D.tr, ["fund", "list"])["funds"]?.array?.first?["balance"]?.int ?? -1
        #expect(balance >= Int64(acked) * 100, "every acknowledged deposit is there: \(balance) fen for \(acked) acks")
        #expect(try d.ctlJSON(D.au, ["verify"])["ok"]?.boolValue == true)
    }

    /// Three synthetic ID numbers (applicant, spouse, child) unique per `n`.
    static func ids(for n: Int) -> (String, String, String) {
        func make(_ prefix: String, _ k: Int) -> String {
            let s = String(format: "%03d", k % 1000)
            let d17 = prefix + s
            return d17 + String(checkCharacter(d17))
        }
        let y = 1950 + (n / 1000) % 40
        return (make("990101\(y)0101", n), make("990101\(y)0202", n), make("990101\(y + 30)0303", n))
    }

    static func checkCharacter(_ s: String) -> Character {
        let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let c: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]
        return c[zip(s.compactMap { $0.wholeNumberValue }, w).reduce(0) { $0 + $1.0 * $1.1 } % 11]
    }
}
