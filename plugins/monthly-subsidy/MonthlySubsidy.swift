import BangfuPluginKit

/// 定额补助: a fixed monthly subsidy for deep-hardship members without a pension or unable to work,
/// not below the local 低保, until the archive's next review.
struct MonthlySubsidy: HelpTypePlugin {
    var configKeys: [ConfigKey] {
        [
            ConfigKey(
                key: "monthly_fen", defaultValue: .integer(0), descriptionZh: "每月补助金额（分）；低于当地低保时按低保",
                descriptionEn: "monthly amount, fen; never below the local 低保"),
            ConfigKey(
                key: "cap_monthly_fen", defaultValue: .integer(300_000), descriptionZh: "每月补助上限（分）",
                descriptionEn: "monthly cap, fen"),
            ConfigKey(
                key: "min_age", defaultValue: .integer(60), descriptionZh: "无养老金补助的最低年龄",
                descriptionEn: "youngest age for the no-pension subsidy"),
        ]
    }

    func descriptor(_ c: PluginContext) -> HelpTypeDescriptor {
        HelpTypeDescriptor(
            id: "monthly-subsidy", nameZh: "定额补助", nameEn: "Monthly subsidy", version: "1.0.0", paymentKind: .monthly,
            fields: [
                FormField(
                    key: "reason", labelZh: "补助原因", labelEn: "reason", type: .choice,
                    options: ["no_pension", "unable_to_work"], optionsZh: ["无养老金", "丧失劳动能力"])
            ],
            fundSources: ["fiscal", "union_funds"],
            amountCapFen: c.integer("cap_monthly_fen").multipliedReportingOverflow(by: 12).partialValue)
    }

    /// Whole months from `on` to the review date, at least 1 and at most 12.
    static func months(from on: String, to review: String) -> Int {
        func ym(_ s: String) -> (Int, Int, Int) {
            let p = s.split(separator: "-").compactMap { Int($0) }
            return p.count == 3 ? (p[0], p[1], p[2]) : (0, 0, 0)
        }
        let (y1, m1, d1) = ym(on), (y2, m2, d2) = ym(review)
        var n = (y2 - y1) * 12 + (m2 - m1)
        if d2 < d1 { n -= 1 }
        return min(12, max(1, n))
    }

    func assess(_ requests: [AssessmentRequest], _ c: PluginContext) throws -> [Assessment] {
        requests.map { r in
            guard r.household.category == "deep" else {
                return .refuse(
                    Reason("not_deep", zh: "定额补助限深度困难户", en: "the monthly subsidy is for deep hardship only"))
            }
            let minAge = c.integer("min_age")
            if r.text("reason") == "no_pension" && Int64(r.household.head.age) < minAge {
                return .refuse(
                    Reason(
                        "too_young", zh: "无养老金补助须年满 \(minAge) 岁",
                        en: "the no-pension subsidy needs age \(minAge) or more"))
            }
            let dibao = r.household.dibaoMonthlyFen
            let capM = c.integer("cap_monthly_fen")
            let amount = max(c.integer("monthly_fen"), dibao)
            guard amount <= capM else {
                return .refuse(
                    Reason(
                        "cap_below_dibao",
                        zh: "每月上限 \(Reason.yuan(capM)) 低于当地低保 \(Reason.yuan(dibao))：请管理员调高 cap_monthly_fen",
                        en:
                            "the monthly cap \(Reason.yuan(capM)) is below the local 低保 \(Reason.yuan(dibao)): an administrator must raise cap_monthly_fen"
                    ))
            }
            let months = Self.months(from: r.on, to: r.household.reviewDue)
            return Assessment(
                eligible: true,
                reasons: [
                    Reason(
                        "monthly", zh: "每月 \(Reason.yuan(amount))（不低于当地低保 \(Reason.yuan(dibao))），共 \(months) 个月至下次复核",
                        en:
                            "\(Reason.yuan(amount)) a month (not below the local 低保 \(Reason.yuan(dibao))) for \(months) months, until the next review"
                    )
                ],
                plan: PlanProposal(kind: .monthly, amountFen: amount, months: months))
        }
    }
}

@_cdecl("bangfu_help_type_v1") public func entry() -> UnsafeRawPointer { BangfuPluginExport.entry(MonthlySubsidy()) }
