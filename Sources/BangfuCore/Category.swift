/// Hardship category (困难类别), derived from income against the local 低保, never entered by hand.
public enum HardshipCategory: String, Sendable, Codable, CaseIterable {
    /// 深度困难
    case deep
    /// 相对困难
    case relative
    /// 意外致困
    case accident

    public var zh: String {
        switch self {
        case .deep: return "深度困难"
        case .relative: return "相对困难"
        case .accident: return "意外致困"
        }
    }
}

/// A local minimum living standard (低保) for a region from a date on.
public struct DibaoStandard: Sendable, Codable, Hashable {
    public var region: String
    public var effective: LocalDate
    /// Monthly amount per person.
    public var monthly: Money

    public init(region: String, effective: LocalDate, monthly: Money) {
        self.region = region
        self.effective = effective
        self.monthly = monthly
    }
}

/// The category thresholds in force from a date on, as percentages of the 低保 line.
public struct CategoryRule: Sendable, Codable, Hashable {
    public var effective: LocalDate
    /// 深度困难 when net income < this % of 低保 x 12 x size (100 = 1 x 低保).
    public var deepPercent: Int
    /// 相对困难 when net income < this % of 低保 x 12 x size.
    public var relativePercent: Int
    /// 意外致困 when a year's accident or illness costs exceed this % of annual household income.
    public var accidentCostPercent: Int

    public init(effective: LocalDate, deepPercent: Int = 100, relativePercent: Int = 200, accidentCostPercent: Int = 80)
    {
        self.effective = effective
        self.deepPercent = deepPercent
        self.relativePercent = relativePercent
        self.accidentCostPercent = accidentCostPercent
    }

    /// The national rule of thumb (RULES.md section 1), in force since 2016.
    public static let standard = CategoryRule(effective: LocalDate(year: 2016, month: 1, day: 1)!)
}

/// The outcome of assessing a household: the category (or none) and why, in words.
public struct CategoryAssessment: Sendable, Codable, Hashable {
    public var category: HardshipCategory?
    public var assessedOn: LocalDate
    public var dibaoRegion: String
    public var dibaoMonthly: Money
    public var perCapitaMonthly: Money
    public var reasonZh: String
    public var reasonEn: String

    public init(
        category: HardshipCategory?, assessedOn: LocalDate, dibaoRegion: String, dibaoMonthly: Money,
        perCapitaMonthly: Money,
        reasonZh: String, reasonEn: String
    ) {
        self.category = category
        self.assessedOn = assessedOn
        self.dibaoRegion = dibaoRegion
        self.dibaoMonthly = dibaoMonthly
        self.perCapitaMonthly = perCapitaMonthly
        self.reasonZh = reasonZh
        self.reasonEn = reasonEn
    }
}

/// Dated tables of 低保 standards and category rules; picks what was in force on a date.
public struct CategoryRules: Sendable {
    public var dibao: [DibaoStandard]
    public var rules: [CategoryRule]

    public init(dibao: [DibaoStandard], rules: [CategoryRule] = [.standard]) {
        self.dibao = dibao
        self.rules = rules
    }

    /// The 低保 standard in force for a region on a date; falls back from county (370202) to
    /// city (370200) to province (370000) when the exact region has no entry.
    public func dibaoStandard(region: String, on date: LocalDate) throws -> DibaoStandard {
        var candidates = [region]
        if region.count == 6 {
            candidates.append(String(region.prefix(4)) + "00")
            candidates.append(String(region.prefix(2)) + "0000")
        }
        for r in candidates {
            if let s = dibao.filter({ $0.region == r && $0.effective <= date }).max(by: { $0.effective < $1.effective })
            {
                return s
            }
        }
        throw BangfuError(
            .noDibaoStandard,
            zh: "地区 \(region) 在 \(date) 没有生效的低保标准：请在配置文件的 dibao 表中加入该地区",
            en:
                "no 低保 standard for region \(region) in force on \(date): add one to the dibao table in the configuration file"
        )
    }

    public func rule(on date: LocalDate) throws -> CategoryRule {
        guard let r = rules.filter({ $0.effective <= date }).max(by: { $0.effective < $1.effective }) else {
            throw BangfuError(
                .invalidConfig, zh: "\(date) 没有生效的困难类别规则：请检查 category_rules",
                en: "no category rule in force on \(date): check category_rules")
        }
        return r
    }

    /// Derives the category exactly in integer fen:
    /// deep if (income - rigid) x 100 < deep% x 低保 x 12 x size; otherwise accident if
    /// accident costs x 100 > accident% x income; otherwise relative if under relative%; otherwise none.
    public func assess(_ a: ArchiveInput, on date: LocalDate) throws -> CategoryAssessment {
        let std = try dibaoStandard(region: a.region, on: date)
        let rule = try rule(on: date)
        // Inputs are bounded (`ArchiveInput.validate`), configuration too, but a trap here would stop
        // the daemon: every product is checked and an overflow is an `invalid_input`.
        let net = a.annualIncome.fen - a.rigidExpenses.fen
        let yearLine = try Money.product(try Money.product(std.monthly.fen, 12, "dibao"), Int64(a.size), "dibao")
        let scaledNet = try Money.product(net, 100, "annualIncome")
        let perCap = a.perCapitaMonthlyIncome
        let effective = "\(std.effective.year)年\(std.effective.month)月\(std.effective.day)日"
        let facts = "人均月收入 \(perCap)，低保 \(std.monthly)（地区 \(std.region)，\(effective)起）"
        let factsEn = "per-capita monthly income \(perCap), 低保 \(std.monthly) (\(std.region), from \(std.effective))"
        var cat: HardshipCategory?
        var zh: String, en: String
        if scaledNet < (try Money.product(Int64(rule.deepPercent), yearLine, "dibao")) {
            cat = .deep
            zh = "\(facts)，低于低保的 \(rule.deepPercent)%"
            en = "\(factsEn), below \(rule.deepPercent)% of 低保"
        } else if try Money.product(a.accidentCosts.fen, 100, "accidentCosts")
            > Money.product(Int64(rule.accidentCostPercent), a.annualIncome.fen, "annualIncome")
        {
            cat = .accident
            zh = "一年意外或疾病支出 \(a.accidentCosts) 超过家庭年收入 \(a.annualIncome) 的 \(rule.accidentCostPercent)%"
            en =
                "a year's accident or illness costs \(a.accidentCosts) exceed \(rule.accidentCostPercent)% of household income \(a.annualIncome)"
        } else if scaledNet < (try Money.product(Int64(rule.relativePercent), yearLine, "dibao")) {
            cat = .relative
            zh = "\(facts)，不低于低保的 \(rule.deepPercent)% 但低于 \(rule.relativePercent)%"
            en = "\(factsEn), at least \(rule.deepPercent)% but below \(rule.relativePercent)% of 低保"
        } else {
            cat = nil
            zh = "\(facts)，不低于低保的 \(rule.relativePercent)%，且无意外致困情形：不符合困难职工标准"
            en = "\(factsEn), at least \(rule.relativePercent)% of 低保 and no accident hardship: not in hardship"
        }
        return CategoryAssessment(
            category: cat, assessedOn: date, dibaoRegion: std.region, dibaoMonthly: std.monthly,
            perCapitaMonthly: perCap, reasonZh: zh, reasonEn: en)
    }
}
