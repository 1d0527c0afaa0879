import BangfuCore
import Foundation

extension StoreSQL {

    static func rekeyForms(_ db: SQLDatabase, _ keying: RefKeying) throws -> Int {
        let cases = try SQLRow.fetchAll(
            db, sql: "SELECT id, household_id, form FROM help_case WHERE form <> '{}' ORDER BY household_id")
        var refsByHousehold: [Int64: [String: String]] = [:]
        var rewritten = 0
        for row in cases {
            let householdId: Int64 = row["household_id"]
            if refsByHousehold[householdId] == nil {
                refsByHousehold[householdId] = try refs(db, household: householdId, keying)
            }
            guard let form = try keying.rewrite(row["form"], refsByHousehold[householdId] ?? [:]) else { continue }
            try db.execute(sql: "UPDATE help_case SET form = ? WHERE id = ?", arguments: [form, row["id"] as Int64])
            rewritten += 1
        }
        return rewritten
    }

    /// Old -> new refs of everyone the archive ever held: its members now and the ID numbers its
    /// history records (a member removed since may be named by an older form).
    private static func refs(_ db: SQLDatabase, household id: Int64, _ keying: RefKeying) throws -> [String: String] {
        let household = try loadHousehold(db, id: id)
        var numbers = Set(household.input.idNumbers.map(\.value))
        let recorded = try String.fetchAll(
            db,
            sql: """
                SELECT old_value FROM archive_history WHERE household_id = ? AND field LIKE '%idNumber' AND old_value IS NOT NULL
                UNION SELECT new_value FROM archive_history WHERE household_id = ? AND field LIKE '%idNumber' AND new_value IS NOT NULL
                """, arguments: [id, id])
        numbers.formUnion(recorded)
        let ids = numbers.sorted().map(IDNumber.init(stored:))
        return keying.refsOf(household.archiveNo, ids)
    }
}

extension SQLStore {
    /// Makes sure the refs stored in forms were made with this secret. The first time (a database
    /// written before refs were keyed, or a new one), every form's unkeyed refs are replaced by keyed
    /// ones in one audited write, so a rule comparing them ("once per student and school year")
    /// still holds; after that a different secret is refused, never used to make refs that match
    /// nothing stored. Returns how many forms were rewritten.
    @discardableResult
    public func keyRefs(_ keying: RefKeying, at: Date) async throws -> Int {
        try await write { db in
            let kept = try Int64.fetchOne(db, sql: "SELECT value FROM audit_meta WHERE name = 'ref_key'")
            if let kept {
                guard kept == keying.fingerprint else {
                    throw BangfuError(
                        .invalidConfig,
                        zh: "密钥 ref-key 与数据库中表单引用所用的不同：请恢复原来的 ref-key（状态目录或 systemd 凭据），否则已存引用将全部失配",
                        en:
                            "the secret ref-key is not the one the refs stored in forms were made with: restore the original ref-key (state directory or systemd credential), or every stored ref stops matching"
                    )
                }
                return 0
            }
            let rewritten = try StoreSQL.rekeyForms(db, keying)
            try db.execute(
                sql: "INSERT INTO audit_meta(name, value) VALUES ('ref_key', ?)", arguments: [keying.fingerprint])
            if rewritten > 0 {
                try db.driver.appendAudit(
                    at: at, actor: Actor.system.id, action: "refs_keyed", entity: "database",
                    entityId: String(rewritten))
            }
            return rewritten
        }
    }
}
