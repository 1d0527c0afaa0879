import BangfuPluginKit

/// 送温暖慰问金: a holiday condolence payment by hardship category and model-worker level
/// (the higher applies), once per household and occurrence of a holiday: the same holiday date
/// (campaigns give it), or without one a case of the same occasion filed within half a year. Not
/// per calendar year: the 2028 Spring Festival is planned in December 2027.
struct HolidayCondolence: HelpTypePlugin {
    var configKeys: [ConfigKey] {
        [
            ConfigKey(
                key: "amount_deep_fen", defaultValue: .integer(100_000), descriptionZh: "深度困难户（分）",
                descriptionEn: "deep hardship, fen"),
            ConfigKey(
                key: "amount_relative_fen", defaultValue: .integer(80_000), descriptionZh: "相对困难户（分）",
                descriptionEn: "relative hardship, fen"),
            ConfigKey(
                key: "amount_accident_fen", defaultValue: .integer(80_000), descriptionZh: "意外致困户（分）",
                descriptionEn: "accident hardship, fen"),
            ConfigKey(
                key: "amount_national_model_fen", defaultValue: .integer(200_000), descriptionZh: "全国劳模（分）",
                descriptionEn: "national model worker, fen"),
            ConfigKey(
                key: "amount_provincial_model_fen", defaultValue: .integer(100_000), descriptionZh: "省部级劳模（分）",
                descriptionEn: "provincial model worker, fen"),
            ConfigKey(
                key: "amount_city_model_fen", defaultValue: .integer(80_000), descriptionZh: "市级劳模（分）",
                descriptionEn: "city model worker, fen"),
            ConfigKey(
                key: "july_first_party_only", defaultValue: .bool(true), descriptionZh: "七一慰问仅限党员家庭",
                descriptionEn: "July 1 visits only for party members' households"),
        ]
    }

    func descriptor(_ c: PluginContext) -> HelpTypeDescriptor {
        HelpTypeDescriptor(
            id: "holiday-condolence", nameZh: "送温暖慰问金", nameEn: "Holiday condolence", version: "1.0.0",
            paymentKind: .oneOff,
            fields: [
                FormField(
                    key: "occasion", labelZh: "节日", labelEn: "occasion", type: .choice,
                    options: ["spring_festival", "new_year", "july_first", "children_day", "mid_autumn", "other"],
                    optionsZh: ["春节", "元旦", "七一", "六一", "中秋", "其他"]),
                FormField(
                    key: "campaign", labelZh: "走访活动", labelEn: "campaign", type: .string, required: false, maxLength: 60
                ),
                FormField(
                    key: "holiday_date", labelZh: "节日日期", labelEn: "holiday date", type: .date, required: false),
            ],
            fundSources: ["fiscal", "union_funds", "party_dues", "donation"],
            amountCapFen: ["deep", "relative", "accident", "national_model", "provincial_model", "city_model"].map {
                c.integer("amount_\($0)_fen")
            }.max())
    }

    func assess(_ requests: [AssessmentRequest], _ c: PluginContext) throws -> [Assessment] {
        let partyOnly = c.value("july_first_party_only")?.bool ?? true
        return requests.map { r in
            let h = r.household
            let byCategory = h.category.map { c.integer("amount_\($0)_fen") } ?? 0
            let level = h.people.map(\.modelWorkerLevel).first { $0 != "none" }
            let byModel = level.map { c.integer("amount_\($0)_model_fen") } ?? 0
            guard byCategory > 0 || byModel > 0 else { return .refuse(.notInHardship) }
            let occasion = r.text("occasion") ?? "other"
            if occasion == "july_first" && partyOnly
                && !h.people.contains(where: { $0.politicalStatus == "party_member" })
            {
                return .refuse(
                    Reason("not_party", zh: "七一慰问限党员家庭", en: "July 1 condolence is for party members' households"))
            }
            let holidayDate = r.text("holiday_date")
            let sameOccurrence = r.prior.contains { prior in
                guard prior.helpType == "holiday-condolence", prior.counts,
                    prior.form["occasion"]?.string == occasion
                else { return false }
                if let holidayDate, let priorDate = prior.form["holiday_date"]?.string {
                    return priorDate == holidayDate
                }
                return abs(Self.dayNumber(prior.filedOn) - Self.dayNumber(r.on)) < 183
            }
            if sameOccurrence {
                return .refuse(
                    Reason(
                        "already_visited", zh: "该节日（\(holidayDate.map(Reason.dateZh) ?? "本次")）已慰问过",
                        en: "already paid for this holiday (\(holidayDate ?? "this time"))"))
            }
            let amount = max(byCategory, byModel)
            let why =
                byModel > byCategory
                ? Reason(
                    "model_worker", zh: "\(Reason.modelWorkerZh(level!))慰问 \(Reason.yuan(amount))",
                    en: "model worker (\(level!)): \(Reason.yuan(amount))")
                : Reason(
                    "by_category", zh: "按困难类别（\(Reason.categoryZh(h.category!))）慰问 \(Reason.yuan(amount))",
                    en: "category \(h.category!): \(Reason.yuan(amount))")
            return Assessment(eligible: true, reasons: [why], plan: PlanProposal(kind: .oneOff, amountFen: amount))
        }
    }

    /// Days since 1970-01-01 of a `YYYY-MM-DD` date (the civil calendar; 0 when it is not one).
    static func dayNumber(_ text: String) -> Int {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return 0 }
        let year = parts[1] <= 2 ? parts[0] - 1 : parts[0]
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (parts[1] + (parts[1] > 2 ? -3 : 9)) + 2) / 5 + parts[2] - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

@_cdecl("bangfu_help_type_v1") public func entry() -> UnsafeRawPointer { BangfuPluginExport.entry(HolidayCondolence()) }
