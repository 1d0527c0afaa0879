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
    public func configuration(calendarFile: String, extra: String = "") -> String {
        """
        calendars:
          - file: \(calendarFile)
        dibao:
          - { region: "370200", effective: 2025-07-01, monthly: "1060.00" }
        # A load holds one connection per client for each role: up to 64 clients at a time.
        limits:
          connections_per_user: 128
        units:
        \(LoadPrincipals.units.map { u in
            "  - { id: \(u.id), name: \(u.name), \(u.parentId.map { "parent: \($0), " } ?? "")level: \(u.level.rawValue) }"
        }.joined(separator: "\n"))
        grants:
          - { user: "uid:\(caseworker)", role: caseworker, unit: b1 }
          - { user: "uid:\(reviewer)", role: reviewer, unit: b1 }
          - { user: "uid:\(approver)", role: approver, unit: county }
          - { user: "uid:\(treasurer)", role: treasurer, unit: county }
          - { user: "uid:\(auditor)", role: auditor, unit: city }
        \(extra)
        """
    }
}
