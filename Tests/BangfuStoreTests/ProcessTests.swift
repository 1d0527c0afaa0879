import BangfuCore
import BangfuStore
import Foundation
import GRDB
import Testing

/// Tests with real separate processes on one database file.
@Suite(.serialized) struct ProcessTests {
    init() throws {
        guard FileManager.default.isExecutableFile(atPath: Fixture.toolPath) else {
            throw BangfuError(
                .notFound, zh: "请先 swift build",
                en: "build bangfu-db first (swift build): \(Fixture.toolPath) is missing")
        }
    }

    /// A treasurer's own account (a uid with no name; granted as `uid:N`), as whom `pay` runs: one no
    /// other test gives an account (the console and PostgreSQL tests make named ones in 61101…61107).
    static let treasurerUID: UInt32 = 61_304

    @Test func twoProcessesPayingTheSameInstalmentPayOnce() async throws {
        let fx = try await Fixture(
            grantsYAML: Fixture.grants + "  - { user: \"uid:\(Self.treasurerUID)\", role: treasurer, unit: county }\n")
        try await fx.fund()
        var cases: [HelpCase] = []
        for _ in 0..<6 { cases.append(try await fx.caseIn(.disbursing, plan: .oneOff(Money(yuan: 1_000)))) }
        try fx.openToEveryone()
        for c in cases {
            let args = [
                "pay", "--state-dir", fx.dir.path, "--config", fx.configPath, "--case", c.caseNo, "--fund", "f1",
            ]
            let a = try Fixture.run(args, uid: Self.treasurerUID), b = try Fixture.run(args, uid: Self.treasurerUID)
            a.waitUntilExit()
            b.waitUntilExit()
            #expect(a.terminationStatus == 0 && b.terminationStatus == 0)
        }
        // The trail names who ran it, by uid: never a name from the command line.
        let payers = try await fx.raw().read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT paid_by FROM disbursement")
        }
        #expect(payers == ["uid:\(Self.treasurerUID)"])
        // Run as root, it has no treasurer's role: refused, nothing paid.
        let extra = try await fx.caseIn(.disbursing, plan: .oneOff(Money(yuan: 1_000)))
        let root = try Fixture.run(
            ["pay", "--state-dir", fx.dir.path, "--config", fx.configPath, "--case", extra.caseNo, "--fund", "f1"])
        root.waitUntilExit()
        #expect(root.terminationStatus != 0)
        let ids = cases.map(\.id)
        let counts = try await fx.raw().read { db in
            try ids.map { id in
                [
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_txn WHERE case_id = ?", arguments: [id])
                        ?? 0,
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM disbursement WHERE case_id = ?", arguments: [id])
                        ?? 0,
                ]
            }
        }
        #expect(counts == Array(repeating: [1, 1], count: ids.count), "one ledger entry and one disbursement per case")
        #expect(try await fx.store.balance(fundId: "f1") == Money(yuan: 1_000_000 - 6_000))
        #expect(try await fx.store.verify().ok)
    }

    @Test func processKilledDuringWritesLeavesAVerifiableDatabase() async throws {
        let fx = try await Fixture()
        let p = try Fixture.run([
            "seed", "--state-dir", fx.dir.path, "--config", fx.configPath, "--caseworker", "cw", "--unit", "b1",
            "--region", "990101", "--households", "1000000",
        ])
        // Wait until it is well into its writes, then kill it without warning.
        let deadline = Date().addingTimeInterval(60)
        var seen = 0
        while Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
            seen = (try? await fx.raw().read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM help_case") ?? 0 }) ?? 0
            if seen >= 200 { break }
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal)
        #expect(seen >= 200)
        let reopened = try SQLiteStore(path: fx.dbPath, policy: fx.config.policy)
        let report = try await reopened.verify()
        #expect(report.ok, "\(report.problems)")
        // Each household went in whole, or not at all; the last one may lack its case only.
        let (households, cases, integrity) = try await fx.raw().read { db in
            (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM household")!,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM help_case")!,
                try String.fetchOne(db, sql: "PRAGMA integrity_check")
            )
        }
        #expect(cases == households || cases == households - 1)
        #expect(integrity == "ok")
    }
}

/// The README's run command, end to end: the real binary on a fresh file with the example configuration.
@Suite struct DemoTests {
    struct Report: Decodable {
        var caseNo: String
        var finalState: String
        var category: String?
        var fundBalanceBefore: String
        var fundBalanceAfter: String
        var paidOnce: Bool
        var steps: [Step]
        var verification: VerificationReport
        var publicNotice: [String]
        struct Step: Decodable {
            var actor: String
            var role: String
        }
    }

    @Test func demoTakesACaseThroughAllFourStages() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bangfu-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Fixture.toolPath)
        p.arguments = [
            "demo", "--state-dir", dir.path, "--config",
            Fixture.root.appendingPathComponent("etc/bangfu.example.yaml").path, "--json",
        ]
        p.environment = ["LANG": "en_US.UTF-8"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let r = try JSONDecoder().decode(Report.self, from: data)
        #expect(r.finalState == "closed")
        #expect(r.category == "deep")
        #expect(r.fundBalanceBefore == "50000.00" && r.fundBalanceAfter == "45000.00" && r.paidOnce)
        #expect(r.verification.ok)
        // Each stage by a different person and role.
        let roles = r.steps.map(\.role)
        #expect(["caseworker", "reviewer", "approver", "system", "treasurer"].allSatisfy(roles.contains))
        #expect(Set(r.steps.map(\.actor)).count >= 5)
        // The public notice shows the masked name only.
        #expect(r.publicNotice.allSatisfy { $0.contains("张*明") && !$0.contains("张三明") })
        // A second run on the same directory refuses instead of mixing data.
        let again = try Fixture.run([
            "demo", "--state-dir", dir.path, "--config",
            Fixture.root.appendingPathComponent("etc/bangfu.example.yaml").path,
        ])
        again.waitUntilExit()
        #expect(again.terminationStatus != 0)
    }
}
