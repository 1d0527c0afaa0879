import BangfuCore
import Foundation
import GRDB

extension SQLiteStore {
    static func loadHousehold(_ db: Database, id: Int64) throws -> Household {
        guard let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM household WHERE id = ?"), arguments: [id]) else {
            throw notFound("档案/archive", "#\(id)")
        }
        return try household(from: r)
    }

    static func household(from r: Row) throws -> Household {
        Household(id: r["id"], archiveNo: r["archive_no"], status: ArchiveStatus(rawValue: r["status"]) ?? .open,
                  input: try decode(ArchiveInput.self, r["data"]),
                  assessment: try decode(CategoryAssessment.self, r["assessment"]),
                  reviewDue: try LocalDate(parsing: r["review_due"]),
                  createdAt: date(ms: r["created_ms"]),
                  closedAt: (r["closed_ms"] as Int64?).map { date(ms: $0) },
                  exitReason: (r["exit_reason"] as String?).flatMap(ExitReason.init(rawValue:)))
    }

    /// Refuses anyone who is already in another open archive. The other archive and its unit are
    /// named only to an actor who may read that archive; anyone else learns only that the person is
    /// in an open archive elsewhere (one person, one open archive, is itself the rule being enforced).
    static func requireNotInOtherArchive(_ db: Database, _ input: ArchiveInput, except id: Int64?, actor: Actor, tree: UnitTree) throws {
        for (index, idNumber) in input.idNumbers.enumerated() {
            guard let other = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT h.archive_no, h.unit_id FROM household_person p JOIN household h ON h.id = p.household_id
                WHERE p.id_number = ? AND p.is_open = 1 AND p.household_id IS NOT ?
                """), arguments: [idNumber.value, id]) else { continue }
            let who = index == 0 ? input.head.name : input.members[index - 1].name
            let otherNo: String = other["archive_no"]
            let otherUnit: String = other["unit_id"]
            guard actor.mayRead(.archive, unit: otherUnit, in: tree) else {
                throw BangfuError(.personInOtherArchive,
                                  zh: "\(who)（\(idNumber.masked)）已在另一份在档家庭档案中，一人只能在一个在档家庭：请联系上级工会核实",
                                  en: "\(who) (\(idNumber.masked)) is already in another open archive; a person can be in one open archive only: ask the union above to check")
            }
            throw BangfuError(.personInOtherArchive,
                              zh: "\(who)（\(idNumber.masked)）已在档案 \(otherNo)（\(otherUnit)）中，一人只能在一个在档家庭：请先更新或关闭那份档案",
                              en: "\(who) (\(idNumber.masked)) is already in open archive \(otherNo) (\(otherUnit)); a person can be in one open archive only: update or close that archive first")
        }
    }

    /// Loads an archive for a change by `actor`: `not_found` when it may not read it, `permission_denied`
    /// without one of `roles` on its unit, all before anything about the archive's state is told.
    static func householdForChange(_ db: Database, id: Int64, actor: Actor, roles: Set<Role>, tree: UnitTree, for what: String) throws
        -> Household
    {
        let household = try loadHousehold(db, id: id)
        try actor.require(anyOf: roles, on: RecordRef(.archive, household.archiveNo), unit: household.input.unitId, in: tree, for: what)
        return household
    }

    static func writePersons(_ db: Database, _ id: Int64, _ input: ArchiveInput, open: Bool) throws {
        try db.cachedStatement(sql: "DELETE FROM household_person WHERE household_id = ?").execute(arguments: [id])
        for idn in input.idNumbers {
            try db.execute(sql: "INSERT INTO household_person(household_id, id_number, is_open) VALUES (?, ?, ?)",
                           arguments: [id, idn.value, open ? 1 : 0])
        }
    }

    static func writeHistory(_ db: Database, _ id: Int64, _ changes: [ArchiveChange]) throws {
        for c in changes {
            try db.cachedStatement(sql: """
                INSERT INTO archive_history(household_id, at_ms, actor, action, field, old_value, new_value)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [id, ms(c.at), c.actor, c.action, c.field, c.oldValue, c.newValue])
        }
    }

    /// Saves a household row (unless `old` is nil: it was just inserted as it is) and its history, and
    /// appends the audit row (ids and hashes only).
    static func saveHousehold(_ db: Database, _ h: Household, old: Household?, actor: String, action: String, at: Date) throws {
        if old != nil { try db.cachedStatement(sql: """
            UPDATE household SET unit_id = ?, status = ?, category = ?, data = ?, assessment = ?, review_due = ?,
              closed_ms = ?, exit_reason = ?, version = version + 1 WHERE id = ?
            """).execute(arguments: [h.input.unitId, h.status.rawValue, h.assessment.category?.rawValue, try json(h.input),
                             try json(h.assessment), h.reviewDue.description, h.closedAt.map(ms), h.exitReason?.rawValue, h.id]) }
        var changes = ArchiveChange.diff(old: old?.input, new: h.input, at: at, actor: actor, action: action)
        func meta(_ field: String, _ a: String?, _ b: String?) {
            if a != b { changes.append(ArchiveChange(at: at, actor: actor, action: action, field: field, oldValue: a, newValue: b)) }
        }
        meta("status", old?.status.rawValue, h.status.rawValue)
        meta("category", old?.assessment.category?.rawValue, h.assessment.category?.rawValue)
        meta("review_due", old?.reviewDue.description, h.reviewDue.description)
        meta("exit_reason", old?.exitReason?.rawValue, h.exitReason?.rawValue)
        try writeHistory(db, h.id, changes)
        try Audit.append(db, at: at, actor: actor, action: action, entity: "household", entityId: h.archiveNo, detail: h)
    }

    func assessed(_ input: ArchiveInput, at: Date) throws -> CategoryAssessment {
        try input.validate(causes: policy.causes, today: policy.caseRules.zone.date(of: at))
        return try policy.categoryRules.assess(input, on: policy.caseRules.zone.date(of: at))
    }

    static func notEligible(_ a: CategoryAssessment) -> BangfuError {
        BangfuError(.notEligible, zh: "不符合建档条件：\(a.reasonZh)", en: "not eligible for an archive: \(a.reasonEn)")
    }

    public func createArchive(_ input: ArchiveInput, by actor: Actor, at: Date) async throws -> Household {
        let assessment = try assessed(input, at: at)
        guard assessment.category != nil else { throw SQLiteStore.notEligible(assessment) }
        let today = policy.caseRules.zone.date(of: at)
        let reviewDue = today.adding(months: policy.reviewIntervalMonths)
        return try await write { db in
            let tree = try SQLiteStore.loadTree(db)
            _ = try tree.require(input.unitId)
            try actor.require(anyOf: [.caseworker], on: input.unitId, in: tree, for: "create_archive")
            try SQLiteStore.requireNotInOtherArchive(db, input, except: nil, actor: actor, tree: tree)
            let no = SQLiteStore.formatNumber("HA", today.year, try SQLiteStore.nextNumber(db, "archive:\(today.year)"))
            try db.cachedStatement(sql: """
                INSERT INTO household(archive_no, unit_id, status, category, data, assessment, review_due, created_ms, version)
                VALUES (?, ?, 'open', ?, ?, ?, ?, ?, 0)
                """).execute(arguments: [no, input.unitId, assessment.category?.rawValue, try SQLiteStore.json(input),
                                 try SQLiteStore.json(assessment), reviewDue.description, SQLiteStore.ms(at)])
            let id = db.lastInsertedRowID
            try SQLiteStore.writePersons(db, id, input, open: true)
            let h = Household(id: id, archiveNo: no, status: .open, input: input, assessment: assessment,
                              reviewDue: reviewDue, createdAt: at)
            try SQLiteStore.saveHousehold(db, h, old: nil, actor: actor.id, action: "create_archive", at: at)
            return h
        }
    }

    public func updateArchive(id: Int64, _ input: ArchiveInput, by actor: Actor, at: Date) async throws -> Household {
        let assessment = try assessed(input, at: at)
        return try await write { db in
            let tree = try SQLiteStore.loadTree(db)
            let old = try SQLiteStore.householdForChange(db, id: id, actor: actor, roles: [.caseworker], tree: tree, for: "update_archive")
            guard old.status == .open else {
                throw BangfuError(.archiveClosed, zh: "档案 \(old.archiveNo) 已关闭：如家庭重新陷入困难，请办理返困", en: "archive \(old.archiveNo) is closed: use re-entry if the household is in hardship again")
            }
            _ = try tree.require(input.unitId)
            try actor.require(anyOf: [.caseworker], on: input.unitId, in: tree, for: "update_archive")
            try SQLiteStore.requireNotInOtherArchive(db, input, except: id, actor: actor, tree: tree)
            var h = old
            h.input = input
            h.assessment = assessment
            try SQLiteStore.writePersons(db, id, input, open: true)
            try SQLiteStore.saveHousehold(db, h, old: old, actor: actor.id, action: "update_archive", at: at)
            return h
        }
    }

    public func reviewArchive(id: Int64, by actor: Actor, at: Date) async throws -> Household {
        let today = policy.caseRules.zone.date(of: at)
        let months = policy.reviewIntervalMonths
        let rules = policy.categoryRules
        return try await write { db in
            let tree = try SQLiteStore.loadTree(db)
            let old = try SQLiteStore.householdForChange(db, id: id, actor: actor, roles: [.caseworker], tree: tree, for: "review_archive")
            guard old.status == .open else {
                throw BangfuError(.archiveClosed, zh: "档案 \(old.archiveNo) 已关闭，无需复核", en: "archive \(old.archiveNo) is closed; it needs no review")
            }
            var h = old
            h.assessment = try rules.assess(old.input, on: today)
            h.reviewDue = today.adding(months: months)
            try SQLiteStore.saveHousehold(db, h, old: old, actor: actor.id, action: "review_archive", at: at)
            return h
        }
    }

    public func exitArchive(id: Int64, reason: ExitReason, note: String, by actor: Actor, at: Date) async throws -> Household {
        guard !note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw BangfuError(.invalidInput, zh: "必须填写脱困/撤档说明", en: "an exit note is required")
        }
        return try await write { db in
            let tree = try SQLiteStore.loadTree(db)
            let old = try SQLiteStore.householdForChange(db, id: id, actor: actor, roles: [.approver], tree: tree, for: "exit_archive")
            guard old.status == .open else {
                throw BangfuError(.archiveClosed, zh: "档案 \(old.archiveNo) 已经关闭", en: "archive \(old.archiveNo) is already closed")
            }
            let open = try Int.fetchOne(db.cachedStatement(sql: """
                SELECT COUNT(*) FROM help_case WHERE household_id = ? AND state NOT IN ('closed','rejected','withdrawn')
                """), arguments: [id]) ?? 0
            guard open == 0 else {
                throw BangfuError(.invalidInput, zh: "档案 \(old.archiveNo) 还有 \(open) 件未办结的案件：请先办结或撤回", en: "archive \(old.archiveNo) still has \(open) unfinished case(s): close or withdraw them first")
            }
            var h = old
            h.status = .closed
            h.closedAt = at
            h.exitReason = reason
            try db.cachedStatement(sql: "UPDATE household_person SET is_open = 0 WHERE household_id = ?").execute(arguments: [id])
            try SQLiteStore.writeHistory(db, id, [ArchiveChange(at: at, actor: actor.id, action: "exit_archive", field: "exit_note", oldValue: nil, newValue: note)])
            try SQLiteStore.saveHousehold(db, h, old: old, actor: actor.id, action: "exit_archive", at: at)
            return h
        }
    }

    public func reenterArchive(id: Int64, _ input: ArchiveInput, by actor: Actor, at: Date) async throws -> Household {
        let assessment = try assessed(input, at: at)
        guard assessment.category != nil else { throw SQLiteStore.notEligible(assessment) }
        let reviewDue = policy.caseRules.zone.date(of: at).adding(months: policy.reviewIntervalMonths)
        return try await write { db in
            // A re-entry may move the archive: the caseworker needs the role on the unit it leaves and
            // on the unit it enters.
            let tree = try SQLiteStore.loadTree(db)
            let old = try SQLiteStore.householdForChange(db, id: id, actor: actor, roles: [.caseworker], tree: tree, for: "reenter_archive")
            guard old.status == .closed else {
                throw BangfuError(.archiveOpen, zh: "档案 \(old.archiveNo) 仍在档，无需返困", en: "archive \(old.archiveNo) is still open")
            }
            _ = try tree.require(input.unitId)
            try actor.require(anyOf: [.caseworker], on: input.unitId, in: tree, for: "reenter_archive")
            try SQLiteStore.requireNotInOtherArchive(db, input, except: id, actor: actor, tree: tree)
            var h = old
            h.status = .open
            h.closedAt = nil
            h.exitReason = nil
            h.input = input
            h.assessment = assessment
            h.reviewDue = reviewDue
            try SQLiteStore.writePersons(db, id, input, open: true)
            try SQLiteStore.saveHousehold(db, h, old: old, actor: actor.id, action: "reenter_archive", at: at)
            return h
        }
    }

    public func households(units: [String], status: ArchiveStatus?) async throws -> [Household] {
        try await readAside { db in
            try SQLiteStore.rowsInUnits(db, table: "household", units: units, column: "status", value: status?.rawValue).map(SQLiteStore.household(from:))
        }
    }

    public func scanHouseholds(units: [String], status: ArchiveStatus?, _ body: @Sendable (Household) throws -> Void) async throws {
        var after: Int64 = 0
        while true {
            let from = after
            let page: [Household] = try await read { db in
                var sql = "SELECT * FROM household WHERE id > ? AND unit_id IN (\(SQLiteStore.inList(units.count)))"
                var args: StatementArguments = [from]
                args += StatementArguments(units)
                if let status { sql += " AND status = ?"; args += [status.rawValue] }
                return try Row.fetchAll(db, sql: sql + " ORDER BY id LIMIT 2000", arguments: args).map(SQLiteStore.household(from:))
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
                for r in try Row.fetchAll(db, sql: "SELECT * FROM household WHERE id IN (\(SQLiteStore.inList(chunk.count)))",
                                          arguments: StatementArguments(chunk)) {
                    let h = try SQLiteStore.household(from: r)
                    out[h.id] = h
                }
            }
            return out
        }
        return ids.compactMap { found[$0] }
    }

    public func household(id: Int64) async throws -> Household {
        try await read { db in try SQLiteStore.loadHousehold(db, id: id) }
    }

    public func household(archiveNo: String) async throws -> Household {
        try await read { db in
            guard let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM household WHERE archive_no = ?"), arguments: [archiveNo]) else {
                throw SQLiteStore.notFound("档案/archive", archiveNo)
            }
            return try SQLiteStore.household(from: r)
        }
    }

    public func archiveHistory(id: Int64) async throws -> [ArchiveChange] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM archive_history WHERE household_id = ? ORDER BY id"), arguments: [id]).map { r in
                ArchiveChange(at: SQLiteStore.date(ms: r["at_ms"]), actor: r["actor"], action: r["action"], field: r["field"],
                              oldValue: r["old_value"], newValue: r["new_value"])
            }
        }
    }
}
