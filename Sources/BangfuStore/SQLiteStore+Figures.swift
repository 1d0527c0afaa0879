import BangfuCore
import Foundation
import GRDB

extension SQLiteStore {
    public func unitFigures(from: LocalDate, to: LocalDate) async throws -> [String: UnitFigures] {
        try await readAside { db in
            var own: [String: UnitFigures] = [:]
            for r in try Row.fetchAll(
                db,
                sql: """
                    SELECT unit_id, status, COALESCE(category, 'none') AS category, COUNT(*) AS n FROM household GROUP BY 1, 2, 3
                    """)
            {
                let unit: String = r["unit_id"], n: Int = r["n"]
                if r["status"] as String == "open" {
                    own[unit, default: UnitFigures()].openArchives += n
                    own[unit, default: UnitFigures()].archivesByCategory[r["category"], default: 0] += n
                } else {
                    own[unit, default: UnitFigures()].closedArchives += n
                }
            }
            for r in try Row.fetchAll(db, sql: "SELECT unit_id, state, COUNT(*) AS n FROM help_case GROUP BY 1, 2") {
                own[r["unit_id"], default: UnitFigures()].casesByState[r["state"]] = r["n"]
            }
            for r in try Row.fetchAll(
                db,
                sql: """
                    SELECT c.unit_id, t.kind, SUM(d.amount_fen) AS fen, COUNT(*) AS n FROM disbursement d
                    JOIN help_case c ON c.id = d.case_id JOIN ledger_txn t ON t.id = d.txn_id
                    WHERE t.business_date BETWEEN ? AND ? GROUP BY 1, 2
                    """, arguments: [from.description, to.description])
            {
                // A loan paid out is lent, not aid paid.
                if r["kind"] as String == "loan_out" {
                    own[r["unit_id"], default: UnitFigures()].lent = Money(fen: r["fen"])
                } else {
                    own[r["unit_id"], default: UnitFigures()].paid = Money(fen: r["fen"])
                    own[r["unit_id"], default: UnitFigures()].payments = r["n"]
                }
            }
            return try SQLiteStore.loadTree(db).rollUp(own)
        }
    }
}
