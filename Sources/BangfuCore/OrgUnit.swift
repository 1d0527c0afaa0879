/// Level of an organisation unit in the three-level management (三级管理).
public enum UnitLevel: String, Sendable, Codable, CaseIterable {
    /// Grassroots union or party branch (基层工会 / 党支部).
    case grassroots
    /// County or district union (县区).
    case county
    /// City union (市).
    case city
    /// Province union (省).
    case province
}

/// An organisation unit. Units form a tree; every archive, case and fund belongs to one.
public struct OrgUnit: Sendable, Codable, Hashable {
    public var id: String
    public var name: String
    public var parentId: String?
    public var level: UnitLevel

    public init(id: String, name: String, parentId: String?, level: UnitLevel) {
        self.id = id
        self.name = name
        self.parentId = parentId
        self.level = level
    }
}

/// The unit tree, for scoping roles to a unit and its subtree and for rolling figures up.
public struct UnitTree: Sendable {
    public let units: [String: OrgUnit]

    /// Checks the tree: known parents, no cycles, valid ids.
    public init(_ list: [OrgUnit]) throws {
        var map: [String: OrgUnit] = [:]
        for u in list {
            guard !u.id.isEmpty,
                u.id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") })
            else {
                throw BangfuError(
                    .invalidConfig, zh: "单位代码“\(u.id)”无效：只能用字母、数字、- _ .",
                    en: "unit id \"\(u.id)\" is invalid: use letters, digits, - _ .")
            }
            guard map[u.id] == nil else {
                throw BangfuError(.invalidConfig, zh: "单位代码“\(u.id)”重复", en: "unit id \"\(u.id)\" appears twice")
            }
            map[u.id] = u
        }
        for u in list {
            var seen: Set<String> = [u.id]
            var p = u.parentId
            while let pid = p {
                guard let parent = map[pid] else {
                    throw BangfuError(
                        .invalidConfig, zh: "单位“\(u.id)”的上级“\(pid)”不存在",
                        en: "unit \"\(u.id)\" has unknown parent \"\(pid)\"")
                }
                guard seen.insert(pid).inserted else {
                    throw BangfuError(
                        .invalidConfig, zh: "单位“\(u.id)”的上级关系成环", en: "unit \"\(u.id)\" is in a parent cycle")
                }
                p = parent.parentId
            }
        }
        units = map
    }

    /// The unit and its ancestors, nearest first.
    public func path(of id: String) -> [String] {
        var out: [String] = []
        var p: String? = id
        while let cur = p, let u = units[cur] {
            out.append(cur)
            p = u.parentId
        }
        return out
    }

    /// Whether `id` is `root` or below it.
    public func isWithin(_ id: String, root: String) -> Bool {
        var current: String? = id
        while let unit = current, let known = units[unit] {
            if unit == root { return true }
            current = known.parentId
        }
        return false
    }

    /// The unit and everything below it.
    public func subtree(of root: String) -> [String] {
        units.keys.filter { isWithin($0, root: root) }.sorted()
    }

    public func require(_ id: String) throws -> OrgUnit {
        guard let u = units[id] else {
            throw BangfuError(
                .notFound, zh: "单位“\(id)”不存在：请先在配置文件 units 中登记",
                en: "unit \"\(id)\" does not exist: declare it under units in the configuration file")
        }
        return u
    }
}

/// A role in hardship-assistance work.
public enum Role: String, Sendable, Codable, CaseIterable {
    case caseworker, reviewer, approver, treasurer, auditor, helper, admin
    /// The daemon itself acting on a timer (notice deadlines, scheduled payments). Never granted by configuration.
    case system

    public var zh: String {
        switch self {
        case .caseworker: return "经办人"
        case .reviewer: return "初审人"
        case .approver: return "审批人"
        case .treasurer: return "财务"
        case .auditor: return "审计"
        case .helper: return "帮扶联系人"
        case .admin: return "管理员"
        case .system: return "系统"
        }
    }
}

/// A role held on a unit, and so on its whole subtree.
public struct RoleGrant: Sendable, Codable, Hashable {
    public var role: Role
    public var unitId: String

    public init(role: Role, unitId: String) {
        self.role = role
        self.unitId = unitId
    }
}

/// Who is acting: a stable principal id (e.g. a unix user name) and the grants configuration gives it.
///
/// The identity comes from the transport (peer credentials), never from what a client claims.
public struct Actor: Sendable, Hashable {
    public var id: String
    public var grants: [RoleGrant]
    /// Root is admin everywhere but still needs explicit grants for case work.
    public var isRoot: Bool

    public init(id: String, grants: [RoleGrant], isRoot: Bool = false) {
        self.id = id
        self.grants = grants
        self.isRoot = isRoot
    }

    /// The daemon acting on its own timers.
    public static let system = Actor(id: "system", grants: [])

    /// Whether the actor holds one of `roles` on `unit` (directly or on an ancestor).
    public func holds(anyOf roles: Set<Role>, on unit: String, in tree: UnitTree) -> Bool {
        if roles.contains(.system) && id == Actor.system.id { return true }
        if roles.contains(.admin) && isRoot { return true }
        // Each grant of a wanted role, looked for on the way up from `unit` (no path or set built:
        // asked several times for every case read, they showed in its profile).
        return grants.contains { grant in roles.contains(grant.role) && tree.isWithin(unit, root: grant.unitId) }
    }

    /// Throws `permission_denied` naming the roles needed.
    public func require(anyOf roles: Set<Role>, on unit: String, in tree: UnitTree, for what: String) throws {
        guard holds(anyOf: roles, on: unit, in: tree) else {
            let names = roles.sorted { $0.rawValue < $1.rawValue }
            let unitName = tree.units[unit]?.name ?? unit
            throw BangfuError(
                .permissionDenied,
                zh:
                    "\(id) 无权\(Words.of(.operation, what, .zh))：需要在“\(unitName)”或其上级单位担任\(names.map(\.zh).joined(separator: "或"))",
                en:
                    "\(id) may not \(what): needs role \(names.map(\.rawValue).joined(separator: "/")) on unit \(unit) or above"
            )
        }
    }
}
