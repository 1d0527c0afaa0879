import BangfuCore
import BangfuDomain
import Foundation

extension StoreSQL {
    static func loadHousehold(_ db: SQLDatabase, id: Int64) throws -> Household {
        guard
            let r = try SQLRow.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM household WHERE id = ?"), arguments: [id])
        else {
            throw notFound(.archive, "#\(id)")
        }
        return try household(from: r)
    }

    static func household(from r: SQLRow) throws -> Household {
        Household(
            id: r["id"], archiveNo: r["archive_no"], status: ArchiveStatus(rawValue: r["status"]) ?? .open,
            input: try decode(ArchiveInput.self, r["data"]),
            assessment: try decode(CategoryAssessment.self, r["assessment"]),
            reviewDue: try LocalDate(parsing: r["review_due"]),
            createdAt: date(ms: r["created_ms"]),
            closedAt: (r["closed_ms"] as Int64?).map { date(ms: $0) },
            exitReason: (r["exit_reason"] as String?).flatMap(ExitReason.init(rawValue:)),
            erasedAt: (r["erased_ms"] as Int64?).map { date(ms: $0) })
    }

    /// Writes the changes; a personal field's values go to the erasable store (`PersonalValues`)
    /// and the history row keeps their ids.
    static func writeHistory(_ db: SQLDatabase, _ id: Int64, _ changes: [ArchiveChange]) throws {
        for change in changes {
            var values: [String?] = [change.oldValue, change.newValue]
            var refs: [Int64?] = [nil, nil]
            if ArchiveInput.isPersonal(field: change.field) {
                refs = try values.map { value in
                    try value.map { text in try PersonalValues.keep(db, household: id, text) }
                }
                values = [nil, nil]
            }
            try db.cachedStatement(
                sql: """
                    INSERT INTO archive_history(household_id, at_ms, actor, action, field, old_value, new_value, old_ref, new_ref)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                id, ms(change.at), change.actor, change.action, change.field, values[0], values[1], refs[0], refs[1],
            ])
        }
    }
}

extension SQLStore {

    public func createArchive(_ input: ArchiveInput, by actor: Actor, at: Date) async throws -> Household {
        let policy = self.policy
        return try await write { db in
            try ArchiveDomain.create(SQLUnitOfWork(db: db), input, by: actor, at: at, policy: policy)
        }
    }

    public func importArchives(_ inputs: [ArchiveInput], by actor: Actor, at: Date, dryRun: Bool) async throws
        -> [ArchiveImport.Outcome]
    {
        let policy = self.policy
        return try await write { db in
            try ImportDomain.archive(
                SQLUnitOfWork(db: db), inputs, by: actor, at: at, policy: policy, dryRun: dryRun)
        }
    }

    public func updateArchive(id: Int64, _ input: ArchiveInput, by actor: Actor, at: Date) async throws -> Household {
        let policy = self.policy
        return try await write { db in
            try ArchiveDomain.update(SQLUnitOfWork(db: db), id: id, input, by: actor, at: at, policy: policy)
        }
    }

    public func reviewArchive(id: Int64, by actor: Actor, at: Date) async throws -> Household {
        let policy = self.policy
        return try await write { db in
            try ArchiveDomain.review(SQLUnitOfWork(db: db), id: id, by: actor, at: at, policy: policy)
        }
    }

    public func exitArchive(id: Int64, reason: ExitReason, note: String, by actor: Actor, at: Date) async throws
        -> Household
    {
        try await write { db in
            try ArchiveDomain.exit(SQLUnitOfWork(db: db), id: id, reason: reason, note: note, by: actor, at: at)
        }
    }

    public func reenterArchive(id: Int64, _ input: ArchiveInput, by actor: Actor, at: Date) async throws -> Household {
        let policy = self.policy
        return try await write { db in
            try ArchiveDomain.reenter(SQLUnitOfWork(db: db), id: id, input, by: actor, at: at, policy: policy)
        }
    }

    public func households(units: [String], status: ArchiveStatus?, page: Page) async throws -> [Household] {
        try await readAside { db in
            try StoreSQL.rowsInUnits(
                db, table: "household", units: units, column: "status", value: status?.rawValue, page: page
            )
            .map(StoreSQL.household(from:))
        }
    }

    public func households(units: [String], status: ArchiveStatus?) async throws -> [Household] {
        try await readAside { db in
            try StoreSQL.rowsInUnits(db, table: "household", units: units, column: "status", value: status?.rawValue)
                .map(StoreSQL.household(from:))
        }
    }

    public func scanHouseholds(units: [String], status: ArchiveStatus?, _ body: @Sendable (Household) throws -> Void)
        async throws
    {
        var after: Int64 = 0
        while true {
            let from = after
            let page: [Household] = try await read { db in
                var sql = "SELECT * FROM household WHERE id > ? AND unit_id IN (\(StoreSQL.inList(units.count)))"
                var args: SQLArguments = [from]
                args += SQLArguments(units)
                if let status {
                    sql += " AND status = ?"
                    args += [status.rawValue]
                }
                return try SQLRow.fetchAll(db, sql: sql + " ORDER BY id LIMIT 2000", arguments: args).map(
                    StoreSQL.household(from:))
            }
            for h in page { try body(h) }
            guard let last = page.last else { return }
            after = last.id
        }
    }

    public func households(ids: [Int64]) async throws -> [Household] {
        let found: [Int64: Household] = try await read { db in
            var out: [Int64: Household] = [:]
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[start..<min(start + 500, ids.count)])
                for r in try SQLRow.fetchAll(
                    db, sql: "SELECT * FROM household WHERE id IN (\(StoreSQL.inList(chunk.count)))",
                    arguments: SQLArguments(chunk))
                {
                    let h = try StoreSQL.household(from: r)
                    out[h.id] = h
                }
            }
            return out
        }
        return ids.compactMap { found[$0] }
    }

    public func household(id: Int64) async throws -> Household {
        try await read { db in try StoreSQL.loadHousehold(db, id: id) }
    }

    public func household(archiveNo: String) async throws -> Household {
        try await read { db in
            guard
                let r = try SQLRow.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM household WHERE archive_no = ?"), arguments: [archiveNo])
            else {
                throw StoreSQL.notFound(.archive, archiveNo)
            }
            return try StoreSQL.household(from: r)
        }
    }

    public func householdId(archiveNo: String) async throws -> Int64 {
        try await read { db in
            guard
                let id = try Int64.fetchOne(
                    db.cachedStatement(sql: "SELECT id FROM household WHERE archive_no = ?"), arguments: [archiveNo])
            else {
                throw StoreSQL.notFound(.archive, archiveNo)
            }
            return id
        }
    }

    public func archiveHistory(id: Int64) async throws -> [ArchiveChange] {
        try await read { db in
            try SQLRow.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM archive_history WHERE household_id = ? ORDER BY id"),
                arguments: [id]
            ).map { row in
                // A personal field's values are in the erasable store (`PersonalValues`).
                let oldValue: String? = row["old_value"], newValue: String? = row["new_value"]
                return ArchiveChange(
                    at: StoreSQL.date(ms: row["at_ms"]), actor: row["actor"], action: row["action"],
                    field: row["field"],
                    oldValue: try oldValue ?? PersonalValues.value(db, id: row["old_ref"]),
                    newValue: try newValue ?? PersonalValues.value(db, id: row["new_ref"]))
            }
        }
    }
}
