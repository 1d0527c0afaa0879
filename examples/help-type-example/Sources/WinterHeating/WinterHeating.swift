import BangfuPluginKit

/// 冬季取暖补贴: an example help type a union adds without rebuilding bangfud. Households in
/// hardship in the configured northern regions get a one-off heating subsidy per person, once a winter.
struct WinterHeating: HelpTypePlugin {
    var configKeys: [ConfigKey] {
        [
            ConfigKey(
                key: "per_person_fen", defaultValue: .integer(30_000), descriptionZh: "每人补贴（分）",
                descriptionEn: "subsidy per person, fen"),
            ConfigKey(
                key: "max_people", defaultValue: .integer(5), descriptionZh: "每户最多计人数",
                descriptionEn: "most people counted per household"),
            ConfigKey(
                key: "region_prefixes", defaultValue: .string("11,12,13,14,15,21,22,23,37,62,63,64,65,99"),
                descriptionZh: "供暖地区代码前缀（逗号分隔）", descriptionEn: "region-code prefixes with heating, comma-separated"),
        ]
    }

    func descriptor(_ c: PluginContext) -> HelpTypeDescriptor {
        HelpTypeDescriptor(
            id: "winter-heating", nameZh: "冬季取暖补贴", nameEn: "Winter heating subsidy", version: "0.1.0",
            paymentKind: .oneOff,
            fields: [
                FormField(
                    key: "winter", labelZh: "采暖季（开始年份）", labelEn: "heating season (starting year)", type: .integer,
                    min: 2000, max: 2100)
            ],
            fundSources: ["union_funds", "donation"], flags: [HelpTypeDescriptor.temporaryAid],
            amountCapFen: c.integer("per_person_fen") * c.integer("max_people"))
    }

    func assess(_ requests: [AssessmentRequest], _ c: PluginContext) throws -> [Assessment] {
        let prefixes = (c.value("region_prefixes")?.string ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        return requests.map { r in
            guard r.household.category != nil else { return .refuse(.notInHardship) }
            guard prefixes.contains(where: { r.household.region.hasPrefix($0) }) else {
                return .refuse(Reason("no_heating", zh: "所在地区不属于供暖地区", en: "the region is not a heating region"))
            }
            let winter = r.int("winter")
            if r.prior.contains(where: {
                $0.helpType == "winter-heating" && $0.counts && $0.form["winter"]?.integer == winter
            }) {
                return .refuse(Reason("already_paid", zh: "本采暖季已发放", en: "already paid this heating season"))
            }
            let people = min(Int64(r.household.size), c.integer("max_people"))
            let amount = people * c.integer("per_person_fen")
            return Assessment(
                eligible: true,
                reasons: [
                    Reason(
                        "per_person", zh: "\(people) 人 × \(Reason.yuan(c.integer("per_person_fen")))",
                        en: "\(people) people x \(Reason.yuan(c.integer("per_person_fen")))")
                ],
                plan: PlanProposal(kind: .oneOff, amountFen: amount))
        }
    }
}

@_cdecl("bangfu_help_type_v1") public func entry() -> UnsafeRawPointer { BangfuPluginExport.entry(WinterHeating()) }
