import BangfuCore
import Crypto
import Foundation

/// The audit chain in PostgreSQL: entries appended and verified with the same texts and hashes as
/// SQLite's (`AuditChain`, `AuditedTables`), every audited row's canonical text made by PostgreSQL
/// itself (SQLite's `quote()` of each column in table order, the erasable ones left out).
///
/// Equal answers on both engines are what let a store move from one to the other with its chain,
/// and go on appending to it as one line.
public struct PostgresAudit: Sendable {
    /// One audited table as SQL over the alias `t`: its row text, its key's spelling, and the
    /// condition that matches a noted key `p.key` (using the key's index).
    struct TableText: Sendable {
        let table: AuditedTables.Table
        let rowText: String
        let keyText: String
        let keyMatch: String
    }

    let tables: [TableText]

    /// The advisory lock every append holds until its transaction ends: one line of hashes, however
    /// many instances write ("bfaudit").
    static let appendLock: Int64 = 0x62_6661_7564_6974

    /// Reads the audited tables' column types once.
    public init(_ connection: PGConnection) throws {
        tables = try AuditedTables.all.map { table in
            let stored = try connection.columns(of: table.name)
            let typeOf = Dictionary(uniqueKeysWithValues: stored.map { column in (column.name, column.type) })
            let columns = stored.filter { column in !table.erasable.contains(column.name) }.map { column in
                Self.quoted("t.\"\(column.name)\"", type: column.type)
            }
            let keyText =
                "'[' || " + table.key.map { "to_json(t.\"\($0)\")::text" }.joined(separator: " || ',' || ") + " || ']'"
            // Each part read only from this table's notes (CASE), so no other table's key is cast.
            let keyMatch = table.key.enumerated().map { index, column in
                let part = "CASE WHEN p.tbl = '\(table.name)' THEN p.key::json ->> \(index) END"
                return typeOf[column] == "text" ? "t.\"\(column)\" = \(part)" : "t.\"\(column)\" = (\(part))::bigint"
            }.joined(separator: " AND ")
            return TableText(
                table: table, rowText: columns.joined(separator: " || chr(31) || "), keyText: keyText,
                keyMatch: keyMatch)
        }
    }

    /// One column as SQLite's `quote()` spells it: 5, 'it''s', X'0A', NULL.
    static func quoted(_ column: String, type: String) -> String {
        switch type {
        case "bytea": return "coalesce('X''' || upper(encode(\(column), 'hex')) || '''', 'NULL')"
        case "text": return "coalesce('''' || replace(\(column), '''', '''''') || '''', 'NULL')"
        default: return "coalesce(\(column)::text, 'NULL')"
        }
    }

    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).hexString
    }

    static let deleted = sha256("deleted")

    /// Appends one entry committing to the rows noted since the last one, inside the caller's
    /// transaction; returns it. Appends wait for each other on `appendLock`, so two instances never
    /// write the same sequence number or fork the chain.
    @discardableResult
    public func append(
        _ connection: PGConnection, atMs: Int64, actor: String, action: String, entity: String, entityId: String
    ) throws -> AuditHead {
        try connection.execute("SELECT pg_advisory_xact_lock(\(Self.appendLock))")
        let last = try connection.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        let seq = (last.count == 0 ? 0 : last.int(0, "seq") ?? 0) + 1
        let prev = last.count == 0 ? AuditChain.genesis : last.text(0, "hash") ?? AuditChain.genesis
        let facts = try pendingFacts(connection)
        let detail = Self.sha256(AuditChain.factsText(facts))
        let hash = Self.sha256(
            AuditChain.entryText(
                seq: seq, atMs: atMs, actor: actor, action: action, entity: entity, entityId: entityId,
                detailHash: detail, prevHash: prev))
        try connection.execute(
            """
            INSERT INTO audit_log(seq, at_ms, actor, action, entity, entity_id, detail_hash, prev_hash, hash)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """,
            [String(seq), String(atMs), actor, action, entity, entityId, detail, prev, hash])
        for fact in facts {
            try connection.execute(
                "INSERT INTO audit_fact(seq, tbl, key, row_hash) VALUES ($1, $2, $3, $4)",
                [String(seq), fact.tbl, fact.key, fact.rowHash])
        }
        try connection.execute("DELETE FROM pending_fact")
        return AuditHead(seq: seq, hash: hash)
    }

    /// The rows noted since the last entry with the hash each has now, in (table, key) byte order.
    func pendingFacts(_ connection: PGConnection) throws -> [(tbl: String, key: String, rowHash: String)] {
        var facts: [(tbl: String, key: String, rowHash: String)] = []
        // Only the tables this transaction noted rows of: a write touches two or three of twenty.
        let noted = Set(try connection.execute("SELECT DISTINCT tbl FROM pending_fact").values.compactMap { $0[0] })
        for text in tables where noted.contains(text.table.name) {
            let rows = try connection.execute(
                """
                SELECT p.key, CASE WHEN t."\(text.table.key[0])" IS NULL THEN NULL
                    ELSE encode(sha256(convert_to(\(text.rowText), 'UTF8')), 'hex') END AS row_hash
                FROM pending_fact p LEFT JOIN \(text.table.name) t ON \(text.keyMatch)
                WHERE p.tbl = $1
                """, [text.table.name])
            for index in 0..<rows.count {
                let key = rows.text(index, "key") ?? ""
                // A noted row that is gone was deleted in this transaction.
                facts.append((text.table.name, key, rows.text(index, "row_hash") ?? Self.deleted))
            }
        }
        // SQLite orders them as bytes (BINARY): so do we.
        return facts.sorted { first, second in
            first.tbl == second.tbl
                ? first.key.utf8.lexicographicallyPrecedes(second.key.utf8)
                : first.tbl.utf8.lexicographicallyPrecedes(second.tbl.utf8)
        }
    }

    /// How many audited rows were checked against their last fact, the first problems (at most 20),
    /// and the first entry they concern (a row no entry recorded concerns none).
    public func checkFacts(_ connection: PGConnection) throws -> (checked: Int, problems: [String], firstBroken: Int64?)
    {
        let current = tables.map { text in
            """
            SELECT '\(text.table.name)' AS tbl, \(text.keyText) AS key,
                encode(sha256(convert_to(\(text.rowText), 'UTF8')), 'hex') AS row_hash
            FROM \(text.table.name) t
            """
        }
        let rows = try connection.execute(
            """
            WITH latest AS (
                SELECT DISTINCT ON (tbl, key) tbl, key, row_hash, seq FROM audit_fact ORDER BY tbl, key, seq DESC
            ), current AS (
                \(current.joined(separator: "\nUNION ALL\n"))
            )
            SELECT coalesce(l.tbl, c.tbl) AS tbl, coalesce(l.key, c.key) AS key, l.seq,
                CASE WHEN l.row_hash IS NULL THEN 'a row no audit entry recorded'
                     ELSE 'not as audit row ' || l.seq || ' recorded it (changed or deleted outside bangfud)' END AS problem
            FROM latest l FULL JOIN current c ON c.tbl = l.tbl AND c.key = l.key
            WHERE c.row_hash IS DISTINCT FROM l.row_hash AND NOT (c.row_hash IS NULL AND l.row_hash = $1)
            ORDER BY 1, 2 LIMIT 20
            """, [Self.deleted])
        let problems = (0..<rows.count).map { index in
            "\(rows.text(index, "tbl") ?? "") \(rows.text(index, "key") ?? ""): \(rows.text(index, "problem") ?? "")"
        }
        let firstBroken = (0..<rows.count).compactMap { index in rows.int(index, "seq") }.min()
        let checked = try connection.execute(
            "SELECT " + tables.map { "(SELECT count(*) FROM \($0.table.name))" }.joined(separator: " + ") + " AS n"
        ).int(0, "n")
        return (Int(checked ?? 0), problems, firstBroken)
    }

    /// Walks the chain: each entry's hash from its own fields, its link to the one before, and its
    /// detail from the facts it kept; then every audited row against its last fact. The problems
    /// (none for a sound chain) and the head.
    public func verify(_ connection: PGConnection) throws -> (
        head: AuditHead?, problems: [String], firstBroken: Int64?
    ) {
        var problems: [String] = []
        var firstBroken: Int64?
        func found(_ seq: Int64, _ why: String) {
            problems.append(why)
            firstBroken = min(firstBroken ?? seq, seq)
        }
        var previous = AuditChain.genesis
        var expected: Int64 = 1
        let from =
            try connection.execute("SELECT value FROM audit_meta WHERE name = 'facts_from_seq'").int(0, "value") ?? 1
        let entries = try connection.execute(
            """
            SELECT a.seq, a.at_ms, a.actor, a.action, a.entity, a.entity_id, a.detail_hash, a.prev_hash, a.hash,
                coalesce((SELECT string_agg(f.tbl || chr(31) || f.key || chr(31) || f.row_hash || chr(10), ''
                    ORDER BY f.tbl COLLATE "C", f.key COLLATE "C") FROM audit_fact f WHERE f.seq = a.seq), '') AS facts
            FROM audit_log a ORDER BY a.seq
            """)
        for row in 0..<entries.count {
            let seq = entries.int(row, "seq") ?? 0
            let text = AuditChain.entryText(
                seq: seq, atMs: entries.int(row, "at_ms") ?? 0, actor: entries.text(row, "actor") ?? "",
                action: entries.text(row, "action") ?? "", entity: entries.text(row, "entity") ?? "",
                entityId: entries.text(row, "entity_id") ?? "", detailHash: entries.text(row, "detail_hash") ?? "",
                prevHash: entries.text(row, "prev_hash") ?? "")
            if seq != expected {
                found(seq, "audit row \(seq): expected row \(expected) (a row is missing)")
            } else if entries.text(row, "prev_hash") != previous {
                found(seq, "audit row \(seq): its previous-hash does not match row \(seq - 1)")
            } else if entries.text(row, "hash") != Self.sha256(text) {
                found(seq, "audit row \(seq): its content does not match its hash (changed after writing)")
            } else if seq >= from, entries.text(row, "detail_hash") != Self.sha256(entries.text(row, "facts") ?? "") {
                found(
                    seq,
                    "audit row \(seq): the rows it recorded were changed in the record (its facts no longer give its detail)"
                )
            }
            previous = entries.text(row, "hash") ?? ""
            expected = seq + 1
        }
        let facts = try checkFacts(connection)
        problems += facts.problems
        if let seq = facts.firstBroken { firstBroken = min(firstBroken ?? seq, seq) }
        return (entries.count == 0 ? nil : AuditHead(seq: expected - 1, hash: previous), problems, firstBroken)
    }
}
