import BangfuCore
import Foundation

extension SQLStore {
    /// Each unit's report figures over the window, rolled up over its subtree. One read transaction,
    /// so every section is taken from the same state (and matches the audit head read beside it).
    public func unitFigures(_ window: ReportWindow) async throws -> [String: UnitFigures] {
        try await readAside { db in
            var own: [String: UnitFigures] = [:]
            let start = StoreSQL.ms(window.start)
            let end = StoreSQL.ms(window.end)
            let days: [any SQLValueConvertible] = [window.from.description, window.to.description]
            func each(
                _ sql: String, _ arguments: [any SQLValueConvertible], _ body: (SQLRow, inout UnitFigures) -> Void
            )
                throws
            {
                for row in try SQLRow.fetchAll(db, sql: sql, arguments: SQLArguments(arguments)) {
                    body(row, &own[row["unit_id"] as String, default: UnitFigures()])
                }
            }
            // Archives: open and closed at the end, opened, closed and re-entered within.
            try each(
                """
                SELECT unit_id, COALESCE(category, 'none') AS category, \(db.dialect.jsonText("data", ["mainCause"])) AS cause,
                       created_ms < ? AND (closed_ms IS NULL OR closed_ms >= ?) AS open_at_end,
                       closed_ms IS NOT NULL AND closed_ms < ? AS closed_by_end,
                       created_ms >= ? AND created_ms < ? AS opened_within,
                       closed_ms IS NOT NULL AND closed_ms >= ? AND closed_ms < ? AS closed_within,
                       created_ms >= ? AND created_ms < ? AND EXISTS (
                           SELECT 1 FROM household_person mine JOIN household_person earlier
                             ON earlier.id_number = mine.id_number AND earlier.household_id <> mine.household_id
                           JOIN household before ON before.id = earlier.household_id
                           WHERE mine.household_id = household.id AND before.closed_ms <= household.created_ms
                       ) AS reentered
                FROM household
                """, [end, end, end, start, end, start, end, start, end]
            ) { row, figures in
                if row["open_at_end"] as Bool {
                    figures.openArchives += 1
                    figures.archivesByCategory[row["category"], default: 0] += 1
                    figures.lines[FigureKey(.archivesByCause, row["cause"] ?? ""), default: Tally()].count += 1
                }
                if row["closed_by_end"] as Bool { figures.closedArchives += 1 }
                if row["opened_within"] as Bool { figures.newArchives += 1 }
                if row["closed_within"] as Bool { figures.exitedArchives += 1 }
                if row["reentered"] as Bool { figures.reenteredArchives += 1 }
            }
            // Cases: every case by its stage now; those filed within by help type and stage.
            try each(
                """
                SELECT unit_id, help_type, state, COUNT(*) AS n, SUM(CASE WHEN created_ms >= ? AND created_ms < ? THEN 1 ELSE 0 END) AS filed
                FROM help_case GROUP BY 1, 2, 3
                """, [start, end]
            ) { row, figures in
                figures.casesByState[row["state"], default: 0] += row["n"] as Int
                let filed: Int = row["filed"]
                if filed > 0 {
                    figures.lines[FigureKey(.casesByType, row["help_type"], row["state"])] = Tally(count: filed)
                }
            }
            // Money paid out within, by help type and fund source; a loan paid out is lent, not aid.
            try each(
                """
                SELECT c.unit_id, c.help_type, f.source, t.kind, SUM(d.amount_fen) AS fen, COUNT(*) AS n
                FROM disbursement d JOIN help_case c ON c.id = d.case_id JOIN ledger_txn t ON t.id = d.txn_id
                JOIN fund f ON f.id = d.fund_id
                WHERE t.business_date BETWEEN ? AND ? GROUP BY 1, 2, 3, 4
                """, days
            ) { row, figures in
                let tally = Tally(count: row["n"], amount: Money(fen: row["fen"]))
                figures.personTimes += tally.count
                if row["kind"] as String == "loan_out" {
                    figures.lent = figures.lent + tally.amount
                    figures.lines[FigureKey(.loansByType, row["help_type"], "lent"), default: Tally()] += tally
                } else {
                    figures.paid = figures.paid + tally.amount
                    figures.payments += tally.count
                    figures.lines[FigureKey(.paidByType, row["help_type"], row["source"]), default: Tally()] += tally
                }
            }
            try each(
                """
                SELECT c.unit_id, c.help_type, SUM(p.amount_fen) AS fen, COUNT(DISTINCT t.id) AS n
                FROM ledger_txn t JOIN help_case c ON c.id = t.case_id JOIN ledger_posting p ON p.txn_id = t.id
                WHERE t.kind = 'repayment' AND p.account LIKE 'fund:%' AND p.amount_fen > 0
                  AND t.business_date BETWEEN ? AND ? GROUP BY 1, 2
                """, days
            ) { row, figures in
                let tally = Tally(count: row["n"], amount: Money(fen: row["fen"]))
                figures.repaid = figures.repaid + tally.amount
                figures.lines[FigureKey(.loansByType, row["help_type"], "repaid"), default: Tally()] += tally
            }
            // Receptions within: 接待N人次，帮扶M人次.
            try each(
                """
                SELECT unit_id, channel, outcome, COUNT(*) AS n FROM reception
                WHERE business_date BETWEEN ? AND ? GROUP BY 1, 2, 3
                """, days
            ) { row, figures in
                let count: Int = row["n"]
                figures.receptions += count
                if row["outcome"] as String == "helped" { figures.receptionsHelped += count }
                figures.lines[FigureKey(.receptions, row["channel"], row["outcome"])] = Tally(count: count)
            }
            // Visits done within, and those due by the end but not done by then (cancelled ones aside).
            try each(
                """
                SELECT unit_id, kind, SUM(CASE WHEN status = 'visited' AND visited_ms >= ? AND visited_ms < ? THEN 1 ELSE 0 END) AS done,
                       SUM(CASE WHEN status <> 'cancelled' AND due_on <= ? AND (visited_ms IS NULL OR visited_ms >= ?) THEN 1 ELSE 0 END)
                           AS overdue
                FROM visit GROUP BY 1, 2
                """, [start, end, window.to.description, end]
            ) { row, figures in
                for detail in ["done", "overdue"] where (row[detail] as Int? ?? 0) > 0 {
                    figures.lines[FigureKey(.visits, row["kind"], detail)] = Tally(count: row[detail])
                }
            }
            // Pairing contacts made within, by kind.
            try each(
                """
                SELECT h.unit_id, c.kind, COUNT(*) AS n FROM contact c JOIN household h ON h.id = c.household_id
                WHERE c.at_ms >= ? AND c.at_ms < ? GROUP BY 1, 2
                """, [start, end]
            ) { row, figures in
                figures.lines[FigureKey(.contacts, row["kind"])] = Tally(count: row["n"])
            }
            // Households paired at the end whose last contact by then (or the pairing) is older than the interval.
            let cutoff = StoreSQL.ms(window.end.addingTimeInterval(-Double(window.contactIntervalDays) * 86_400))
            try each(
                """
                SELECT h.unit_id, COUNT(*) AS n FROM household h WHERE h.created_ms < ?
                  AND (h.closed_ms IS NULL OR h.closed_ms >= ?)
                  AND EXISTS (SELECT 1 FROM pairing p WHERE p.household_id = h.id AND p.since_ms < ?
                              AND (p.until_ms IS NULL OR p.until_ms >= ?))
                  AND COALESCE(
                        (SELECT MAX(c.at_ms) FROM contact c WHERE c.household_id = h.id AND c.at_ms < ?),
                        (SELECT MIN(p.since_ms) FROM pairing p WHERE p.household_id = h.id)) < ?
                GROUP BY 1
                """, [end, end, end, end, end, cutoff]
            ) { row, figures in
                figures.lines[FigureKey(.contacts, "overdue")] = Tally(count: row["n"])
            }
            // Campaigns whose holiday falls within: members by outcome and the amounts planned, by the household's unit.
            try each(
                """
                SELECT h.unit_id, r.campaign_id || '@' || r.holiday_date AS run, m.outcome,
                       COUNT(*) AS n, SUM(m.amount_fen) AS fen,
                       SUM(CASE WHEN EXISTS (SELECT 1 FROM visit v WHERE v.run_id = r.id AND v.household_id = m.household_id
                                             AND v.status = 'visited') THEN 1 ELSE 0 END) AS visited
                FROM campaign_member m JOIN campaign_run r ON r.id = m.run_id JOIN household h ON h.id = m.household_id
                WHERE r.holiday_date BETWEEN ? AND ? GROUP BY 1, 2, 3
                """, days
            ) { row, figures in
                figures.lines[FigureKey(.campaigns, row["run"], row["outcome"])] = Tally(
                    count: row["n"], amount: Money(fen: row["fen"]))
                let visited: Int = row["visited"]
                if visited > 0 {
                    figures.lines[FigureKey(.campaigns, row["run"], "visited"), default: Tally()].count += visited
                }
            }
            return try StoreSQL.loadTree(db).rollUp(own)
        }
    }
}

extension Tally {
    fileprivate static func += (total: inout Tally, more: Tally) { total = total + more }
}
