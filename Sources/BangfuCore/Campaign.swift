import Foundation

/// One occurrence of a campaign: planned once per holiday date, even across restarts.
public struct CampaignRun: Sendable, Codable, Hashable {
    public enum State: String, Sendable, Codable { case planning, planned, closed }
    public var id: Int64
    public var campaignId: String
    public var holiday: LocalDate
    public var state: State
    public var budget: Money
    public var committed: Money
    public var targeted: Int
    public var startedAt: Date

    public init(
        id: Int64, campaignId: String, holiday: LocalDate, state: State, budget: Money, committed: Money, targeted: Int,
        startedAt: Date
    ) {
        self.id = id
        self.campaignId = campaignId
        self.holiday = holiday
        self.state = state
        self.budget = budget
        self.committed = committed
        self.targeted = targeted
        self.startedAt = startedAt
    }
}

/// What planning decided for one household.
public enum CampaignOutcome: String, Sendable, Codable {
    case planned
    /// Eligible, but the budget was spent on households in deeper hardship.
    case leftOutBudget = "left_out_budget"
    case ineligible
}

/// A household's line in a batch of planning.
public struct CampaignEntry: Sendable, Hashable {
    public var householdId: Int64
    public var outcome: CampaignOutcome
    public var amount: Money
    public var reason: String
    /// The paired helper who visits; nil for the unit's pool.
    public var visitor: String?

    public init(householdId: Int64, outcome: CampaignOutcome, amount: Money, reason: String, visitor: String? = nil) {
        self.householdId = householdId
        self.outcome = outcome
        self.amount = amount
        self.reason = reason
        self.visitor = visitor
    }
}

/// How far a campaign has come.
public struct CampaignProgress: Sendable, Codable, Hashable {
    public var run: CampaignRun
    public var processed: Int
    public var planned: Int
    public var leftOut: Int
    public var ineligible: Int
    public var visited: Int
    public var approved: Int
    public var paid: Int
    public var budgetLeft: Money

    public init(
        run: CampaignRun, processed: Int, planned: Int, leftOut: Int, ineligible: Int, visited: Int, approved: Int,
        paid: Int, budgetLeft: Money
    ) {
        self.run = run
        self.processed = processed
        self.planned = planned
        self.leftOut = leftOut
        self.ineligible = ineligible
        self.visited = visited
        self.approved = approved
        self.paid = paid
        self.budgetLeft = budgetLeft
    }
}

/// A visit to a household (走访慰问), from a campaign or a must-visit event.
public struct Visit: Sendable, Codable, Hashable {
    public var id: Int64
    public var householdId: Int64
    public var archiveNo: String
    public var unitId: String
    public var runId: Int64?
    public var visitor: String?
    public var dueOn: LocalDate
    public var status: String
    public var visitedAt: Date?
    public var visitedBy: String?
    public var note: String?
    /// The must-visit event that created it; nil for a campaign visit.
    public var event: String?

    public init(
        id: Int64, householdId: Int64, archiveNo: String, unitId: String, runId: Int64?, visitor: String?,
        dueOn: LocalDate,
        status: String, visitedAt: Date?, visitedBy: String?, note: String?, event: String? = nil
    ) {
        self.id = id
        self.householdId = householdId
        self.archiveNo = archiveNo
        self.unitId = unitId
        self.runId = runId
        self.visitor = visitor
        self.dueOn = dueOn
        self.status = status
        self.visitedAt = visitedAt
        self.visitedBy = visitedBy
        self.note = note
        self.event = event
    }
}

/// The occasions of holiday visits, as a notice names them (a campaign's form gives the code).
public enum HolidayOccasion {
    public static let namesZh = [
        "spring_festival": "春节", "new_year": "元旦", "july_first": "七一", "children_day": "六一", "mid_autumn": "中秋",
    ]

    /// What a public notice calls a case of a help type with this occasion: 七一慰问金, not the help
    /// type's general name; nil when the occasion is not one of the holidays.
    public static func noticeName(occasion: String?) -> String? {
        occasion.flatMap { namesZh[$0] }.map { "\($0)慰问金" }
    }
}

/// What a campaign batch did: the cases it moved, and each it could not with the reason. A batch
/// does what it can: one household over the yearly cap does not stop the others.
public struct CampaignBatchResult: Sendable, Codable, Hashable {
    public struct Failure: Sendable, Codable, Hashable {
        public var caseNo: String
        public var code: String
        public var zh: String
        public var en: String

        public init(caseNo: String, code: String, zh: String, en: String) {
            self.caseNo = caseNo
            self.code = code
            self.zh = zh
            self.en = en
        }
    }

    /// A case the batch moved (or, asked first, would move) and the amount it carries.
    public struct Item: Sendable, Codable, Hashable {
        public var caseNo: String
        public var archiveNo: String
        public var amount: Money

        public init(caseNo: String, archiveNo: String, amount: Money) {
            self.caseNo = caseNo
            self.archiveNo = archiveNo
            self.amount = amount
        }
    }

    public var done: Int
    public var failed: [Failure]
    public var items: [Item]

    public init(done: Int, failed: [Failure], items: [Item] = []) {
        self.done = done
        self.failed = failed
        self.items = items
    }
}
