import BangfuCore
import Foundation

extension SQLStore {
    /// Everything kept about the household `archiveNo`, in one read transaction.
    public func householdFile(archiveNo: String) async throws -> HouseholdFile {
        try await readAside { db in
            let household = try StoreSQL.loadHousehold(db, archiveNo: archiveNo)
            let id = household.id
            let cases = try SQLRow.fetchAll(
                db.cachedStatement(sql: StoreSQL.selectCase + " WHERE household_id = ? ORDER BY id"), arguments: [id]
            ).map(StoreSQL.helpCase(from:))
            let caseNumbers = Dictionary(cases.map { ($0.id, $0.caseNo) }, uniquingKeysWith: { first, _ in first })
            let payments = try SQLRow.fetchAll(
                db.cachedStatement(
                    sql: StoreSQL.selectDisbursement
                        + " WHERE case_id IN (SELECT id FROM help_case WHERE household_id = ?) ORDER BY paid_ms, case_id, instalment"
                ), arguments: [id]
            ).map { row in
                let paid = StoreSQL.disbursement(from: row)
                return HouseholdFile.Payment(caseNo: caseNumbers[paid.caseId] ?? "", disbursement: paid)
            }
            let visits = try SQLRow.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT v.*, h.archive_no FROM visit v JOIN household h ON h.id = v.household_id
                        WHERE v.household_id = ? ORDER BY v.due_on, v.id
                        """), arguments: [id]
            ).map(StoreSQL.visit(from:))
            let contacts = try SQLRow.fetchAll(
                db.cachedStatement(
                    sql: "SELECT at_ms, helper, kind, note FROM contact WHERE household_id = ? ORDER BY at_ms, id"),
                arguments: [id]
            ).map { row in
                HouseholdFile.Contact(at: StoreSQL.date(ms: row[0]), helper: row[1], kind: row[2], note: row[3])
            }
            let incomes = try SQLRow.fetchAll(
                db.cachedStatement(
                    sql: "SELECT month, per_capita_fen FROM income_record WHERE household_id = ? ORDER BY month"),
                arguments: [id]
            ).map { row in HouseholdFile.Income(month: row[0], perCapita: Money(fen: row[1])) }
            let helpers = try String.fetchAll(
                db.cachedStatement(
                    sql: "SELECT helper FROM pairing WHERE household_id = ? AND until_ms IS NULL ORDER BY id"),
                arguments: [id])
            let reviews = try SQLRow.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT at_ms, actor FROM archive_history
                        WHERE household_id = ? AND action = 'review_archive' AND field = 'review_due' ORDER BY id
                        """), arguments: [id]
            ).map { row in HouseholdFile.Review(at: StoreSQL.date(ms: row[0]), by: row[1]) }
            return HouseholdFile(
                household: household, helpers: helpers, cases: cases, payments: payments, visits: visits,
                contacts: contacts, incomes: incomes, reviews: reviews)
        }
    }

    /// Archives in `units` whose head or a member has a name beginning with `namePrefix`, or who
    /// holds the ID number `idNumber` (exact); by archive number, at most `limit`.
    public func searchHouseholds(units: [String], namePrefix: String?, idNumber: String?, limit: Int) async throws
        -> [Household]
    {
        guard !units.isEmpty else { return [] }
        return try await readAside { db in
            var conditions: [String] = []
            var arguments = SQLArguments(units)
            if let idNumber {
                conditions.append(
                    "h.id IN (SELECT household_id FROM household_person WHERE id_number = ?)")
                arguments += [idNumber]
            }
            if let namePrefix {
                // substr counts characters, so a prefix of Chinese names matches as typed (no LIKE escapes).
                let length = namePrefix.count
                conditions.append(
                    """
                    (substr(\(db.dialect.jsonText("h.data", ["head", "name"])), 1, CAST(? AS INTEGER)) = ?
                     OR EXISTS (SELECT 1 FROM \(db.dialect.jsonElements("h.data", "members", as: "m"))
                                WHERE substr(\(db.dialect.jsonText("m.value", ["name"])), 1, CAST(? AS INTEGER)) = ?))
                    """)
                arguments += [length, namePrefix, length, namePrefix]
            }
            let sql = """
                SELECT h.* FROM household h WHERE h.unit_id IN (\(StoreSQL.inList(units.count)))
                \(conditions.map { " AND " + $0 }.joined()) ORDER BY h.archive_no LIMIT \(max(1, min(limit, 1_000)))
                """
            return try SQLRow.fetchAll(db, sql: sql, arguments: arguments).map(StoreSQL.household(from:))
        }
    }
}
