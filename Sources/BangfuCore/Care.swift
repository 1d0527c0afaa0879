import Foundation

/// A must-visit event (必访) from configuration: recording one creates a visit due in `dueDays`.
public struct MustVisitEvent: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var dueDays: Int

    public init(id: String, name: String, dueDays: Int) {
        self.id = id
        self.name = name
        self.dueDays = dueDays
    }

    /// The seed's list; configuration replaces it.
    public static let defaults = [
        MustVisitEvent(id: "hospital_stay", name: "住院", dueDays: 3),
        MustVisitEvent(id: "death", name: "亡故", dueDays: 2),
        MustVisitEvent(id: "family_disaster", name: "家庭变故或灾害", dueDays: 2),
        MustVisitEvent(id: "long_absence", name: "长期外出前", dueDays: 7),
        MustVisitEvent(id: "business_difficulty", name: "生产经营困难", dueDays: 7),
    ]
}

/// A household whose helpers have not been in touch within the period (at least quarterly).
public struct ContactDue: Sendable, Hashable, Codable {
    public var householdId: Int64
    public var archiveNo: String
    public var unitId: String
    public var helpers: [String]
    public var lastContact: Date?
    /// The last contact, or the pairing when there was none: what "overdue" is measured from.
    public var dueSince: Date

    public init(
        householdId: Int64, archiveNo: String, unitId: String, helpers: [String], lastContact: Date?, dueSince: Date
    ) {
        self.householdId = householdId
        self.archiveNo = archiveNo
        self.unitId = unitId
        self.helpers = helpers
        self.lastContact = lastContact
        self.dueSince = dueSince
    }
}

/// An open archive whose yearly review is due, and whether income suggests exit (脱困).
public struct ReviewDue: Sendable, Hashable, Codable {
    public var householdId: Int64
    public var archiveNo: String
    public var unitId: String
    public var reviewDue: LocalDate
    public var overdue: Bool
    /// Recorded per-capita income stayed at or above the local 低保 for the last 6 consecutive months.
    public var suggestExit: Bool

    public init(
        householdId: Int64, archiveNo: String, unitId: String, reviewDue: LocalDate, overdue: Bool, suggestExit: Bool
    ) {
        self.householdId = householdId
        self.archiveNo = archiveNo
        self.unitId = unitId
        self.reviewDue = reviewDue
        self.overdue = overdue
        self.suggestExit = suggestExit
    }
}

/// A reception at a window or on the 12351 hotline (接待).
public struct Reception: Sendable, Hashable, Codable {
    public var unitId: String
    /// window, hotline_12351, visit, other
    public var channel: String
    /// hardship_relief, job_referral, training, legal_aid, petition, health, migrant_rights, other
    public var kind: String
    /// helped, referred, not_helped, pending
    public var outcome: String
    public var archiveNo: String?
    public var caseNo: String?
    public var note: String?

    public init(
        unitId: String, channel: String, kind: String, outcome: String, archiveNo: String? = nil, caseNo: String? = nil,
        note: String? = nil
    ) {
        self.unitId = unitId
        self.channel = channel
        self.kind = kind
        self.outcome = outcome
        self.archiveNo = archiveNo
        self.caseNo = caseNo
        self.note = note
    }

    public static let kinds = [
        "hardship_relief", "job_referral", "training", "legal_aid", "petition", "health", "migrant_rights", "other",
    ]
}

/// "Received N, helped M" for a period, as the seed's reports count it.
public struct ReceptionSummary: Sendable, Hashable, Codable {
    public var received: Int
    public var helped: Int
    public var byKind: [String: Int]

    public init(received: Int, helped: Int, byKind: [String: Int]) {
        self.received = received
        self.helped = helped
        self.byKind = byKind
    }
}

/// A loan's repayments: what is due by today, what was repaid, and how much is overdue.
public struct LoanStatus: Sendable, Hashable, Codable {
    public var caseNo: String
    public var archiveNo: String
    public var unitId: String
    public var principal: Money
    public var repaid: Money
    public var dueByToday: Money
    public var nextDue: LocalDate?

    public var overdue: Money { Money(fen: max(0, dueByToday.fen - repaid.fen)) }

    public init(
        caseNo: String, archiveNo: String, unitId: String, principal: Money, repaid: Money, dueByToday: Money,
        nextDue: LocalDate?
    ) {
        self.caseNo = caseNo
        self.archiveNo = archiveNo
        self.unitId = unitId
        self.principal = principal
        self.repaid = repaid
        self.dueByToday = dueByToday
        self.nextDue = nextDue
    }
}
