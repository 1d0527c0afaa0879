import BangfuLoad
import BangfuPostgres
import BangfuVarlink
import Foundation
import Synchronization
import Testing

/// Issue 16: several bangfud instances on one PostgreSQL database. Each serves its own socket; a
/// case moves between them; the time-driven work runs on the leader only, and when the leader is
/// killed the survivor takes it over within `store.leader_takeover_seconds`.
@Suite(.serialized) struct PostgresInstancesTests {
    typealias D = LiveDaemon
    /// People with accounts (the console test's): grants name them, as on a shared store they must.
    static let cw: UInt32 = 61105, rv: UInt32 = 61101, ap: UInt32 = 61102, tr: UInt32 = 61103, au: UInt32 = 61107

    /// The load generator's people: the same accounts.
    static var principals: LoadPrincipals {
        var principals = LoadPrincipals()
        principals.caseworker = cw
        principals.reviewer = rv
        principals.approver = ap
        principals.treasurer = tr
        principals.auditor = au
        principals.gid = D.gid
        return principals
    }

    static func yaml(url: String) -> String {
        """
        calendars:
          - file: \(D.root.path)/etc/calendars/2027.synthetic.yaml
        dibao:
          - { region: "370200", effective: 2025-07-01, monthly: "1060.00" }
        store: { kind: postgres, url: "\(url)", leader_takeover_seconds: 1 }
        units:
          - { id: city, name: 测试市总工会, level: city }
          - { id: county, name: 测试区总工会, parent: city, level: county }
          - { id: b1, name: 一厂工会, parent: county, level: grassroots }
        grants:
          - { user: bftest-cw, role: caseworker, unit: b1 }
          - { user: bftest-rv, role: reviewer, unit: b1 }
          - { user: bftest-ap, role: approver, unit: county }
          - { user: bftest-tr, role: treasurer, unit: county }
          - { user: bftest-au, role: auditor, unit: city }
        limits: { connections_per_user: 128 }
        """
    }

    /// A fresh database on a server of the test's own, and the accounts the grants name.
    static func database() throws -> (LocalPostgres, String) {
        for person in ConsoleSite.people + [(au, "bftest-au")] { try account(uid: person.uid, name: person.name) }
        let server = try LocalPostgres()
        try PGConnection(url: server.url).execute("CREATE DATABASE bangfu")
        return (server, server.url.replacingOccurrences(of: "dbname=postgres", with: "dbname=bangfu"))
    }

    /// An account for a test uid, made when missing (no password: nobody logs in as it here, and
    /// the console test's login passwords stay as that test set them).
    static func account(uid: UInt32, name: String) throws {
        if (try D.run(["/usr/bin/getent"], ["group", String(D.gid)])).0 != 0 {
            _ = try D.run(["/usr/sbin/groupadd"], ["-g", String(D.gid), "bangfu-test"])
        }
        let (found, entry, _) = try D.run(["/usr/bin/getent"], ["passwd", String(uid)])
        if found == 0 {
            try #require(entry.hasPrefix(name + ":"), "uid \(uid) belongs to another account, not to the test")
            return
        }
        let (made, _, error) = try D.run(
            ["/usr/sbin/useradd"],
            ["-u", String(uid), "-g", String(D.gid), "-M", "-d", "/tmp", "-s", "/bin/bash", name])
        try #require(made == 0, "useradd \(name): \(error)")
    }

    func state(_ daemon: LiveDaemon, _ caseNo: String) throws -> String? {
        try daemon.ctlJSON(Self.cw, ["case", "get", caseNo])["case"]?["state"]?.string
    }

    @Test func aCaseMovesBetweenInstancesAndTheSurvivorTakesTheLead() async throws {
        let (server, url) = try Self.database()
        defer { try? server.stop() }
        let first = try LiveDaemon(yaml: Self.yaml(url: url))
        // Instances on one store share its secrets (in production: one systemd credential each).
        let second = try LiveDaemon(yaml: Self.yaml(url: url), startNow: false)
        for secret in ["ref-key", "checkpoint-key"] {
            try FileManager.default.copyItem(
                at: first.dir.appendingPathComponent(secret), to: second.dir.appendingPathComponent(secret))
        }
        try second.start()
        // One leads the scheduled work, the other serves calls only.
        try await Self.waitUntil { first.log().contains("now leads") }
        #expect(!second.log().contains("now leads"), "two instances lead at once")

        // A case filed on one instance, reviewed and approved on the other.
        _ = try first.ctlJSON(
            Self.tr,
            [
                "fund", "create", "f1", "--name", "帮扶资金", "--unit", "county", "--source", "union_funds",
                "--help-type", "hardship-relief",
            ])
        _ = try second.ctlJSON(Self.tr, ["fund", "deposit", "f1", "20000", "--memo", "拨款"])
        let archive = try first.ctlJSON(Self.cw, ["archive", "create", "--file", try D.sampleArchive()])
        let archiveNo = try #require(archive["archiveNo"]?.string)
        let filed = try second.ctlJSON(
            Self.cw, ["case", "file", archiveNo, "hardship-relief", "--form", "cause=serious_illness"])
        let caseNo = try #require(filed["caseNo"]?.string)
        _ = try first.ctlJSON(Self.cw, ["case", "submit", caseNo])
        _ = try second.ctlJSON(Self.rv, ["case", "pass", caseNo, "--comment", "入户核实"])
        #expect(try first.ctlJSON(Self.ap, ["case", "approve", caseNo])["state"]?.string == "in_notice")
        // The same number is not given twice by two instances: a second case on the first instance.
        let other = try first.ctlJSON(
            Self.cw, ["case", "file", archiveNo, "hardship-relief", "--form", "cause=disaster"])
        #expect(other["caseNo"]?.string != caseNo)

        // The follower's clock passes the deadline: it does not lead, so the notice stays open.
        _ = try second.ctlJSON(nil, ["clock", "advance", "15d"])
        #expect(try state(second, caseNo) == "in_notice", "a follower ran the scheduled work")

        // The leader is killed outright; the survivor takes the lead and passes the notice, once
        // (the case then waits for its payment).
        let killedAt = Date()
        kill(try #require(first.process?.processIdentifier), SIGKILL)
        first.process?.waitUntilExit()
        try await Self.waitUntil { second.log().contains("now leads") }
        let takeover = Date().timeIntervalSince(killedAt)
        print("takeover after SIGKILL of the leader: \(String(format: "%.2f", takeover)) s")
        _ = try second.ctlJSON(nil, ["clock", "advance", "1m"])
        try await Self.waitUntil { try self.state(second, caseNo) == "disbursing" }
        let events = try second.ctlJSON(Self.cw, ["case", "get", caseNo])["events"]?.array ?? []
        #expect(events.filter { $0["event"]?.string == "notice_elapsed" }.count == 1, "\(events)")
        let report = try second.ctlJSON(nil, ["verify"])
        #expect(report["ok"]?.boolValue == true, "\(report)")

        // A third instance with another notice period is refused, naming the key; adopted on
        // purpose with bangfu-db, it starts (and the second, still on the old file, may not reload).
        let changed = Self.yaml(url: url) + "\nnotice: { working_days: 7 }\n"
        let third = try LiveDaemon(yaml: changed, startNow: false)
        for secret in ["ref-key", "checkpoint-key"] {
            try FileManager.default.copyItem(
                at: second.dir.appendingPathComponent(secret), to: third.dir.appendingPathComponent(secret))
        }
        #expect(throws: DaemonTestError.self) { try third.start() }
        #expect(third.log().contains("differs from the one the other instances on this database run (notice)"))
        let (adopted, out, err) = try D.run(
            [D.bin + "/bangfu-db"], ["adopt-config", "--config", third.configPath], env: ["LANG": "en_US.UTF-8"])
        #expect(adopted == 0 && out.contains("changed: notice"), "\(out) \(err)")
        try third.start()
        let (reloaded, _, _) = try second.ctl(nil, ["reload"])
        #expect(reloaded != 0, "an instance reloaded a configuration the others no longer run")
    }

    /// Two instances under load, one of them killed with SIGKILL at random moments and started
    /// again, round after round (3 in CI; `BANGFU_KILL_ROUNDS` for more): every step bangfud
    /// acknowledged is kept, every notice passes once (on whichever instance leads), every case is
    /// paid once however often payment is asked, and the chain verifies.
    @Test func killRoundsUnderLoadLoseNothingAndPayOnce() async throws {
        let (server, url) = try Self.database()
        defer { try? server.stop() }
        let daemons = [
            try LiveDaemon(yaml: Self.yaml(url: url)), try LiveDaemon(yaml: Self.yaml(url: url), startNow: false),
        ]
        for secret in ["ref-key", "checkpoint-key"] {
            try FileManager.default.copyItem(
                at: daemons[0].dir.appendingPathComponent(secret), to: daemons[1].dir.appendingPathComponent(secret))
        }
        try daemons[1].start()
        try LoadClient(socket: daemons[0].socket, principals: Self.principals).openFund("f1", fen: 10_000_000_000)
        let acknowledged = Mutex<[String: String]>([:])
        let running = Mutex(true)
        let rounds = Int(ProcessInfo.processInfo.environment["BANGFU_KILL_ROUNDS"] ?? "") ?? 3
        // One load per instance; a client whose instance went away connects again.
        let loads = (0..<2).map { index in
            let thread = Thread {
                var client: LoadClient?
                var next = index * 1_000_000
                while running.withLock({ $0 }) {
                    do {
                        if client == nil {
                            client = try LoadClient(socket: daemons[index].socket, principals: Self.principals)
                            client?.onAck = { caseNo, state in acknowledged.withLock { $0[caseNo] = state } }
                        }
                        next += 1
                        try client?.caseToNotice(next)
                    } catch {
                        client = nil
                        Thread.sleep(forTimeInterval: 0.05)
                    }
                }
            }
            thread.start()
            return thread
        }
        var generator = SystemRandomNumberGenerator()
        for round in 0..<rounds {
            try await Task.sleep(for: .milliseconds(Int.random(in: 300...1_200, using: &generator)))
            let victim = daemons[Int.random(in: 0...1, using: &generator)]
            kill(try #require(victim.process?.processIdentifier), SIGKILL)
            victim.process?.waitUntilExit()
            print(
                "round \(round + 1): killed an instance with \(acknowledged.withLock { $0.count }) cases acknowledged")
            try victim.start(clock: "manual")
        }
        try await Task.sleep(for: .milliseconds(500))
        running.withLock { $0 = false }
        while loads.contains(where: { !$0.isFinished }) { try await Task.sleep(for: .milliseconds(20)) }
        let acked = acknowledged.withLock { $0 }
        #expect(acked.count >= rounds, "the load made too little progress to mean anything: \(acked.count)")

        // Past the notice on both clocks: the leader passes every notice; payment asked twice, on both.
        for daemon in daemons { _ = try daemon.ctlJSON(nil, ["clock", "advance", "20d"]) }
        let inNotice = acked.filter { $0.value == "in_notice" }.map(\.key)
        let reader = try LoadClient(socket: daemons[1].socket, principals: Self.principals)
        try await Self.waitUntil { try inNotice.allSatisfy { try reader.caseState($0).state == "disbursing" } }
        for daemon in daemons {
            let payer = try LoadClient(socket: daemon.socket, principals: Self.principals)
            for caseNo in inNotice { try? payer.pay(caseNo, fund: "f1") }
        }
        let order = [
            "draft", "submitted", "branch_review_passed", "in_notice", "notice_passed", "disbursing", "closed",
        ]
        for (caseNo, state) in acked {
            let stored = try reader.caseState(caseNo)
            #expect(
                (order.firstIndex(of: stored.state) ?? -1) >= (order.firstIndex(of: state) ?? 99),
                "\(caseNo): acknowledged \(state), now \(stored.state)")
            if state == "in_notice" { #expect(stored.payments == 1, "\(caseNo): \(stored.payments) payments") }
        }
        let events = try inNotice.prefix(20).map { caseNo in
            try daemons[0].ctlJSON(Self.cw, ["case", "get", caseNo])["events"]?.array ?? []
        }
        #expect(events.allSatisfy { $0.filter { $0["event"]?.string == "notice_elapsed" }.count == 1 })
        let report = try daemons[0].ctlJSON(nil, ["verify"])
        #expect(report["ok"]?.boolValue == true, "\(report)")
        print("kill rounds: \(rounds), cases acknowledged: \(acked.count), in notice and paid once: \(inNotice.count)")
    }

    /// The database restarted under load: while it is down every call fails at once with a storage
    /// error that says to try again and bangfud keeps serving; after it is back calls succeed.
    @Test func aDatabaseRestartUnderLoadFailsCleanlyAndRecovers() async throws {
        let (server, url) = try Self.database()
        defer { try? server.stop() }
        let daemon = try LiveDaemon(yaml: Self.yaml(url: url))
        try LoadClient(socket: daemon.socket, principals: Self.principals).openFund("f1", fen: 1_000_000)
        let outcomes = Mutex<[Bool]>([])
        let running = Mutex(true)
        let load = Thread {
            var request = 0
            while running.withLock({ $0 }) {
                request += 1
                let (code, _, _) =
                    (try? daemon.ctl(
                        Self.tr, ["fund", "deposit", "f1", "1", "--memo", "负载", "--request-id", "r\(request)"])) ?? (
                        -1, "", ""
                    )
                outcomes.withLock { $0.append(code == 0) }
            }
        }
        load.start()
        try await Self.waitUntil { outcomes.withLock { $0.filter { $0 }.count } >= 5 }
        try server.stop()
        let (code, _, err) = try daemon.ctl(Self.tr, ["fund", "deposit", "f1", "1", "--memo", "停机时"])
        #expect(code != 0 && err.contains("cannot be reached just now: try again later"), "\(code) \(err)")
        #expect(daemon.process?.isRunning == true)
        try server.start()
        let failedBefore = outcomes.withLock { $0.count { !$0 } }
        let succeededBefore = outcomes.withLock { $0.count { $0 } }
        try await Self.waitUntil { outcomes.withLock { $0.count { $0 } } >= succeededBefore + 5 }
        running.withLock { $0 = false }
        while !load.isFinished { try await Task.sleep(for: .milliseconds(20)) }
        #expect(failedBefore > 0, "no call met the database down")
        let report = try daemon.ctlJSON(nil, ["verify"])
        #expect(report["ok"]?.boolValue == true, "\(report)")
        // Every deposit acknowledged is in the books, one yuan each; at most the one in flight when
        // the server went down is there without its answer (its commit's reply was lost).
        let balance = try daemon.ctlJSON(Self.tr, ["fund", "list"])["funds"]?.array?.first?["balance"]?.int ?? 0
        let acknowledged = Int64(outcomes.withLock { $0.count { $0 } })
        #expect(
            (1_000_000 + acknowledged * 100...1_000_000 + (acknowledged + 1) * 100).contains(balance),
            "\(balance) for \(acknowledged) acknowledged")
    }

    /// Polls `condition` for up to 20 s.
    static func waitUntil(_ condition: () throws -> Bool) async throws {
        for _ in 0..<200 {
            if try condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("waited 20 s in vain")
    }
}
