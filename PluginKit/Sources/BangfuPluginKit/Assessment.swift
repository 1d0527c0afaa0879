/// What the host tells a help type about one person: no name, no ID number.
public struct PersonFacts: Codable, Sendable, Hashable {
    /// An opaque reference, stable for this person within the archive (for "once per student").
    public var ref: String
    /// `self` for the applicant; otherwise spouse, child, parent, ...
    public var relation: String
    public var age: Int
    public var sex: String
    public var politicalStatus: String
    public var modelWorkerLevel: String
    public var workStatus: String?
    /// student, working, unemployed, retired, preschool, ...
    public var status: String?
    public var monthlyIncomeFen: Int64
    public var housingAreaSqm: Int?

    public init(
        ref: String, relation: String, age: Int, sex: String, politicalStatus: String = "masses",
        modelWorkerLevel: String = "none", workStatus: String? = nil, status: String? = nil,
        monthlyIncomeFen: Int64 = 0, housingAreaSqm: Int? = nil
    ) {
        self.ref = ref
        self.relation = relation
        self.age = age
        self.sex = sex
        self.politicalStatus = politicalStatus
        self.modelWorkerLevel = modelWorkerLevel
        self.workStatus = workStatus
        self.status = status
        self.monthlyIncomeFen = monthlyIncomeFen
        self.housingAreaSqm = housingAreaSqm
    }
}

/// The household as a help type sees it.
public struct HouseholdFacts: Codable, Sendable, Hashable {
    public var archiveNo: String
    /// `deep`, `relative`, `accident`, or nil when the household is no longer in hardship.
    public var category: String?
    public var size: Int
    public var annualIncomeFen: Int64
    public var rigidExpensesFen: Int64
    public var accidentCostsFen: Int64
    public var perCapitaMonthlyFen: Int64
    public var dibaoMonthlyFen: Int64
    public var region: String
    /// The next archive review, YYYY-MM-DD.
    public var reviewDue: String
    public var head: PersonFacts
    public var members: [PersonFacts]

    public init(
        archiveNo: String, category: String?, size: Int, annualIncomeFen: Int64, rigidExpensesFen: Int64,
        accidentCostsFen: Int64, perCapitaMonthlyFen: Int64, dibaoMonthlyFen: Int64, region: String, reviewDue: String,
        head: PersonFacts, members: [PersonFacts]
    ) {
        self.archiveNo = archiveNo
        self.category = category
        self.size = size
        self.annualIncomeFen = annualIncomeFen
        self.rigidExpensesFen = rigidExpensesFen
        self.accidentCostsFen = accidentCostsFen
        self.perCapitaMonthlyFen = perCapitaMonthlyFen
        self.dibaoMonthlyFen = dibaoMonthlyFen
        self.region = region
        self.reviewDue = reviewDue
        self.head = head
        self.members = members
    }

    /// Everyone in the household, the applicant first.
    public var people: [PersonFacts] { [head] + members }
}

/// An earlier case of the same household, for rules such as "once per student per school year".
public struct PriorCase: Codable, Sendable, Hashable {
    public var helpType: String
    public var state: String
    /// YYYY-MM-DD
    public var filedOn: String
    /// Total approved, in fen, once approved.
    public var approvedTotalFen: Int64?
    public var form: [String: FormValue]

    public init(helpType: String, state: String, filedOn: String, approvedTotalFen: Int64?, form: [String: FormValue]) {
        self.helpType = helpType
        self.state = state
        self.filedOn = filedOn
        self.approvedTotalFen = approvedTotalFen
        self.form = form
    }

    /// Rejected and withdrawn cases do not count against a household.
    public var counts: Bool { state != "rejected" && state != "withdrawn" }
}

/// One household to assess.
public struct AssessmentRequest: Codable, Sendable, Hashable {
    /// The assessment date, YYYY-MM-DD in the business zone.
    public var on: String
    public var household: HouseholdFacts
    public var form: [String: FormValue]
    public var prior: [PriorCase]

    public init(on: String, household: HouseholdFacts, form: [String: FormValue], prior: [PriorCase] = []) {
        self.on = on
        self.household = household
        self.form = form
        self.prior = prior
    }

    /// The year of `on`.
    public var year: Int { Int(on.prefix(4)) ?? 0 }
}

/// A reason for a decision, in both languages, with a stable code.
public struct Reason: Codable, Sendable, Hashable {
    public var code: String
    public var zh: String
    public var en: String

    public init(_ code: String, zh: String, en: String) {
        self.code = code
        self.zh = zh
        self.en = en
    }
}

/// The payment a help type proposes: amounts in integer fen.
public struct PlanProposal: Codable, Sendable, Hashable {
    public var kind: PaymentKind
    /// One-off amount, monthly amount, or loan principal.
    public var amountFen: Int64
    /// Number of monthly payments.
    public var months: Int?
    /// Loan term, repaid in this many monthly instalments.
    public var termMonths: Int?
    /// Interest the union pays for the borrower over the term.
    public var interestSubsidyFen: Int64?

    public init(
        kind: PaymentKind, amountFen: Int64, months: Int? = nil, termMonths: Int? = nil,
        interestSubsidyFen: Int64? = nil
    ) {
        self.kind = kind
        self.amountFen = amountFen
        self.months = months
        self.termMonths = termMonths
        self.interestSubsidyFen = interestSubsidyFen
    }

    public static let nonMonetary = PlanProposal(kind: .nonMonetary, amountFen: 0)

    /// What the plan pays out in total (a loan's principal counts once).
    /// Saturates instead of trapping: the host refuses any total past `Fen.maximum` anyway.
    public var totalFen: Int64 {
        guard kind == .monthly else { return amountFen }
        let (total, overflow) = amountFen.multipliedReportingOverflow(by: Int64(months ?? 0))
        return overflow ? Int64.max : total
    }
}

/// The outcome for one household: eligible or not, why, and the proposed payment.
public struct Assessment: Codable, Sendable, Hashable {
    public var eligible: Bool
    public var reasons: [Reason]
    public var plan: PlanProposal?

    public init(eligible: Bool, reasons: [Reason], plan: PlanProposal?) {
        self.eligible = eligible
        self.reasons = reasons
        self.plan = plan
    }

    public static func refuse(_ reasons: Reason...) -> Assessment {
        Assessment(eligible: false, reasons: reasons, plan: nil)
    }
}

/// The "assess" call's request body.
public struct AssessBatch: Codable, Sendable {
    public var requests: [AssessmentRequest]
    public init(requests: [AssessmentRequest]) { self.requests = requests }
}

/// The "assess" call's reply body: one result per request, in order.
public struct AssessResults: Codable, Sendable {
    public var results: [Assessment]
    public init(results: [Assessment]) { self.results = results }
}
