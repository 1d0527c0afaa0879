import BangfuPluginKit

/// 医疗救助: a share of the self-paid medical cost by category, up to a yearly cap per household.
struct MedicalAid: HelpTypePlugin {
    var configKeys: [ConfigKey] {
        [
            ConfigKey(
                key: "share_percent_deep", defaultValue: .integer(100), descriptionZh: "深度困难户自付部分救助比例（%）",
                descriptionEn: "share of self-paid cost for deep hardship, %"),
            ConfigKey(
                key: "share_percent_relative", defaultValue: .integer(80), descriptionZh: "相对困难户救助比例（%）",
                descriptionEn: "share for relative hardship, %"),
            ConfigKey(
                key: "share_percent_accident", defaultValue: .integer(80), descriptionZh: "意外致困户救助比例（%）",
                descriptionEn: "share for accident hardship, %"),
            ConfigKey(
                key: "yearly_cap_fen", defaultValue: .integer(2_000_000), descriptionZh: "每户每年医疗救助上限（分）",
                descriptionEn: "yearly cap per household, fen"),
        ]
    }

    func descriptor(_ c: PluginContext) -> HelpTypeDescriptor {
        HelpTypeDescriptor(
            id: "medical-aid", nameZh: "医疗救助", nameEn: "Medical aid", version: "1.0.0", paymentKind: .oneOff,
            fields: [
                FormField(
                    key: "self_paid_fen", labelZh: "个人自付医疗费用（元）", labelEn: "self-paid medical cost, yuan", type: .money,
                    min: 1),
                FormField(
                    key: "hospital", labelZh: "就诊医院", labelEn: "hospital", type: .string, required: false, maxLength: 60
                ),
                FormField(
                    key: "admission_date", labelZh: "入院日期", labelEn: "admission date", type: .date, required: false),
            ],
            fundSources: ["fiscal", "union_funds", "donation"], amountCapFen: c.integer("yearly_cap_fen"))
    }

    func assess(_ requests: [AssessmentRequest], _ c: PluginContext) throws -> [Assessment] {
        let cap = c.integer("yearly_cap_fen")
        return try requests.map { r in
            guard let cat = r.household.category else { return .refuse(.notInHardship) }
            let share = c.integer("share_percent_\(cat)")
            let selfPaid = r.int("self_paid_fen") ?? 0
            let used = try Fen.sum(r.priorThisYear("medical-aid").compactMap(\.approvedTotalFen), "prior medical aid")
            let left = try Fen.difference(cap, used, "yearly cap")
            guard left > 0 else {
                return .refuse(
                    Reason(
                        "yearly_cap_reached", zh: "本年度医疗救助已达上限 \(Reason.yuan(cap))",
                        en: "this year's medical aid has reached the cap of \(Reason.yuan(cap))"))
            }
            let byShare = try Fen.percent(selfPaid, share, "self_paid_fen")
            guard byShare > 0 else {
                return .refuse(Reason("nothing_to_pay", zh: "按比例计算救助额为 0", en: "the share comes to nothing"))
            }
            var reasons = [
                Reason(
                    "share", zh: "自付 \(Reason.yuan(selfPaid)) × \(share)% = \(Reason.yuan(byShare))",
                    en: "self-paid \(Reason.yuan(selfPaid)) x \(share)% = \(Reason.yuan(byShare))")
            ]
            if byShare > left {
                reasons.append(
                    Reason(
                        "capped", zh: "本年度剩余额度 \(Reason.yuan(left))",
                        en: "capped at this year's remaining \(Reason.yuan(left))"))
            }
            return Assessment(
                eligible: true, reasons: reasons, plan: PlanProposal(kind: .oneOff, amountFen: min(byShare, left)))
        }
    }
}

@_cdecl("bangfu_help_type_v1") public func entry() -> UnsafeRawPointer { BangfuPluginExport.entry(MedicalAid()) }
