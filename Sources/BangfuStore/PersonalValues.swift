import BangfuCore
import Crypto
import Foundation
import GRDB

/// The erasable store of personal values: the one table whose rows may change after they are
/// written, and only one way, by the retention job's erasure (value and salt set to NULL).
///
/// Each value is kept with a fresh random salt and `value_hash`, HMAC-SHA256 of the value under
/// that salt. The audit trail commits to the row without the value and the salt (`AuditFacts`
/// leaves those columns out), so it commits to the salted hash: after an erasure the trail still
/// verifies, and with the salt gone the hash cannot be tried against the few hundred thousand ID
/// numbers a birth date allows. While a value is kept, `verify` checks it against its hash.
enum PersonalValues {
    /// Columns the audit trail does not commit to: what erasure removes, and when.
    static let erasable = AuditedTables.personalValueErasable

    /// Migration v9: the table and its rules, the history's values moved into it, the other
    /// history tables made append-only, and stored replies made expirable.
    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE personal_value (
                    id INTEGER PRIMARY KEY,
                    household_id INTEGER NOT NULL REFERENCES household(id),
                    value_hash TEXT NOT NULL CHECK (length(value_hash) = 64),
                    salt BLOB CHECK (salt IS NULL OR length(salt) = 16),
                    value TEXT,
                    erased_ms INTEGER,
                    CHECK ((value IS NULL) = (salt IS NULL)),
                    CHECK ((value IS NULL) = (erased_ms IS NOT NULL))
                );
                CREATE INDEX personal_value_household ON personal_value(household_id);
                CREATE TRIGGER personal_value_erase_only BEFORE UPDATE ON personal_value
                WHEN NOT (OLD.value IS NOT NULL AND NEW.value IS NULL AND NEW.salt IS NULL AND NEW.erased_ms IS NOT NULL
                          AND NEW.id = OLD.id AND NEW.household_id = OLD.household_id AND NEW.value_hash = OLD.value_hash)
                BEGIN SELECT RAISE(ABORT, 'personal values are only ever erased'); END;
                CREATE TRIGGER personal_value_no_delete BEFORE DELETE ON personal_value
                BEGIN SELECT RAISE(ABORT, 'personal values are erased, never deleted'); END;
                ALTER TABLE archive_history ADD COLUMN old_ref INTEGER REFERENCES personal_value(id);
                ALTER TABLE archive_history ADD COLUMN new_ref INTEGER REFERENCES personal_value(id);
                ALTER TABLE household ADD COLUMN erased_ms INTEGER;
                ALTER TABLE request_log ADD COLUMN expired_ms INTEGER;
                """)
        // The values already in the history move into the erasable table.
        let rows = try Row.fetchAll(
            db, sql: "SELECT id, household_id, field, old_value, new_value FROM archive_history ORDER BY id")
        for row in rows where ArchiveInput.isPersonal(field: row["field"]) {
            let household: Int64 = row["household_id"]
            let oldRef = try (row["old_value"] as String?).map { value in try keep(db, household: household, value) }
            let newRef = try (row["new_value"] as String?).map { value in try keep(db, household: household, value) }
            try db.execute(
                sql:
                    "UPDATE archive_history SET old_value = NULL, new_value = NULL, old_ref = ?, new_ref = ? WHERE id = ?",
                arguments: [oldRef, newRef, row["id"] as Int64])
        }
        // The other tables that record history become append-only, as the ledger has been since v1.
        for table in ["archive_history", "contact", "reception"] {
            for event in ["UPDATE", "DELETE"] {
                try db.execute(
                    sql: """
                        CREATE TRIGGER \(table)_no_\(event.lowercased()) BEFORE \(event) ON \(table)
                        BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END;
                        """)
            }
        }
        try db.execute(
            sql: """
                CREATE TRIGGER request_log_expire_only BEFORE UPDATE ON request_log
                WHEN NOT (OLD.expired_ms IS NULL AND NEW.expired_ms IS NOT NULL AND NEW.reply = 'null'
                          AND NEW.principal = OLD.principal AND NEW.request_id = OLD.request_id
                          AND NEW.params_hash = OLD.params_hash AND NEW.created_ms = OLD.created_ms)
                BEGIN SELECT RAISE(ABORT, 'request_log keeps its requests; only a reply expires'); END;
                CREATE TRIGGER request_log_no_delete BEFORE DELETE ON request_log
                BEGIN SELECT RAISE(ABORT, 'request_log keeps its requests'); END;
                CREATE INDEX request_log_created ON request_log(created_ms) WHERE expired_ms IS NULL;
                """)
    }

    /// HMAC-SHA256 of the value under its salt, in hex.
    static func hash(_ value: String, salt: Data) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(value.utf8), using: SymmetricKey(data: salt))).hexString
    }

    /// Keeps one value of a household's with a fresh salt; returns its id.
    static func keep(_ db: Database, household: Int64, _ value: String) throws -> Int64 {
        // 16 random bytes in one call to BoringSSL's generator (UInt8.random took a getrandom
        // system call per byte: a tenth of an import's time).
        let salt = SymmetricKey(size: .bits128).withUnsafeBytes { bytes in Data(bytes) }
        try db.cachedStatement(
            sql: "INSERT INTO personal_value(household_id, value_hash, salt, value) VALUES (?, ?, ?, ?)"
        ).execute(arguments: [household, hash(value, salt: salt), salt, value])
        return db.lastInsertedRowID
    }

    /// The value kept under `id`; `ArchiveInput.erasedText` once erased.
    static func value(_ db: Database, id: Int64?) throws -> String? {
        guard let id else { return nil }
        let value = try String.fetchOne(
            db.cachedStatement(sql: "SELECT value FROM personal_value WHERE id = ?"), arguments: [id])
        return value ?? ArchiveInput.erasedText
    }

    /// Erases every value the household still has; returns how many.
    static func erase(_ db: Database, household: Int64, at: Date) throws -> Int {
        try db.cachedStatement(
            sql: """
                UPDATE personal_value SET value = NULL, salt = NULL, erased_ms = ?
                WHERE household_id = ? AND value IS NOT NULL
                """
        ).execute(arguments: [SQLiteStore.ms(at), household])
        return db.changesCount
    }

    /// Each kept value against its salted hash, and each erased one against its archive's erasure
    /// (an erasure outside the retention job is tampering).
    static func check(_ db: Database) throws -> [String] {
        guard try db.tableExists("personal_value") else { return [] }
        var problems: [String] = []
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT p.id, p.value_hash, p.salt, p.value, h.erased_ms AS household_erased
                FROM personal_value p JOIN household h ON h.id = p.household_id ORDER BY p.id
                """)
        while let row = try rows.next(), problems.count < 20 {
            let id: Int64 = row["id"]
            if let value: String = row["value"], let salt: Data = row["salt"] {
                if hash(value, salt: salt) != row["value_hash"] as String {
                    problems.append(
                        "personal_value \(id): the value does not match its salted hash (changed outside bangfud)")
                }
            } else if row["household_erased"] as Int64? == nil {
                problems.append("personal_value \(id): erased, but its archive was never erased by the retention job")
            }
        }
        return problems
    }
}
