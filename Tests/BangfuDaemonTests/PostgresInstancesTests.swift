import BangfuLoad
import BangfuPostgres
import BangfuVarlink
import Foundation
import Testing

/// Issue 16: several bangfud instances on one PostgreSQL database. Each serves its own socket; a
/// case moves between them; the time-driven work runs on the leader only, and when the leader is
/// killed the survivor takes it over within `store.leader_takeover_seconds`.
@Suite(.serialized) struct PostgresInstancesTests {
    typealias D = LiveDaemon
    /// People with accounts (the console test's): grants name them, as on a shared store they must.
    static let cw: UInt32 = 61105, rv: UInt32 = 61101, ap: UInt32 = 61102, tr: UInt32 = 61103

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
        """
    }

    /// A fresh database on a server of the test's own, and the accounts the grants name.
    static func database() throws -> (LocalPostgres, String) {
        for person in ConsoleSite.people {
            try ConsoleSite.account(uid: person.uid, name: person.name, password: "Bf-\(UUID().uuidString.prefix(13))")
        }
        let server = try LocalPostgres()
        try PGConnection(url: server.url).execute("CREATE DATABASE bangfu")
        return (server, server.url.replacingOccurrences(of: "dbname=postgres", with: "dbname=bangfu"))
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

    /// Polls `condition` for up to 20 s.
    static func waitUntil(_ condition: () throws -> Bool) async throws {
        for _ in 0..<200 {
            if try condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("waited 20 s in vain")
    }
}
