/// The texts the audit chain hashes, the same for every store (each hashes them with SHA-256), so
/// that a chain copied from SQLite to PostgreSQL verifies on both and goes on as one line.
public enum AuditChain {
    /// The previous hash of the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// An entry's text; fields are separated by a byte that cannot occur in them.
    public static func entryText(
        seq: Int64, atMs: Int64, actor: String, action: String, entity: String, entityId: String,
        detailHash: String, prevHash: String
    ) -> String {
        [String(seq), String(atMs), actor, action, entity, entityId, detailHash, prevHash].joined(separator: "\u{1F}")
    }

    /// The text of an entry's facts (table, key, row hash), in (table, key) byte order: its detail.
    public static func factsText(_ facts: [(tbl: String, key: String, rowHash: String)]) -> String {
        facts.map { fact in "\(fact.tbl)\u{1F}\(fact.key)\u{1F}\(fact.rowHash)\n" }.joined()
    }
}
