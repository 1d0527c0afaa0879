/// Small helpers most help types need.
extension AssessmentRequest {
    /// Earlier cases of `helpType` in the same calendar year that count (not rejected or withdrawn).
    public func priorThisYear(_ helpType: String) -> [PriorCase] {
        prior.filter { $0.helpType == helpType && $0.counts && $0.filedOn.hasPrefix(String(year)) }
    }

    /// A form value as text, integer or flag.
    public func text(_ key: String) -> String? { form[key]?.string }
    public func int(_ key: String) -> Int64? { form[key]?.integer }

    /// The person a form field refers to by `ref`.
    public func person(ref: String?) -> PersonFacts? {
        guard let ref else { return nil }
        return household.people.first { $0.ref == ref }
    }
}

extension Reason {
    /// The household has no hardship category (any more).
    public static let notInHardship = Reason(
        "not_in_hardship", zh: "该户不属于困难职工家庭（无困难类别）", en: "the household is not in hardship (no category)")

    /// Amounts in reasons: `¥1,234.56`.
    public static func yuan(_ fen: Int64) -> String {
        let a = fen.magnitude
        var whole = String(a / 100)
        var i = whole.count - 3
        while i > 0 {
            whole.insert(",", at: whole.index(whole.startIndex, offsetBy: i))
            i -= 3
        }
        let c = a % 100
        return "\(fen < 0 ? "-" : "")¥\(whole).\(c < 10 ? "0" : "")\(c)"
    }
}
