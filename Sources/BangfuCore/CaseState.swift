import Foundation

/// The states of a help case. Raw values are stable: they are used in the store, the protocol and the CLI.
public enum CaseState: String, Sendable, Codable, CaseIterable {
    case draft, submitted, returned
    case branchReviewPassed = "branch_review_passed"
    case inNotice = "in_notice"
    case objected
    case noticePassed = "notice_passed"
    case disbursing
    /// Recurring payments or loan repayments under way.
    case active
    case closed, rejected, withdrawn

    /// Terminal states: no event leaves them.
    public var isFinal: Bool { self == .closed || self == .rejected || self == .withdrawn }

    public var zh: String {
        switch self {
        case .draft: return "草稿"
        case .submitted: return "已申请"
        case .returned: return "退回补充"
        case .branchReviewPassed: return "初审通过"
        case .inNotice: return "公示中"
        case .objected: return "公示异议"
        case .noticePassed: return "公示期满"
        case .disbursing: return "待发放"
        case .active: return "发放/还款中"
        case .closed: return "已办结"
        case .rejected: return "未通过"
        case .withdrawn: return "已撤回"
        }
    }
}

/// How approved help is paid out. Until help-type plugins exist the approver chooses it.
public enum PaymentPlan: Sendable, Codable, Hashable {
    /// One payment.
    case oneOff(Money)
    /// The same amount each month for `months` instalments.
    case monthly(Money, months: Int)
    /// A loan paid out once and repaid by the household over `termMonths`.
    case loan(principal: Money, termMonths: Int = 12)
    /// Help without money (legal aid, referral); closed when the service is recorded.
    case nonMonetary

    /// Number of payments out of a fund.
    public var instalments: Int {
        switch self {
        case .oneOff: return 1
        case .monthly(_, let n): return n
        case .loan: return 1
        case .nonMonetary: return 0
        }
    }

    /// Amount of each payment.
    public var instalmentAmount: Money {
        switch self {
        case .oneOff(let m): return m
        case .monthly(let m, _): return m
        case .loan(let p, _): return p
        case .nonMonetary: return .zero
        }
    }

    /// Total paid out over the plan.
    /// Saturates instead of trapping; `validate` refuses any plan whose total passes `Money.maximum`.
    public var total: Money {
        let (total, overflow) = instalmentAmount.fen.multipliedReportingOverflow(by: Int64(instalments))
        return Money(fen: overflow ? Int64.max : total)
    }

    public var isLoan: Bool { if case .loan = self { return true } else { return false } }

    /// When monthly instalment `number` (2 or more) falls due: on `payDay` of the (number - 1)th
    /// month after the month the first was paid in. The first falls due when the notice passes.
    public static func monthlyDue(instalment number: Int, firstPaidOn first: LocalDate, payDay: Int) -> LocalDate? {
        guard number >= 2, let month = LocalDate(year: first.year, month: first.month, day: 1) else { return nil }
        let due = month.adding(months: number - 1)
        return LocalDate(year: due.year, month: due.month, day: payDay)
    }

    /// Checks amounts and counts are sensible.
    public func validate() throws {
        guard instalmentAmount <= Money.maximum, total <= Money.maximum else {
            throw BangfuError(
                .invalidInput, zh: "金额超出范围：一项帮扶合计不能超过 \(Money.maximum)",
                en: "out of range: one case pays at most \(Money.maximum) in all",
                context: ["field": "amount"])
        }
        switch self {
        case .loan(_, let t) where !(1...120).contains(t):
            throw BangfuError(.invalidInput, zh: "借款期限须在 1 到 120 个月之间", en: "a loan term must be 1 to 120 months")
        case .oneOff(let m), .loan(let m, _):
            guard m.fen > 0 else { throw BangfuError(.invalidInput, zh: "金额必须大于 0", en: "the amount must be above 0") }
        case .monthly(let m, let n):
            guard m.fen > 0 else { throw BangfuError(.invalidInput, zh: "金额必须大于 0", en: "the amount must be above 0") }
            guard (1...120).contains(n) else {
                throw BangfuError(
                    .invalidInput, zh: "按月发放的月数须在 1 到 120 之间", en: "monthly payments must run 1 to 120 months")
            }
        case .nonMonetary: break
        }
    }
}

/// A help case: one help type for one household, through application -> review -> notice -> disbursement.
public struct HelpCase: Sendable, Codable, Hashable {
    public var id: Int64
    /// Readable number, e.g. `BF-2026-000123`.
    public var caseNo: String
    public var householdId: Int64
    public var unitId: String
    public var helpType: String
    /// The application form as canonical JSON, checked against the help type's fields.
    public var formJSON: String
    /// The cause of the application, for the host's same-cause rule.
    public var cause: String?
    /// Whether the help type is flagged "temporary aid".
    public var temporaryAid: Bool
    public var state: CaseState
    public var filedBy: String
    public var reviewedBy: String?
    public var approvedBy: String?
    /// When the latest approval happened (it counts toward that year's cap).
    public var approvedAt: Date?
    public var plan: PaymentPlan?
    public var notice: NoticePeriod?
    /// When the running notice passes (00:00 business zone after its last working day); nil when none runs.
    public var noticeDeadline: Date?
    /// Working days left when an objection froze the notice.
    public var frozenRemainingDays: Int?
    public var instalmentsPaid: Int
    /// Loan repayments received so far.
    public var repaid: Money
    /// Why it was returned, rejected, withdrawn or closed: the latest such reason.
    public var reason: String?
    public var version: Int
    /// The case number of the withdrawn or rejected case this one was filed again to replace.
    public var replaces: String?

    public init(
        id: Int64, caseNo: String, householdId: Int64, unitId: String, helpType: String, filedBy: String,
        formJSON: String = "{}", cause: String? = nil, temporaryAid: Bool = false
    ) {
        self.id = id
        self.caseNo = caseNo
        self.householdId = householdId
        self.unitId = unitId
        self.helpType = helpType
        self.formJSON = formJSON
        self.cause = cause
        self.temporaryAid = temporaryAid
        self.state = .draft
        self.filedBy = filedBy
        self.instalmentsPaid = 0
        self.repaid = .zero
        self.version = 0
    }
}

/// When a loan's repayments fall due: monthly instalments of principal / term (the last takes the
/// remainder), on `payDay` of each month after the month it was paid out.
public struct LoanSchedule: Sendable, Hashable {
    public var principal: Money
    public var termMonths: Int
    public var paidOutOn: LocalDate
    public var payDay: Int

    public init(principal: Money, termMonths: Int, paidOutOn: LocalDate, payDay: Int) {
        self.principal = principal
        self.termMonths = termMonths
        self.paidOutOn = paidOutOn
        self.payDay = payDay
    }

    /// Due date of repayment k (1-based).
    public func dueDate(_ k: Int) -> LocalDate {
        let m = LocalDate(year: paidOutOn.year, month: paidOutOn.month, day: 1)!.adding(months: k)
        return LocalDate(year: m.year, month: m.month, day: payDay)!
    }

    /// What should have been repaid by the end of `day`.
    public func dueBy(_ day: LocalDate) -> Money {
        let each = principal.fen / Int64(termMonths)
        let n = (1...termMonths).filter { dueDate($0) <= day }.count
        return Money(fen: n == termMonths ? principal.fen : each * Int64(n))
    }

    /// The next repayment date after `day`, if any remain.
    public func nextDue(after day: LocalDate) -> LocalDate? {
        (1...termMonths).map(dueDate).first { $0 > day }
    }
}

/// One kept version of a case's form: version 1 as filed, then each amendment with who made it and why.
public struct FormVersion: Sendable, Codable, Hashable {
    public var version: Int
    public var formJSON: String
    public var at: Date
    public var actor: String
    public var note: String

    public init(version: Int, formJSON: String, at: Date, actor: String, note: String) {
        self.version = version
        self.formJSON = formJSON
        self.at = at
        self.actor = actor
        self.note = note
    }
}
