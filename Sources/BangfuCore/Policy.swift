/// The rules a store applies, built from configuration: dates, notice length, categories, archive review.
public struct Policy: Sendable {
    public var caseRules: CaseRules
    public var categoryRules: CategoryRules
    /// Codes allowed as causes of hardship.
    public var causes: [String]
    /// Months between archive reviews (at least yearly).
    public var reviewIntervalMonths: Int
    /// Years a closed archive is kept before its personal data may be purged.
    public var retentionYears: Int
    /// Rules across help types (yearly cap, same cause, temporary aid).
    public var hostRules: HostRules
    /// Days a requested transfer between funds waits for a second approver before it expires.
    public var transferExpiryDays: Int
    /// Day of the month on which monthly instalments after the first fall due.
    public var monthlyPayDay: Int

    public init(
        caseRules: CaseRules = CaseRules(), categoryRules: CategoryRules = CategoryRules(dibao: []),
        causes: [String] = Policy.defaultCauses, reviewIntervalMonths: Int = 12, retentionYears: Int = 10,
        hostRules: HostRules = HostRules(), transferExpiryDays: Int = 7, monthlyPayDay: Int = 10
    ) {
        self.caseRules = caseRules
        self.categoryRules = categoryRules
        self.causes = causes
        self.reviewIntervalMonths = reviewIntervalMonths
        self.retentionYears = retentionYears
        self.hostRules = hostRules
        self.transferExpiryDays = transferExpiryDays
        self.monthlyPayDay = monthlyPayDay
    }

    /// Causes of hardship from the national archive form.
    public static let defaultCauses = [
        "unable_to_work", "unemployed", "laid_off", "no_social_insurance", "insurance_unpaid", "serious_illness",
        "disaster", "accident", "children_schooling", "single_parent_low_income", "enterprise_shutdown", "other",
    ]
}
