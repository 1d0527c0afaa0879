import BangfuCore
import Foundation

/// The people a load plays, as bare uids granted `uid:N` in the configuration, so no accounts are needed.
///
/// The same uids as the daemon tests: caseworker, reviewer, approver, treasurer, auditor, all in one
/// group that may use the socket.
public struct LoadPrincipals: Sendable {
    public var caseworker: UInt32 = 61001
    public var reviewer: UInt32 = 61002
    public var approver: UInt32 = 61003
    public var treasurer: UInt32 = 61004
    public var auditor: UInt32 = 61005
    public var gid: UInt32 = 61000

    public init() {}

    /// The units of a load's configuration: the seeder and the comparators create the same ones.
    public static let units = [
        OrgUnit(id: "city", name: "测试市总工会", parentId: nil, level: .city),
        OrgUnit(id: "county", name: "测试区总工会", parentId: "city", level: .county),
        OrgUnit(id: "b1", name: "一厂工会", parentId: "county", level: .grassroots),
    ]

    /// A configuration for a load: one city, one county, one branch, the grants above, and the
    /// synthetic holiday calendar. The unit ids match what `StoreSeeder` writes. `extra` lines
    /// (indented as list items) add grants.
    ///
    /// With `names` (a shared store, where grants by uid are refused), the grants name the accounts
    /// `accountNames` gives the uids (`ensureAccounts` makes them), and `store` is added as given.
    public func configuration(calendarFile: String, extra: String = "", names: Bool = false, store: String = "")
        -> String
    {
        let grantee = { (uid: UInt32) in names ? (LoadPrincipals.accountNames[uid] ?? "uid:\(uid)") : "uid:\(uid)" }
        let units = LoadPrincipals.units.map { unit in
            "  - { id: \(unit.id), name: \(unit.name), "
                + (unit.parentId.map { "parent: \($0), " } ?? "") + "level: \(unit.level.rawValue) }"
        }.joined(separator: "\n")
        return """
            calendars:
              - file: \(calendarFile)
            dibao:
              - { region: "370200", effective: 2025-07-01, monthly: "1060.00" }
            # A load holds one connection per client for each role: up to 64 clients at a time.
            limits:
              connections_per_user: 128
            units:
            \(units)
            grants:
              - { user: "\(grantee(caseworker))", role: caseworker, unit: b1 }
              - { user: "\(grantee(reviewer))", role: reviewer, unit: b1 }
              - { user: "\(grantee(approver))", role: approver, unit: county }
              - { user: "\(grantee(treasurer))", role: treasurer, unit: county }
              - { user: "\(grantee(auditor))", role: auditor, unit: city }
            \(extra)
            \(store)
            """
    }

    /// The accounts a load on a shared store runs as: other uids than the default principals',
    /// which stay without accounts (the daemon tests expect `uid:N` actors for those).
    public static let accountNames: [UInt32: String] = [
        61201: "bangfu-load-cw", 61202: "bangfu-load-rv", 61203: "bangfu-load-ap", 61204: "bangfu-load-tr",
        61205: "bangfu-load-au",
    ]

    /// The principals of a load on a shared store: the uids of `accountNames`.
    public static var named: LoadPrincipals {
        var principals = LoadPrincipals()
        (principals.caseworker, principals.reviewer, principals.approver) = (61201, 61202, 61203)
        (principals.treasurer, principals.auditor) = (61204, 61205)
        return principals
    }

    /// Makes the group and the accounts of `accountNames` when missing (needs root): system
    /// accounts with no home and no login shell.
    public func ensureAccounts() throws {
        if try LocalPostgres.run(["/usr/bin/getent", "group", String(gid)]).0 != 0 {
            let (made, _, error) = try LocalPostgres.run(["/usr/sbin/groupadd", "-g", String(gid), "bangfu-load"])
            guard made == 0 else { throw LoadError("groupadd \(gid): \(error)") }
        }
        for (uid, name) in LoadPrincipals.accountNames.sorted(by: { $0.key < $1.key }) {
            let (found, entry, _) = try LocalPostgres.run(["/usr/bin/getent", "passwd", String(uid)])
            if found == 0 {
                guard entry.hasPrefix(name + ":") else {
                    throw LoadError(
                        "uid \(uid) belongs to another account (\(entry.prefix { $0 != ":" })), not \(name)")
                }
                continue
            }
            let (made, _, error) = try LocalPostgres.run(
                [
                    "/usr/sbin/useradd", "-r", "-u", String(uid), "-g", String(gid), "-M", "-s", "/usr/sbin/nologin",
                    name,
                ])
            guard made == 0 else { throw LoadError("useradd \(name): \(error)") }
        }
    }
}
