/// Counts and amounts for one unit; `UnitTree.rollUp` adds each unit's subtree into it (三级管理 statistics).
public struct UnitFigures: Sendable, Codable, Hashable {
    public var openArchives: Int = 0
    public var closedArchives: Int = 0
    /// Open archives by category raw value (`deep`, `relative`, `accident`, `none`).
    public var archivesByCategory: [String: Int] = [:]
    /// Cases by state raw value.
    public var casesByState: [String: Int] = [:]
    /// Aid paid out to households in the period (loans are not aid: see `lent`).
    public var paid: Money = .zero
    /// Aid payments made in the period.
    public var payments: Int = 0
    /// Lent to households in the period (micro-loans, repaid later).
    public var lent: Money = .zero

    public init() {}

    public static func + (a: UnitFigures, b: UnitFigures) -> UnitFigures {
        var r = a
        r.openArchives += b.openArchives
        r.closedArchives += b.closedArchives
        r.archivesByCategory.merge(b.archivesByCategory, uniquingKeysWith: +)
        r.casesByState.merge(b.casesByState, uniquingKeysWith: +)
        r.paid = r.paid + b.paid
        r.payments += b.payments
        r.lent = r.lent + b.lent
        return r
    }
}

extension UnitTree {
    /// Each unit's own figures plus those of everything below it.
    public func rollUp(_ own: [String: UnitFigures]) -> [String: UnitFigures] {
        var out: [String: UnitFigures] = [:]
        for id in units.keys { out[id] = UnitFigures() }
        for (unit, figures) in own {
            for ancestor in path(of: unit) { out[ancestor] = (out[ancestor] ?? UnitFigures()) + figures }
        }
        return out
    }
}
