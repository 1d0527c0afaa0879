import BangfuPluginKit

/// 法律援助: no money; a lawyer is assigned and the outcome recorded. For archived households and
/// for migrant workers defending their rights.
struct LegalAid: HelpTypePlugin {
    var configKeys: [ConfigKey] { [] }

    func descriptor(_ c: PluginContext) -> HelpTypeDescriptor {
        HelpTypeDescriptor(
            id: "legal-aid", nameZh: "法律援助", nameEn: "Legal aid", version: "1.0.0", paymentKind: .nonMonetary,
            fields: [
                FormField(
                    key: "matter", labelZh: "事项", labelEn: "matter", type: .choice,
                    options: ["labor_dispute", "work_injury", "wage_arrears", "social_insurance", "other"],
                    optionsZh: ["劳动争议", "工伤", "欠薪", "社会保险", "其他"]),
                FormField(
                    key: "summary", labelZh: "案情摘要", labelEn: "summary", type: .string, required: false, maxLength: 200),
                FormField(
                    key: "lawyer", labelZh: "承办律师", labelEn: "lawyer assigned", type: .string, required: false,
                    maxLength: 60),
                FormField(
                    key: "outcome", labelZh: "办理结果", labelEn: "outcome", type: .string, required: false, maxLength: 200),
            ],
            fundSources: [], amountCapFen: nil)
    }

    func assess(_ requests: [AssessmentRequest], _ c: PluginContext) throws -> [Assessment] {
        requests.map { r in
            if r.household.category != nil {
                return Assessment(
                    eligible: true,
                    reasons: [Reason("archived", zh: "困难职工家庭，提供法律援助", en: "a household in hardship: legal aid given")],
                    plan: .nonMonetary)
            }
            if r.household.head.workStatus == "migrant_worker" {
                return Assessment(
                    eligible: true,
                    reasons: [
                        Reason("migrant_worker", zh: "农民工维权，提供法律援助", en: "a migrant worker's rights: legal aid given")
                    ], plan: .nonMonetary)
            }
            return .refuse(.notInHardship)
        }
    }
}

@_cdecl("bangfu_help_type_v1") public func entry() -> UnsafeRawPointer { BangfuPluginExport.entry(LegalAid()) }
