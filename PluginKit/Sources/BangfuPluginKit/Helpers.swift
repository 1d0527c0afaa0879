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

    /// A hardship category in a Chinese reason: `deep` is 深度困难 (a reason is read, never a code).
    public static func categoryZh(_ code: String) -> String {
        ["deep": "深度困难", "relative": "相对困难", "accident": "意外致困"][code] ?? code
    }

    /// A model-worker level in a Chinese reason: `national` is 全国劳模.
    public static func modelWorkerZh(_ code: String) -> String {
        ["city": "市级劳模", "provincial": "省部级劳模", "national": "全国劳模"][code] ?? code
    }

    /// A date in a Chinese reason: `2027-02-06` is 2027年2月6日; other text unchanged.
    public static func dateZh(_ text: String) -> String {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard text.count == 10, parts.count == 3 else { return text }
        return "\(parts[0])年\(parts[1])月\(parts[2])日"
    }

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
