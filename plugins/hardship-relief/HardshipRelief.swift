import BangfuPluginKit

/// 特困救助: a one-off grant after serious illness, disaster, emergency or for schooling, by category.
struct HardshipRelief: HelpTypePlugin {
    var configKeys: [ConfigKey] {
        [
            ConfigKey(
                key: "amount_deep_fen", defaultValue: .integer(500_000), descriptionZh: "深度困难户救助金额（分）",
                descriptionEn: "grant for deep hardship, fen"),
            ConfigKey(
                key: "amount_relative_fen", defaultValue: .integer(300_000), descriptionZh: "相对困难户救助金额（分）",
                descriptionEn: "grant for relative hardship, fen"),
            ConfigKey(
                key: "amount_accident_fen", defaultValue: .integer(500_000), descriptionZh: "意外致困户救助金额（分）",
                descriptionEn: "grant for accident hardship, fen"),
        ]
    }

    func descriptor(_ c: PluginContext) -> HelpTypeDescriptor {
        HelpTypeDescriptor(
            id: "hardship-relief", nameZh: "特困救助", nameEn: "Special hardship relief", version: "1.0.0",
            paymentKind: .oneOff,
            fields: [
                FormField(
                    key: "cause", labelZh: "救助事由", labelEn: "cause", type: .choice,
                    options: ["serious_illness", "disaster", "emergency", "schooling"],
                    optionsZh: ["大病", "灾害", "突发困难", "子女就学"]),
                FormField(
                    key: "loss_fen", labelZh: "损失或支出（元）", labelEn: "loss or cost, yuan", type: .money, required: false,
                    min: 1),
                FormField(
                    key: "description", labelZh: "情况说明", labelEn: "description", type: .string, required: false,
                    maxLength: 200),
            ],
            fundSources: ["fiscal", "union_funds", "donation"], flags: [HelpTypeDescriptor.temporaryAid],
            amountCapFen: max(
                c.integer("amount_deep_fen"), c.integer("amount_relative_fen"), c.integer("amount_accident_fen")))
    }

    func assess(_ requests: [AssessmentRequest], _ c: PluginContext) throws -> [Assessment] {
        let amounts = [
            "deep": c.integer("amount_deep_fen"), "relative": c.integer("amount_relative_fen"),
            "accident": c.integer("amount_accident_fen"),
        ]
        return requests.map { r in
            guard let cat = r.household.category, let base = amounts[cat] else { return .refuse(.notInHardship) }
            if r.text("cause") == "schooling" && !r.household.people.contains(where: { $0.status == "student" }) {
                return .refuse(
                    Reason(
                        "no_student", zh: "以就学为由申请，但家庭中没有在校学生",
                        en: "schooling given as the cause but no one in the household is a student"))
            }
            var amount = base
            var why = Reason(
                "by_category", zh: "按困难类别（\(Reason.categoryZh(cat))）救助 \(Reason.yuan(base))",
                en: "grant for category \(cat): \(Reason.yuan(base))")
            if let loss = r.int("loss_fen"), loss < base {
                amount = loss
                why = Reason(
                    "up_to_loss", zh: "救助额不超过实际损失 \(Reason.yuan(loss))",
                    en: "no more than the actual loss \(Reason.yuan(loss))")
            }
            return Assessment(eligible: true, reasons: [why], plan: PlanProposal(kind: .oneOff, amountFen: amount))
        }
    }
}

@_cdecl("bangfu_help_type_v1") public func entry() -> UnsafeRawPointer { BangfuPluginExport.entry(HardshipRelief()) }
