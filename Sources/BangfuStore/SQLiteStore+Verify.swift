import BangfuCore
import Foundation
import BangfuSQL
import GRDB

extension SQLiteStore {
    public func backup(to path: String, by actor: Actor, at: Date) async throws -> VerificationReport {
        guard path.hasPrefix("/") else {
            throw BangfuError(.invalidInput, zh: "备份路径必须是绝对路径", en: "the backup path must be absolute")
        }
        // The copy is written beside its final name, created here 0600 and exclusively (a file or a
        // link already there is refused, never followed), and takes the final name with link(2),
        // which never replaces an existing file either.
        let partial = path + ".partial"
        let reserved = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard reserved >= 0 else {
            throw BangfuError(
                .storage, zh: "无法创建 \(partial)：\(String(cString: strerror(errno)))（已存在的不会被覆盖）",
                en: "cannot create \(partial): \(String(cString: strerror(errno))) (an existing one is never replaced)")
        }
        close(reserved)
        let pool = self.pool
        let policy = self.policy
        func discard() { for suffix in ["", "-journal", "-wal", "-shm"] { unlink(partial + suffix) } }
        do {
            try await Task.detached {
                let dest = try DatabaseQueue(path: partial)
                try pool.backup(to: dest)
                try dest.close()
            }.value
        } catch {
            discard()
            throw SQLiteStore.mapError(error, path: partial)
        }
        let copy = try SQLiteStore(path: partial, policy: policy)
        let report = try await copy.verify()
        copy.readers.close()
        try copy.pool.close()
        guard report.ok else {
            discard()
            throw BangfuError(
                .storage, zh: "备份校验失败：\(report.problems.joined(separator: "; "))",
                en: "the backup does not verify: \(report.problems.joined(separator: "; "))")
        }
        for suffix in ["-journal", "-wal", "-shm"] { unlink(partial + suffix) }
        guard link(partial, path) == 0 else {
            let reason = String(cString: strerror(errno))
            discard()
            throw BangfuError(
                .duplicate, zh: "无法将备份命名为 \(path)：\(reason)（备份不覆盖已有文件）",
                en: "cannot name the backup \(path): \(reason) (a backup never replaces a file)")
        }
        unlink(partial)
        _ = try await write { db in
            try db.driver.appendAudit(
                at: at, actor: actor.id, action: "backup", entity: "database", entityId: path)
            return Empty()
        }
        return report
    }

    /// Records, in one audit entry, the rows a bulk load wrote into the file by SQL (a load tool's
    /// synthetic data): without it they would be rows no entry recorded.
    public func recordBulkWrite(action: String, by actor: Actor, at: Date) async throws {
        _ = try await write { db in
            try db.driver.appendAudit(at: at, actor: actor.id, action: action, entity: "database", entityId: action)
            return Empty()
        }
    }

    public func verify(anchors: [AuditHead]) async throws -> VerificationReport {
        try await readAsideSQLite { db in
            var problems: [String] = []
            var firstBroken: Int64?
            var prev = Audit.genesis
            var expected: Int64 = 1
            var rows = 0
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit_log ORDER BY seq")
            while let r = try cursor.next() {
                rows += 1
                let seq: Int64 = r["seq"]
                let recomputed = Audit.sha256(
                    Audit.canonical(
                        seq: seq, atMs: r["at_ms"], actor: r["actor"], action: r["action"],
                        entity: r["entity"], entityId: r["entity_id"],
                        detailHash: r["detail_hash"], prevHash: r["prev_hash"]))
                var why: String?
                if seq != expected {
                    why = "audit row \(seq): expected row \(expected) (a row is missing)"
                } else if r["prev_hash"] as String != prev {
                    why = "audit row \(seq): its previous-hash does not match row \(seq - 1)"
                } else if r["hash"] as String != recomputed {
                    why = "audit row \(seq): its content does not match its hash (changed after writing)"
                }
                if let why, firstBroken == nil {
                    firstBroken = seq
                    problems.append(why)
                }
                prev = r["hash"]
                expected = seq + 1
            }
            let head = rows > 0 ? AuditHead(seq: expected - 1, hash: prev) : nil
            let facts = try AuditFacts.check(db)
            problems += facts.problems
            problems += try PersonalValues.check(SQLiteDriver.database(db))
            if let seq = facts.firstBroken { firstBroken = min(firstBroken ?? seq, seq) }
            // Anchors were taken from this chain: each entry must still be there, unchanged.
            let shared = SQLiteDriver.database(db)
            let anchored = try StoreSQL.lostAnchors(shared, anchors, lastSeq: expected - 1)
            if let problem = anchored.problem, let first = anchored.lost.first {
                problems.append(problem)
                firstBroken = min(firstBroken ?? first.seq, first.seq)
            }
            let lost = anchored.lost
            problems += try StoreSQL.ledgerProblems(shared)
            let txns = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_txn") ?? 0
            if let ic = try String.fetchOne(db, sql: "PRAGMA quick_check"), ic != "ok" {
                problems.append("SQLite quick_check: \(ic)")
            }
            return VerificationReport(
                auditRows: rows, ledgerTransactions: txns, firstBrokenAuditRow: firstBroken, problems: problems,
                head: head, anchorsLost: lost)
        }
    }
}
