import BangfuCore
import Crypto
import Foundation

/// The erasable store of personal values: the one table whose rows may change after they are
/// written, and only one way, by the retention job's erasure (value and salt set to NULL).
///
/// Each value is kept with a fresh random salt and `value_hash`, HMAC-SHA256 of the value under
/// that salt. The audit trail commits to the row without the value and the salt (`AuditFacts`
/// leaves those columns out), so it commits to the salted hash: after an erasure the trail still
/// verifies, and with the salt gone the hash cannot be tried against the few hundred thousand ID
/// numbers a birth date allows. While a value is kept, `verify` checks it against its hash.
public enum PersonalValues {
    /// Columns the audit trail does not commit to: what erasure removes, and when.
    public static let erasable = AuditedTables.personalValueErasable

    /// HMAC-SHA256 of the value under its salt, in hex.
    public static func hash(_ value: String, salt: Data) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(value.utf8), using: SymmetricKey(data: salt))).hexString
    }

    /// Keeps one value of a household's with a fresh salt; returns its id.
    public static func keep(_ db: SQLDatabase, household: Int64, _ value: String) throws -> Int64 {
        // 16 random bytes in one call to BoringSSL's generator (UInt8.random took a getrandom
        // system call per byte: a tenth of an import's time).
        let salt = SymmetricKey(size: .bits128).withUnsafeBytes { bytes in Data(bytes) }
        let insertedId = try db.cachedStatement(
            sql: "INSERT INTO personal_value(household_id, value_hash, salt, value) VALUES (?, ?, ?, ?)"
        ).insert(arguments: [household, hash(value, salt: salt), salt, value])
        return insertedId
    }

    /// The value kept under `id`; `ArchiveInput.erasedText` once erased.
    static func value(_ db: SQLDatabase, id: Int64?) throws -> String? {
        guard let id else { return nil }
        let value = try String.fetchOne(
            db.cachedStatement(sql: "SELECT value FROM personal_value WHERE id = ?"), arguments: [id])
        return value ?? ArchiveInput.erasedText
    }

    /// Erases every value the household still has; returns how many.
    static func erase(_ db: SQLDatabase, household: Int64, at: Date) throws -> Int {
        try db.cachedStatement(
            sql: """
                UPDATE personal_value SET value = NULL, salt = NULL, erased_ms = ?
                WHERE household_id = ? AND value IS NOT NULL
                """
        ).execute(arguments: [StoreSQL.ms(at), household])
        return db.changesCount
    }

    /// Each kept value against its salted hash, and each erased one against its archive's erasure
    /// (an erasure outside the retention job is tampering).
    public static func check(_ db: SQLDatabase) throws -> [String] {
        var problems: [String] = []
        try SQLRow.forEach(
            db,
            sql: """
                SELECT p.id, p.value_hash, p.salt, p.value, h.erased_ms AS household_erased
                FROM personal_value p JOIN household h ON h.id = p.household_id ORDER BY p.id
                """
        ) { row in
            let id: Int64 = row["id"]
            if let value: String = row["value"], let salt: Data = row["salt"] {
                if hash(value, salt: salt) != row["value_hash"] as String {
                    problems.append(
                        "personal_value \(id): the value does not match its salted hash (changed outside bangfud)")
                }
            } else if row["household_erased"] as Int64? == nil {
                problems.append("personal_value \(id): erased, but its archive was never erased by the retention job")
            }
            return problems.count < 20
        }
        return problems
    }
}
