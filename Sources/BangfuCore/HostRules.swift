/// Rules across help types that the host enforces, whatever the plugins say (configuration `rules:`).
public struct HostRules: Sendable, Hashable {
    /// Most a household may be approved in one calendar year over all help types; nil for no cap.
    public var yearlyCap: Money?
    /// Whether loans count toward the yearly cap (they are repaid, so by default they do not).
    public var capIncludesLoans: Bool
    /// No second application for the same cause within this many days; nil to allow.
    public var sameCauseWindowDays: Int?
    /// At most this many applications of help types flagged "temporary aid" per household and year.
    public var temporaryAidPerYear: Int?

    public init(
        yearlyCap: Money? = Money(yuan: 30_000), capIncludesLoans: Bool = false, sameCauseWindowDays: Int? = 365,
        temporaryAidPerYear: Int? = 2
    ) {
        self.yearlyCap = yearlyCap
        self.capIncludesLoans = capIncludesLoans
        self.sameCauseWindowDays = sameCauseWindowDays
        self.temporaryAidPerYear = temporaryAidPerYear
    }

    /// Checked when a case is filed.
    public func checkFiling(_ new: CaseApplication, on today: LocalDate, prior: [CaseSummary]) throws {
        let live = prior.filter(\.counts)
        if let window = sameCauseWindowDays, let cause = new.cause,
            let earlier = live.first(where: { $0.cause == cause && today.dayNumber - $0.filedOn.dayNumber < window })
        {
            throw BangfuError(
                .hostRule,
                zh:
                    "同一原因 \(window) 天内不能重复申请：已有案件 \(earlier.caseNo)（\(ReadableTime.date(earlier.filedOn.description, .zh))提交）",
                en:
                    "no second application for the same cause (\(cause)) within \(window) days: case \(earlier.caseNo) was filed on \(earlier.filedOn)"
            )
        }
        if let n = temporaryAidPerYear, new.temporaryAid {
            let count = live.filter { $0.temporaryAid && $0.filedOn.year == today.year }.count
            if count >= n {
                throw BangfuError(
                    .hostRule, zh: "临时救助每户每年最多 \(n) 次，本年度已有 \(count) 次",
                    en: "at most \(n) temporary-aid applications per household a year; this year already has \(count)")
            }
        }
    }

    /// Checked when a case is approved with `plan`.
    public func checkApproval(_ plan: PaymentPlan, on today: LocalDate, prior: [CaseSummary]) throws {
        guard let cap = yearlyCap, capIncludesLoans || !plan.isLoan else { return }
        let used = try prior.filter {
            $0.counts && $0.approvedOn?.year == today.year && (capIncludesLoans || !$0.isLoan)
        }
        .reduce(Money.zero) { used, prior in try used.adding(prior.total ?? .zero, "yearly cap") }
        if try used.adding(plan.total, "yearly cap") > cap {
            throw BangfuError(
                .hostRule,
                zh: "超过每户每年帮扶上限 \(cap)：本年度已批 \(used)，本次 \(plan.total)",
                en: "over the yearly cap of \(cap) per household: \(used) approved this year, \(plan.total) now")
        }
    }
}

/// What a new case is, for filing: the help type, its form as JSON, and what host rules need.
public struct CaseApplication: Sendable, Hashable {
    public var helpType: String
    /// The form as canonical JSON text (validated against the help type before it gets here).
    public var formJSON: String
    /// The cause of this application, for the same-cause rule.
    public var cause: String?
    /// Whether the help type is flagged "temporary aid".
    public var temporaryAid: Bool
    /// The case number of a withdrawn or rejected case of the household this one replaces.
    public var replaces: String?

    public init(
        helpType: String, formJSON: String = "{}", cause: String? = nil, temporaryAid: Bool = false,
        replaces: String? = nil
    ) {
        self.helpType = helpType
        self.formJSON = formJSON
        self.cause = cause
        self.temporaryAid = temporaryAid
        self.replaces = replaces
    }
}

/// An earlier case of a household, as host rules and help types see it.
public struct CaseSummary: Sendable, Hashable {
    public var caseNo: String
    public var helpType: String
    public var state: CaseState
    public var filedOn: LocalDate
    public var approvedOn: LocalDate?
    public var total: Money?
    public var isLoan: Bool
    public var cause: String?
    public var temporaryAid: Bool
    public var formJSON: String

    public init(
        caseNo: String, helpType: String, state: CaseState, filedOn: LocalDate, approvedOn: LocalDate?, total: Money?,
        isLoan: Bool, cause: String?, temporaryAid: Bool, formJSON: String
    ) {
        self.caseNo = caseNo
        self.helpType = helpType
        self.state = state
        self.filedOn = filedOn
        self.approvedOn = approvedOn
        self.total = total
        self.isLoan = isLoan
        self.cause = cause
        self.temporaryAid = temporaryAid
        self.formJSON = formJSON
    }

    /// Rejected and withdrawn cases do not count against a household.
    public var counts: Bool { state != .rejected && state != .withdrawn }
}
