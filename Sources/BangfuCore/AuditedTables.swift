/// The tables whose rows the audit chain commits to, with the columns that name a row for good.
///
/// One list for every store: SQLite's and PostgreSQL's triggers note the same rows under the same
/// keys, and `verify` hashes the same columns, so a store copied from one engine to the other
/// keeps its chain.
public enum AuditedTables {
    public struct Table: Sendable {
        public let name: String
        /// The key's columns (not SQLite's rowid, which VACUUM may renumber where it is not the key).
        public let key: [String]
        /// Rows that are never changed once written: a second entry for one is tampering.
        public let appendOnly: Bool
        /// The schema version that made it a fact table.
        public var since = 8
        /// Columns left out of the row's hash, whose one allowed change (an erasure) is no new fact.
        public var erasable: [String] = []
    }

    /// The personal values' columns an erasure clears.
    public static let personalValueErasable = ["value", "salt", "erased_ms"]

    public static let all: [Table] = [
        Table(name: "org_unit", key: ["id"], appendOnly: false),
        Table(name: "household", key: ["id"], appendOnly: false),
        Table(name: "archive_history", key: ["id"], appendOnly: true),
        Table(name: "help_case", key: ["id"], appendOnly: false),
        Table(name: "case_event", key: ["id"], appendOnly: true),
        Table(name: "fund", key: ["id"], appendOnly: false),
        Table(name: "ledger_txn", key: ["id"], appendOnly: true),
        Table(name: "ledger_posting", key: ["id"], appendOnly: true),
        Table(name: "disbursement", key: ["case_id", "instalment"], appendOnly: true),
        Table(name: "fund_transfer", key: ["id"], appendOnly: false),
        Table(name: "campaign_run", key: ["id"], appendOnly: false),
        Table(name: "campaign_member", key: ["run_id", "household_id"], appendOnly: false),
        Table(name: "visit", key: ["id"], appendOnly: false),
        Table(name: "pairing", key: ["id"], appendOnly: false),
        Table(name: "contact", key: ["id"], appendOnly: true),
        Table(name: "income_record", key: ["household_id", "month"], appendOnly: false),
        Table(name: "reception", key: ["id"], appendOnly: true),
        Table(name: "personal_value", key: ["id"], appendOnly: true, since: 9, erasable: personalValueErasable),
        Table(name: "case_form", key: ["case_id", "version"], appendOnly: true, since: 10),
    ]
}
