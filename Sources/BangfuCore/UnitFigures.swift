import Foundation

/// What a report form covers: business days, the instants they span in the business zone, and the
/// contact interval the pairing rule uses (overdue contacts are counted as of the last day).
public struct ReportWindow: Sendable, Hashable {
    public var from: LocalDate
    public var to: LocalDate
    /// 00:00 of `from`.
    public var start: Date
    /// 00:00 of the day after `to`: instants in the window are `start ..< end`.
    public var end: Date
    public var contactIntervalDays: Int

    public init(from: LocalDate, to: LocalDate, zone: BusinessZone, contactIntervalDays: Int) {
        self.from = from
        self.to = to
        start = zone.startOfDay(from)
        end = zone.startOfDay(to.adding(days: 1))
        self.contactIntervalDays = contactIntervalDays
    }
}

/// One line of a report section: a count and, where money is meant, an amount.
public struct Tally: Sendable, Codable, Hashable {
    public var count: Int = 0
    public var amount: Money = .zero

    public init(count: Int = 0, amount: Money = .zero) {
        self.count = count
        self.amount = amount
    }

    public static func + (a: Tally, b: Tally) -> Tally { Tally(count: a.count + b.count, amount: a.amount + b.amount) }
}

/// A report section's line: which section, and its key within it (a cause, a help type with a
/// stage, a channel with an outcome...). `detail` is the second dimension, empty when there is none.
public struct FigureKey: Sendable, Codable, Hashable, Comparable {
    /// The report form's sections beyond the unit totals.
    public enum Section: String, Sendable, Codable, CaseIterable {
        /// Archives open at the period's end by main cause of hardship.
        case archivesByCause = "archives_by_cause"
        /// Cases filed in the period by help type (key) and their stage now (detail).
        case casesByType = "cases_by_type"
        /// Aid paid in the period by help type (key) and fund source (detail).
        case paidByType = "paid_by_type"
        /// Loans lent (detail `lent`) and repaid (detail `repaid`) in the period, by help type.
        case loansByType = "loans_by_type"
        /// Receptions in the period by channel (key) and outcome (detail).
        case receptions
        /// Visits by kind (key): done in the period (detail `done`), overdue at its end (`overdue`).
        case visits
        /// Pairing contacts made in the period by kind (key `visit`, `phone`, `other`), and the
        /// households whose helpers were overdue at its end (key `overdue`).
        case contacts
        /// Holiday campaigns held in the period: key `campaign@holiday`, detail the outcome
        /// (`planned`, `left_out_budget`, `ineligible`, `visited`); planned amounts in `amount`.
        case campaigns
    }

    public var section: Section
    public var key: String
    public var detail: String

    public init(_ section: Section, _ key: String, _ detail: String = "") {
        self.section = section
        self.key = key
        self.detail = detail
    }

    public static func < (a: FigureKey, b: FigureKey) -> Bool {
        (a.section.rawValue, a.key, a.detail) < (b.section.rawValue, b.key, b.detail)
    }
}

/// Counts and amounts for one unit; `UnitTree.rollUp` adds each unit's subtree into it (三级管理 statistics).
public struct UnitFigures: Sendable, Codable, Hashable {
    /// Archives open at the period's end (created by then, not closed by then).
    public var openArchives: Int = 0
    /// Archives closed by the period's end.
    public var closedArchives: Int = 0
    /// Archives opened, closed (脱困 or otherwise) and re-entered (opened again for someone whose
    /// earlier archive was closed) within the period.
    public var newArchives: Int = 0
    public var exitedArchives: Int = 0
    public var reenteredArchives: Int = 0
    /// Open archives by category raw value (`deep`, `relative`, `accident`, `none`), as derived now.
    public var archivesByCategory: [String: Int] = [:]
    /// Cases by state raw value.
    public var casesByState: [String: Int] = [:]
    /// Aid paid out to households in the period (loans are not aid: see `lent`).
    public var paid: Money = .zero
    /// Aid payments made in the period.
    public var payments: Int = 0
    /// Lent to households in the period (micro-loans, repaid later), and repaid to the funds.
    public var lent: Money = .zero
    public var repaid: Money = .zero
    /// 帮扶人次: payments and loans made in the period, one per household and instalment.
    public var personTimes: Int = 0
    /// 接待人次 and how many of them were helped.
    public var receptions: Int = 0
    public var receptionsHelped: Int = 0
    /// The sections beyond the totals.
    public var lines: [FigureKey: Tally] = [:]

    public init() {}

    public static func + (a: UnitFigures, b: UnitFigures) -> UnitFigures {
        var sum = a
        sum.openArchives += b.openArchives
        sum.closedArchives += b.closedArchives
        sum.newArchives += b.newArchives
        sum.exitedArchives += b.exitedArchives
        sum.reenteredArchives += b.reenteredArchives
        sum.archivesByCategory.merge(b.archivesByCategory, uniquingKeysWith: +)
        sum.casesByState.merge(b.casesByState, uniquingKeysWith: +)
        sum.paid = sum.paid + b.paid
        sum.payments += b.payments
        sum.lent = sum.lent + b.lent
        sum.repaid = sum.repaid + b.repaid
        sum.personTimes += b.personTimes
        sum.receptions += b.receptions
        sum.receptionsHelped += b.receptionsHelped
        sum.lines.merge(b.lines, uniquingKeysWith: +)
        return sum
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
