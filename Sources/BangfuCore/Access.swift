/// The kinds of record a caller can name, each with who may read records of that kind on a unit.
///
/// What a refusal may reveal is one rule for every method: a caller who may not *read* a record
/// gets `not_found`, worded exactly as for a record that does not exist; a caller who may read it
/// but not act on it gets `permission_denied` naming the role and unit that would be needed.
public enum RecordKind: String, Sendable, CaseIterable {
    case helpCase = "case"
    case archive
    case fund
    case campaignRun = "campaign_run"
    case visit
    case transfer

    /// The word for the kind in messages.
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.helpCase, .zh): return "案件"
        case (.archive, .zh): return "档案"
        case (.fund, .zh): return "资金账户"
        case (.campaignRun, .zh): return "慰问活动"
        case (.visit, .zh): return "走访"
        case (.transfer, .zh): return "资金调拨"
        case (.helpCase, _): return "case"
        case (.campaignRun, _): return "campaign run"
        default: return rawValue
        }
    }

    /// Roles that may read records of this kind in their unit's subtree (the daemon's own timers always may).
    public var readers: Set<Role> {
        switch self {
        case .helpCase, .archive: return [.caseworker, .reviewer, .approver, .treasurer, .auditor, .admin, .system]
        case .fund, .transfer: return [.treasurer, .approver, .auditor, .admin, .system]
        case .campaignRun: return [.caseworker, .reviewer, .approver, .treasurer, .auditor, .helper, .admin, .system]
        case .visit: return [.caseworker, .reviewer, .approver, .auditor, .helper, .admin, .system]
        }
    }
}

/// A record a caller named: its kind and the key the caller used (a case or archive number, a fund id).
public struct RecordRef: Sendable, Hashable {
    public var kind: RecordKind
    public var key: String

    public init(_ kind: RecordKind, _ key: String) {
        self.kind = kind
        self.key = key
    }

    /// The answer for a record that does not exist, and so also for one the caller may not read.
    public var notFound: BangfuError { BangfuError.notFound(kind, key) }
}

extension BangfuError {
    /// "X does not exist": the one wording of `not_found`, shared by the store and the refusal rule
    /// so that a refused read cannot be told from a missing record.
    public static func notFound(_ kind: RecordKind, _ key: String) -> BangfuError {
        BangfuError(.notFound, zh: "\(kind.label(.zh)) \(key) 不存在", en: "\(kind.label(.en)) \(key) does not exist")
    }
}

extension Actor {
    /// Whether the actor may read records of `kind` that belong to `unit`.
    public func mayRead(_ kind: RecordKind, unit: String, in tree: UnitTree) -> Bool {
        holds(anyOf: kind.readers, on: unit, in: tree)
    }

    /// Refuses, as `not_found`, a record of `unit` the actor may not read.
    public func requireRead(_ record: RecordRef, unit: String, in tree: UnitTree) throws {
        guard mayRead(record.kind, unit: unit, in: tree) else { throw record.notFound }
    }

    /// The refusal rule where more roles than the kind's readers may see the record (a helper, for
    /// the households of their care work): `not_found` without any of `readers`, then `permission_denied`
    /// without one of `roles`.
    public func require(
        anyOf roles: Set<Role>, on record: RecordRef, unit: String, in tree: UnitTree, readers: Set<Role>,
        for what: String
    ) throws {
        guard holds(anyOf: readers.union(record.kind.readers), on: unit, in: tree) else { throw record.notFound }
        try require(anyOf: roles, on: unit, in: tree, for: what)
    }

    /// The refusal rule for acting on a record of `unit`: `not_found` when the actor may not even
    /// read it, `permission_denied` naming the roles and unit when it may read but not act.
    public func require(anyOf roles: Set<Role>, on record: RecordRef, unit: String, in tree: UnitTree, for what: String)
        throws
    {
        try requireRead(record, unit: unit, in: tree)
        try require(anyOf: roles, on: unit, in: tree, for: what)
    }
}

extension Actor {
    /// Whether the actor holds one of `roles` on a top unit (one with no parent), and so over the
    /// whole system; root counts as admin there.
    public func holdsOnTop(anyOf roles: Set<Role>, in tree: UnitTree) -> Bool {
        if isRoot && roles.contains(.admin) { return true }
        return tree.units.values.contains { unit in unit.parentId == nil && holds(anyOf: roles, on: unit.id, in: tree) }
    }

    /// Whole-system operations (backup, reload, the clock, verifying the whole chain) are for root
    /// or a holder of `roles` on a top unit: an admin granted on one branch runs none of them.
    public func requireOnTop(anyOf roles: Set<Role>, in tree: UnitTree, for what: String) throws {
        guard holdsOnTop(anyOf: roles, in: tree) else {
            let names = roles.sorted { $0.rawValue < $1.rawValue }
            let topUnits = tree.units.values.filter { $0.parentId == nil }.sorted { $0.id < $1.id }
            let top = topUnits.map(\.id).joined(separator: "/")
            throw BangfuError(
                .permissionDenied,
                zh:
                    "\(id) 无权\(Words.of(.operation, what, .zh))：这是全系统操作，需要在最上级单位“\(topUnits.map(\.name).joined(separator: "、"))”担任\(names.map(\.zh).joined(separator: "或"))",
                en:
                    "\(id) may not \(what): a whole-system operation needs role \(names.map(\.rawValue).joined(separator: "/")) on the top unit \(top)"
            )
        }
    }
}
