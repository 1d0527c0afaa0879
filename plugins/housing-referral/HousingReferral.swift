import BangfuPluginKit

/// 廉租房: a referral for low-rent housing when per-capita housing is under the configured area and
/// per-capita income under the configured share of the local 低保.
struct HousingReferral: HelpTypePlugin {
    var configKeys: [ConfigKey] {
        [
            ConfigKey(
                key: "max_area_per_person_sqm", defaultValue: .integer(12), descriptionZh: "人均住房面积上限（平方米，不含）",
                descriptionEn: "per-capita housing area below which a referral is made, m2"),
            ConfigKey(
                key: "income_percent_of_dibao", defaultValue: .integer(200), descriptionZh: "人均月收入须低于低保的百分比",
                descriptionEn: "per-capita income must be below this % of the 低保"),
        ]
    }

    func descriptor(_ c: PluginContext) -> HelpTypeDescriptor {
        HelpTypeDescriptor(
            id: "housing-referral", nameZh: "廉租房转介", nameEn: "Housing referral", version: "1.0.0",
            paymentKind: .nonMonetary,
            fields: [
                FormField(
                    key: "current_housing", labelZh: "现住房", labelEn: "current housing", type: .choice,
                    options: ["rented", "own", "none", "other"], optionsZh: ["租房", "自有住房", "无住房", "其他"]),
                FormField(
                    key: "notes", labelZh: "说明", labelEn: "notes", type: .string, required: false, maxLength: 200),
            ],
            fundSources: [], amountCapFen: nil)
    }

    func assess(_ requests: [AssessmentRequest], _ c: PluginContext) throws -> [Assessment] {
        let maxArea = c.integer("max_area_per_person_sqm"), pct = c.integer("income_percent_of_dibao")
        return try requests.map { r in
            let h = r.household
            guard let area = h.head.housingAreaSqm else {
                return .refuse(
                    Reason(
                        "no_area", zh: "档案中没有住房面积：请先补充档案",
                        en: "the archive has no housing area: complete the archive first"))
            }
            // Exact integers: area / size < maxArea  <=>  area < maxArea x size.
            guard Int64(area) < (try Fen.product(maxArea, Int64(h.size), "max_area_per_person_sqm")) else {
                return .refuse(
                    Reason("area", zh: "人均住房面积不低于 \(maxArea) 平方米", en: "per-capita housing is at least \(maxArea) m2"))
            }
            let scaledIncome = try Fen.product(h.perCapitaMonthlyFen, 100, "income")
            guard scaledIncome < (try Fen.product(pct, h.dibaoMonthlyFen, "income_percent_of_dibao")) else {
                return .refuse(
                    Reason("income", zh: "人均月收入不低于低保的 \(pct)%", en: "per-capita income is at least \(pct)% of the 低保"))
            }
            return Assessment(
                eligible: true,
                reasons: [
                    Reason(
                        "referral", zh: "住房与收入均符合条件，转介廉租房",
                        en: "housing and income qualify: referred for low-rent housing")
                ], plan: .nonMonetary)
        }
    }
}

@_cdecl("bangfu_help_type_v1") public func entry() -> UnsafeRawPointer { BangfuPluginExport.entry(HousingReferral()) }
