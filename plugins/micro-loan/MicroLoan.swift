import BangfuPluginKit

/// 小额借款: a loan for re-employment or a small business, repaid monthly, with the union paying
/// the interest above a configured rate.
struct MicroLoan: HelpTypePlugin {
    var configKeys: [ConfigKey] {
        [
            ConfigKey(
                key: "max_principal_fen", defaultValue: .integer(20_000_000), descriptionZh: "借款本金上限（分）",
                descriptionEn: "largest principal, fen"),
            ConfigKey(
                key: "max_term_months", defaultValue: .integer(12), descriptionZh: "最长期限（月）",
                descriptionEn: "longest term, months"),
            ConfigKey(
                key: "subsidy_threshold_bp", defaultValue: .integer(215), descriptionZh: "借款人自付利率上限（基点），超出部分由工会贴息",
                descriptionEn: "rate the borrower pays at most, basis points; the union pays the rest"),
        ]
    }

    func descriptor(_ c: PluginContext) -> HelpTypeDescriptor {
        HelpTypeDescriptor(
            id: "micro-loan", nameZh: "小额借款", nameEn: "Micro-loan", version: "1.0.0", paymentKind: .loan,
            fields: [
                FormField(
                    key: "purpose", labelZh: "用途", labelEn: "purpose", type: .choice,
                    options: ["reemployment", "small_business"], optionsZh: ["再就业", "小本经营"]),
                FormField(key: "principal_fen", labelZh: "借款金额（元）", labelEn: "principal, yuan", type: .money, min: 1),
                FormField(
                    key: "term_months", labelZh: "期限（月）", labelEn: "term, months", type: .integer, min: 1, max: 120),
                FormField(
                    key: "bank_rate_bp", labelZh: "银行年利率（基点）", labelEn: "bank's yearly rate, basis points",
                    type: .integer, required: false, min: 0, max: 5000),
            ],
            fundSources: ["fiscal", "union_funds"], amountCapFen: c.integer("max_principal_fen"))
    }

    /// Interest above the threshold over the term, rounded down to the fen.
    static func subsidy(principal: Int64, rateBp: Int64, thresholdBp: Int64, months: Int64) throws -> Int64 {
        let above = max(0, try Fen.difference(rateBp, thresholdBp, "bank_rate_bp"))
        return try Fen.product(try Fen.product(principal, above, "interest"), months, "interest") / 12 / 10_000
    }

    func assess(_ requests: [AssessmentRequest], _ c: PluginContext) throws -> [Assessment] {
        try requests.map { r in
            guard r.household.category != nil else { return .refuse(.notInHardship) }
            let principal = r.int("principal_fen") ?? 0, term = r.int("term_months") ?? 0
            let maxP = c.integer("max_principal_fen"), maxT = c.integer("max_term_months")
            if r.text("purpose") == "reemployment"
                && !["unemployed", "laid_off"].contains(r.household.head.workStatus ?? "")
            {
                return .refuse(
                    Reason(
                        "not_unemployed", zh: "再就业借款限失业或下岗人员",
                        en: "a re-employment loan is for the unemployed or laid off"))
            }
            guard principal <= maxP else {
                return .refuse(
                    Reason(
                        "principal_too_high", zh: "借款金额超过上限 \(Reason.yuan(maxP))",
                        en: "the principal exceeds the cap of \(Reason.yuan(maxP))"))
            }
            guard term <= maxT else {
                return .refuse(Reason("term_too_long", zh: "借款期限超过 \(maxT) 个月", en: "the term exceeds \(maxT) months"))
            }
            let sub = try Self.subsidy(
                principal: principal, rateBp: r.int("bank_rate_bp") ?? 0,
                thresholdBp: c.integer("subsidy_threshold_bp"), months: term)
            return Assessment(
                eligible: true,
                reasons: [
                    Reason(
                        "loan", zh: "借款 \(Reason.yuan(principal))，\(term) 个月按月还款，工会贴息 \(Reason.yuan(sub))",
                        en:
                            "loan of \(Reason.yuan(principal)), repaid monthly over \(term) months; interest subsidy \(Reason.yuan(sub))"
                    )
                ],
                plan: PlanProposal(kind: .loan, amountFen: principal, termMonths: Int(term), interestSubsidyFen: sub))
        }
    }
}

@_cdecl("bangfu_help_type_v1") public func entry() -> UnsafeRawPointer { BangfuPluginExport.entry(MicroLoan()) }
