import BangfuCore

/// The audit chain's facts checked by PostgreSQL itself: every audited row's canonical text made
/// by PostgreSQL (SQLite's `quote()` of each column in table order, the erasable ones left out),
/// hashed with its `sha256`, against what the row's last audit entry recorded.
///
/// What SQLite's `verify` does with its own row texts; equal answers on both engines are what let a
/// store move from one to the other with its chain.
public enum PostgresAudit {
    /// How many audited rows were checked, and the first problems found (at most 20).
    public static func checkFacts(_ connection: PGConnection) throws -> (checked: Int, problems: [String]) {
        var current: [String] = []
        for table in AuditedTables.all {
            let types = try connection.execute(
                """
                SELECT column_name, data_type FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position
                """, [table.name])
            let columns = (0..<types.count).compactMap { index -> String? in
                guard let name = types.text(index, "column_name"), !table.erasable.contains(name) else { return nil }
                return quoted("t.\"\(name)\"", type: types.text(index, "data_type") ?? "text")
            }
            let key =
                "'[' || " + table.key.map { "to_json(t.\"\($0)\")::text" }.joined(separator: " || ',' || ") + " || ']'"
            current.append(
                """
                SELECT '\(table.name)' AS tbl, \(key) AS key,
                    encode(sha256(convert_to(\(columns.joined(separator: " || chr(31) || ")), 'UTF8')), 'hex') AS row_hash
                FROM \(table.name) t
                """)
        }
        let rows = try connection.execute(
            """
            WITH latest AS (
                SELECT DISTINCT ON (tbl, key) tbl, key, row_hash FROM audit_fact ORDER BY tbl, key, seq DESC
            ), current AS (
                \(current.joined(separator: "\nUNION ALL\n"))
            )
            SELECT coalesce(l.tbl, c.tbl) AS tbl, coalesce(l.key, c.key) AS key,
                CASE WHEN l.row_hash IS NULL THEN 'a row no audit entry recorded'
                     ELSE 'not as its last audit entry recorded it (changed or deleted outside bangfud)' END AS problem
            FROM latest l FULL JOIN current c ON c.tbl = l.tbl AND c.key = l.key
            WHERE c.row_hash IS DISTINCT FROM l.row_hash
              AND NOT (c.row_hash IS NULL AND l.row_hash = encode(sha256('deleted'), 'hex'))
            ORDER BY 1, 2 LIMIT 20
            """)
        let problems = (0..<rows.count).map { index in
            "\(rows.text(index, "tbl") ?? "") \(rows.text(index, "key") ?? ""): \(rows.text(index, "problem") ?? "")"
        }
        let checked = try connection.execute(
            "SELECT " + AuditedTables.all.map { "(SELECT count(*) FROM \($0.name))" }.joined(separator: " + ") + " AS n"
        ).int(0, "n")
        return (Int(checked ?? 0), problems)
    }

    /// One column as SQLite's `quote()` spells it: 5, 'it''s', X'0A', NULL.
    static func quoted(_ column: String, type: String) -> String {
        switch type {
        case "bytea": return "coalesce('X''' || upper(encode(\(column), 'hex')) || '''', 'NULL')"
        case "text": return "coalesce('''' || replace(\(column), '''', '''''') || '''', 'NULL')"
        default: return "coalesce(\(column)::text, 'NULL')"
        }
    }
}
