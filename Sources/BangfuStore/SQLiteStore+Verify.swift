import BangfuCore
import Foundation
import GRDB

extension SQLiteStore {
    public func backup(to path: String) async throws -> VerificationReport {
        guard path.hasPrefix("/") else {
            throw BangfuError(.invalidInput, zh: "备份路径必须是绝对路径", en: "the backup path must be absolute")
        }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw BangfuError(
                .duplicate, zh: "\(path) 已存在：备份不覆盖已有文件", en: "\(path) exists: a backup never overwrites a file")
        }
        let partial = path + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        let pool = self.pool
        let policy = self.policy
        do {
            try await Task.detached {
                let dest = try DatabaseQueue(path: partial)
                try pool.backup(to: dest)
                try dest.close()
            }.value
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw SQLiteStore.mapError(error, path: partial)
        }
        let copy = try SQLiteStore(path: partial, policy: policy)
        let report = try await copy.verify()
        guard report.ok else {
            throw BangfuError(
                .storage, zh: "备份校验失败：\(report.problems.joined(separator: "; "))",
                en: "the backup does not verify: \(report.problems.joined(separator: "; "))")
        }
        try copy.pool.close()
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: partial + suffix) }
        guard rename(partial, path) == 0 else {
            throw BangfuError(.storage, zh: "无法将备份改名为 \(path)", en: "cannot rename the backup to \(path)")
        }
        return report
    }

    public func verify() async throws -> VerificationReport {
        try await readAside { db in
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
            let unbalanced = try Int64.fetchAll(
                db,
                sql: """
                    SELECT t.id FROM ledger_txn t LEFT JOIN ledger_posting p ON p.txn_id = t.id
                    GROUP BY t.id HAVING COALESCE(SUM(p.amount_fen), 0) <> 0 OR COUNT(p.id) < 2 LIMIT 10
                    """)
            for t in unbalanced { problems.append("ledger transaction \(t) does not balance") }
            let negative = try String.fetchAll(
                db,
                sql: """
                    SELECT account FROM ledger_posting WHERE account LIKE 'fund:%' GROUP BY account HAVING SUM(amount_fen) < 0
                    """)
            for a in negative { problems.append("\(a) is overdrawn") }
            let drifted = try String.fetchAll(
                db,
                sql: """
                    SELECT COALESCE(b.account, l.account) FROM account_balance b
                    FULL OUTER JOIN (SELECT account, SUM(amount_fen) AS fen FROM ledger_posting GROUP BY account) l ON l.account = b.account
                    WHERE b.balance_fen IS NOT l.fen LIMIT 10
                    """)
            for a in drifted { problems.append("\(a): the kept balance differs from the sum of its postings") }
            let badPaid = try String.fetchAll(
                db,
                sql: """
                    SELECT c.case_no FROM help_case c WHERE c.instalments_paid <> (SELECT COUNT(*) FROM disbursement d WHERE d.case_id = c.id)
                    """)
            for c in badPaid { problems.append("case \(c): instalments paid do not match its disbursements") }
            let txns = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_txn") ?? 0
            if let ic = try String.fetchOne(db, sql: "PRAGMA quick_check"), ic != "ok" {
                problems.append("SQLite quick_check: \(ic)")
            }
            return VerificationReport(
                auditRows: rows, ledgerTransactions: txns, firstBrokenAuditRow: firstBroken, problems: problems)
        }
    }
}
