import BangfuPluginKit

/// 再就业与技能培训: no money; a job referral or a training place for a household member of
/// working age who is unemployed or laid off.
struct Reemployment: HelpTypePlugin {
    var configKeys: [ConfigKey] {
        [
            ConfigKey(key: "min_age", defaultValue: .integer(16), descriptionZh: "最低年龄", descriptionEn: "youngest age"),
            ConfigKey(key: "max_age", defaultValue: .integer(60), descriptionZh: "最高年龄", descriptionEn: "oldest age"),
        ]
    }

    func descriptor(_ c: PluginContext) -> HelpTypeDescriptor {
        HelpTypeDescriptor(
            id: "reemployment", nameZh: "再就业与技能培训", nameEn: "Re-employment and training", version: "1.0.0",
            paymentKind: .nonMonetary,
            fields: [
                FormField(
                    key: "service", labelZh: "服务", labelEn: "service", type: .choice,
                    options: ["job_referral", "skills_training", "entrepreneurship_training"],
                    optionsZh: ["职业介绍", "技能培训", "创业培训"]),
                FormField(key: "person_ref", labelZh: "服务对象", labelEn: "person", type: .string, maxLength: 64),
                FormField(
                    key: "program", labelZh: "岗位或培训项目", labelEn: "job or training programme", type: .string,
                    required: false, maxLength: 100),
            ],
            fundSources: [], amountCapFen: nil)
    }

    func assess(_ requests: [AssessmentRequest], _ c: PluginContext) throws -> [Assessment] {
        let lo = c.integer("min_age"), hi = c.integer("max_age")
        return requests.map { r in
            guard r.household.category != nil else { return .refuse(.notInHardship) }
            guard let p = r.person(ref: r.text("person_ref")) else {
                return .refuse(
                    Reason("unknown_person", zh: "服务对象不是本户成员", en: "the person is not a member of the household"))
            }
            guard ["unemployed", "laid_off"].contains(p.workStatus ?? p.status ?? "") else {
                return .refuse(Reason("employed", zh: "服务对象不是失业或下岗人员", en: "the person is not unemployed or laid off"))
            }
            guard (lo...hi).contains(Int64(p.age)) else {
                return .refuse(
                    Reason("age", zh: "服务对象年龄须在 \(lo) 到 \(hi) 岁之间", en: "the person must be \(lo) to \(hi) years old"))
            }
            return Assessment(
                eligible: true,
                reasons: [Reason("referral", zh: "提供就业或培训服务", en: "a job or training referral is given")],
                plan: .nonMonetary)
        }
    }
}

@_cdecl("bangfu_help_type_v1") public func entry() -> UnsafeRawPointer { BangfuPluginExport.entry(Reemployment()) }
