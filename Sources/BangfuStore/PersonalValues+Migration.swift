import BangfuCore
import BangfuSQL
import Foundation
import GRDB

/// SQLite's migration to the erasable store of personal values (`PersonalValues`).
enum PersonalValuesMigration {
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
            let oldRef = try (row["old_value"] as String?).map { value in
                try PersonalValues.keep(SQLiteDriver.database(db), household: household, value)
            }
            let newRef = try (row["new_value"] as String?).map { value in
                try PersonalValues.keep(SQLiteDriver.database(db), household: household, value)
            }
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
}
