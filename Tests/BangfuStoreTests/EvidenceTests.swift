import BangfuCore
import BangfuEvidence
import BangfuStore
import Crypto
import Foundation
import GRDB
import Testing

/// What the audit trail proves against someone who can write the database file, and backups
/// that only bangfud's user can read.
@Suite struct EvidenceTests {
    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    /// A few writes of every kind that audits: an archive, a case to disbursing, a fund, a payment.
    func busyFixture(_ engine: Engine = .sqlite) async throws -> Fixture {
        let fixture = try await Fixture(engine: engine)
        try await fixture.fund()
        let helpCase = try await fixture.caseIn(.disbursing, plan: .oneOff(Money(yuan: 1_000)))
        _ = try await fixture.store.apply(
            .payInstalment(number: 1, fund: "f1"), toCase: helpCase.id, by: fixture.actor("tr"), at: fixture.tick())
        return fixture
    }

    @Test func aBackupIsPrivateNeverReplacesAFileAndIsAudited() async throws {
        let fixture = try await busyFixture()
        let path = fixture.dir.appendingPathComponent("backup.sqlite").path
        let before = try await fixture.store.verify()
        let report = try await fixture.store.backup(to: path, by: fixture.actor("multi"), at: fixture.tick())
        #expect(try mode(path) == 0o600, "only bangfud's user reads a backup: personal data is in it")
        #expect(report.ok && report.head == before.head && report.head != nil)
        // The backup itself is in the trail: who, where, from which head.
        let last = try await fixture.raw().read { db in
            try Row.fetchOne(db, sql: "SELECT actor, action, entity_id FROM audit_log ORDER BY seq DESC LIMIT 1")
        }
        #expect(last?["actor"] == "multi" && last?["action"] == "backup" && last?["entity_id"] == path)
        // Never over an existing file, nor through a link someone left at the name or beside it.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        await #expect(throws: BangfuError.self) {
            try await fixture.store.backup(to: path, by: fixture.actor("multi"), at: fixture.tick())
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        let target = fixture.dir.appendingPathComponent("elsewhere").path
        try Data("mine".utf8).write(to: URL(fileURLWithPath: target))
        let linked = fixture.dir.appendingPathComponent("linked.sqlite").path
        try FileManager.default.createSymbolicLink(atPath: linked, withDestinationPath: target)
        await #expect(throws: BangfuError.self) {
            try await fixture.store.backup(to: linked, by: fixture.actor("multi"), at: fixture.tick())
        }
        let planted = fixture.dir.appendingPathComponent("planted.sqlite").path
        try FileManager.default.createSymbolicLink(atPath: planted + ".partial", withDestinationPath: target)
        await #expect(throws: BangfuError.self) {
            try await fixture.store.backup(to: planted, by: fixture.actor("multi"), at: fixture.tick())
        }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "mine")
        #expect(!FileManager.default.fileExists(atPath: planted))
    }

    /// The attacker's moves on a copy (triggers dropped with the sqlite3 shell's powers): without
    /// a head kept outside the file they pass; with it they are found, the anchored entry named.
    @Test func aHeadKeptOutsideFindsACutAndARecomputedChain() async throws {
        let fixture = try await busyFixture()
        // Two entries that record no rows (backups) end the chain: cut, nothing else gives them away.
        for name in ["one", "two"] {
            _ = try await fixture.store.backup(
                to: fixture.dir.appendingPathComponent("\(name).sqlite").path, by: fixture.actor("multi"),
                at: fixture.tick())
        }
        let anchor = try #require(try await fixture.store.verify().head)
        #expect(anchor.seq >= 8)
        func tampered(_ name: String, _ change: @escaping @Sendable (Database) throws -> Void) async throws
            -> SQLiteStore
        {
            try await Self.tampered(fixture, name, change)
        }
        // The last two entries deleted.
        let cut = try await tampered("cut") { db in
            try db.execute(sql: "DELETE FROM audit_log WHERE seq >= ?", arguments: [anchor.seq - 1])
        }
        #expect(try await cut.verify().ok, "a cut chain is still a chain: the file alone cannot tell")
        let cutReport = try await cut.verify(anchor: anchor)
        #expect(!cutReport.ok && cutReport.firstBrokenAuditRow == anchor.seq)
        // One actor edited and every later hash recomputed with the published formula.
        let rewritten = try await tampered("rewritten") { db in
            try db.execute(sql: "UPDATE audit_log SET actor = 'someone' WHERE seq = 3")
            var previous = try String.fetchOne(db, sql: "SELECT hash FROM audit_log WHERE seq = 2")!
            for row in try Row.fetchAll(db, sql: "SELECT * FROM audit_log WHERE seq >= 3 ORDER BY seq") {
                let fields: [String] = [
                    String(row["seq"] as Int64), String(row["at_ms"] as Int64), row["actor"], row["action"],
                    row["entity"], row["entity_id"], row["detail_hash"], previous,
                ]
                let hash = SHA256.hash(data: Data(fields.joined(separator: "\u{1F}").utf8))
                    .map { byte in String(format: "%02x", byte) }.joined()
                try db.execute(
                    sql: "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?",
                    arguments: [previous, hash, row["seq"] as Int64])
                previous = hash
            }
        }
        #expect(try await rewritten.verify().ok, "a recomputed chain verifies on its own")
        let rewrittenReport = try await rewritten.verify(anchor: anchor)
        #expect(!rewrittenReport.ok && rewrittenReport.firstBrokenAuditRow == anchor.seq)
        // The untouched database holds its head.
        #expect(try await fixture.store.verify(anchor: anchor).ok)
        #expect(AuditHead(parsing: anchor.description) == anchor)
        for bad in ["", "3", "0:\(anchor.hash)", "3:\(anchor.hash.uppercased())", "3:abc", "x:\(anchor.hash)"] {
            #expect(AuditHead(parsing: bad) == nil, "\(bad)")
        }
    }

    /// A copy of the database made by a backup, changed as someone with the sqlite3 shell would
    /// (triggers dropped first), opened as a store.
    static func tampered(_ fixture: Fixture, _ name: String, _ change: @escaping @Sendable (Database) throws -> Void)
        async throws -> SQLiteStore
    {
        let path = fixture.dir.appendingPathComponent("\(name).sqlite").path
        _ = try await fixture.store.backup(to: path, by: fixture.actor("multi"), at: fixture.tick())
        // The shell's way: no foreign keys either.
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        try await DatabaseQueue(path: path, configuration: configuration).write { db in
            for trigger in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'") {
                try db.execute(sql: "DROP TRIGGER \"\(trigger)\"")
            }
            try change(db)
        }
        return try SQLiteStore(path: path, policy: fixture.config.policy)
    }

    /// A store changed by `statements` as someone with full access to the database would (every
    /// trigger out of the way): on SQLite a backup's copy changed with the shell's means, on
    /// PostgreSQL a busy store of its own changed with the rules' triggers skipped.
    func tampered(_ engine: Engine, _ fixture: Fixture, _ name: String, _ statements: [String]) async throws
        -> (store: any BangfuStore, keep: Fixture?)
    {
        guard engine == .postgres else {
            let copy = try await Self.tampered(fixture, name) { db in
                for statement in statements { try db.execute(sql: statement) }
            }
            return (copy, nil)
        }
        let own = try await busyFixture(.postgres)
        try own.tamper(dropping: [], statements)
        return (own.store, own)
    }

    /// Consistent rewrites of the facts themselves, each found without any head, the entry that
    /// recorded the row named. The expected entries are looked up by what they recorded.
    @Test(arguments: Engine.allCases) func rewrittenFactsAreFoundAndTheirEntryNamed(engine: Engine) async throws {
        let fixture = try await busyFixture(engine)
        #expect(try await fixture.store.verify().ok)
        func entry(recording table: String) throws -> Int64 {
            try #require(
                try fixture.rows("SELECT MAX(f.seq) FROM audit_fact f WHERE f.tbl = ?", [table]).first?[0] as Int64?)
        }
        // The payment is two entries: its ledger transaction, then the disbursement and the case.
        let posted = try entry(recording: "ledger_posting")
        let paid = try entry(recording: "disbursement")
        #expect(posted == paid - 1)
        let archived = try entry(recording: "household")
        let approved = try entry(recording: "help_case")
        let income =
            engine == .sqlite
            ? "UPDATE household SET data = json_set(data, '$.annualIncome', 1)"
            : "UPDATE household SET data = jsonb_set(data::jsonb, '{annualIncome}', '1')::text"
        let catalogue: [(String, Int64?, [String])] = [
            (
                "a payment of ¥1,000 rewritten to ¥50 consistently: disbursement, both postings, kept balances", posted,
                [
                    "UPDATE disbursement SET amount_fen = 5000",
                    """
                    UPDATE ledger_posting SET amount_fen = CASE WHEN amount_fen < 0 THEN -5000 ELSE 5000 END
                    WHERE txn_id = (SELECT txn_id FROM disbursement)
                    """,
                    """
                    UPDATE account_balance SET balance_fen = (SELECT SUM(amount_fen) FROM ledger_posting p
                    WHERE p.account = account_balance.account)
                    """,
                ]
            ),
            ("an archive's recorded income changed", archived, [income]),
            (
                "a case's approved amount changed", approved,
                ["UPDATE help_case SET plan = replace(plan, '100000', '900000')"]
            ),
            (
                "a recorded row hash edited", paid,
                [
                    "UPDATE audit_fact SET row_hash = replace(row_hash, substr(row_hash, 1, 1), 'f') WHERE tbl = 'disbursement'"
                ]
            ),
            (
                "a payment added behind bangfud's back", nil,
                [
                    "INSERT INTO ledger_txn(kind, at_ms, business_date, actor) VALUES ('deposit', 0, '2027-02-04', 'x')",
                    """
                    INSERT INTO ledger_posting(txn_id, account, amount_fen)
                    VALUES ((SELECT MAX(id) FROM ledger_txn), 'fund:f1', 100), ((SELECT MAX(id) FROM ledger_txn), 'income:x', -100)
                    """,
                ]
            ),
        ]
        for (index, (what, named, statements)) in catalogue.enumerated() {
            let copy = try await tampered(engine, fixture, "catalogue-\(index)", statements)
            let report = try await copy.store.verify()
            #expect(!report.ok, "\(what): not found")
            if let named {
                #expect(
                    report.firstBrokenAuditRow == named,
                    "\(what): named \(String(describing: report.firstBrokenAuditRow)), not \(named)")
            }
            if named == nil {
                #expect(
                    report.problems.contains { $0.contains("no audit entry recorded") }, "\(what): \(report.problems)")
            }
        }
    }

    /// Moves on the chain itself: each found by the chain alone, the first bad row named.
    @Test(arguments: Engine.allCases) func entriesDeletedInsertedOrSwappedAreFoundByTheChain(engine: Engine)
        async throws
    {
        let fixture = try await busyFixture(engine)
        let random =
            engine == .sqlite ? "lower(hex(randomblob(32)))" : "encode(sha256(random()::text::bytea), 'hex')"
        let catalogue: [(String, Int64, [String])] = [
            (
                "a middle entry deleted (with its facts): the next one no longer links", 6,
                ["DELETE FROM audit_fact WHERE seq = 5", "DELETE FROM audit_log WHERE seq = 5"]
            ),
            (
                "an entry inserted between 5 and 6 (the later ones renumbered)", 6,
                [
                    "UPDATE audit_fact SET seq = seq + 1000 WHERE seq >= 6",
                    "UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 6",
                    """
                    INSERT INTO audit_log(seq, at_ms, actor, action, entity, entity_id, detail_hash, prev_hash, hash)
                    SELECT 6, at_ms, 'someone', 'pay', entity, entity_id, detail_hash, hash, \(random) FROM audit_log WHERE seq = 5
                    """,
                    "UPDATE audit_fact SET seq = seq - 999 WHERE seq >= 1006",
                    "UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1006",
                ]
            ),
            (
                "two entries swapped", 4,
                [
                    "UPDATE audit_log SET seq = -4 WHERE seq = 4", "UPDATE audit_log SET seq = 4 WHERE seq = 5",
                    "UPDATE audit_log SET seq = 5 WHERE seq = -4",
                ]
            ),
        ]
        for (index, (what, named, statements)) in catalogue.enumerated() {
            let copy = try await tampered(engine, fixture, "chain-\(index)", statements)
            let report = try await copy.store.verify()
            #expect(!report.ok && report.firstBrokenAuditRow == named, "\(what): \(report.problems)")
        }
    }

    /// An older backup put back over the database: it verifies on its own; the newer head kept
    /// outside finds it.
    @Test func anOlderBackupRestoredIsFoundByTheNewerHead() async throws {
        let fixture = try await Fixture()
        try await fixture.fund()
        let older = fixture.dir.appendingPathComponent("older.sqlite").path
        _ = try await fixture.store.backup(to: older, by: fixture.actor("multi"), at: fixture.tick())
        _ = try await fixture.caseIn(.disbursing, plan: .oneOff(Money(yuan: 1_000)))
        let newer = try #require(try await fixture.store.verify().head)
        let restored = try SQLiteStore(path: older, policy: fixture.config.policy)
        #expect(try await restored.verify().ok)
        let report = try await restored.verify(anchor: newer)
        #expect(!report.ok && report.anchorsLost == [newer] && report.firstBrokenAuditRow == newer.seq)
    }

    @Test func aCheckpointIsSignedAndCheckedByItsKeyOnly() async throws {
        let fixture = try await busyFixture()
        let head = try #require(try await fixture.store.auditHead())
        let key = Curve25519.Signing.PrivateKey()
        let checkpoint = try Checkpoint.signed(head, at: "2027-02-04T09:00:00+08:00", key: key)
        let read = try #require(Checkpoint(parsing: checkpoint.text))
        #expect(read == checkpoint && read.isSigned(by: key.publicKey))
        #expect(!read.isSigned(by: Curve25519.Signing.PrivateKey().publicKey))
        var moved = read
        moved.head = AuditHead(seq: head.seq - 1, hash: head.hash)
        #expect(!moved.isSigned(by: key.publicKey), "the signature covers the head")
        let publicText = key.publicKey.rawRepresentation.base64EncodedString()
        #expect(Checkpoint.publicKey(parsing: publicText + "\n")?.rawRepresentation == key.publicKey.rawRepresentation)
        for bad in [
            "", "bangfu checkpoint v2\nseq: 1", checkpoint.text.replacingOccurrences(of: "head: ", with: "head: x"),
        ] {
            #expect(Checkpoint(parsing: bad) == nil)
        }
        #expect(try await fixture.store.verify(anchor: read.head).ok)
    }
}
