import BangfuPluginKit

/// 金秋助学 by school level (once per student per school year, no double funding); 六一 aid for
/// children under 14; named-donor grants paid once a school year until graduation.
struct EducationAid: HelpTypePlugin {
    var configKeys: [ConfigKey] {
        [
            ConfigKey(
                key: "amount_compulsory_fen", defaultValue: .integer(300_000), descriptionZh: "学前及义务教育阶段（分）",
                descriptionEn: "preschool and compulsory education, fen"),
            ConfigKey(
                key: "amount_senior_fen", defaultValue: .integer(300_000), descriptionZh: "高中及中职（分）",
                descriptionEn: "senior secondary and vocational, fen"),
            ConfigKey(
                key: "amount_university_fen", defaultValue: .integer(500_000), descriptionZh: "大学（分）",
                descriptionEn: "university, fen"),
            ConfigKey(
                key: "children_day_fen", defaultValue: .integer(50_000), descriptionZh: "六一慰问（分）",
                descriptionEn: "June 1 aid per child, fen"),
            ConfigKey(
                key: "children_day_max_age", defaultValue: .integer(13), descriptionZh: "六一慰问最大年龄（不满 14 岁）",
                descriptionEn: "oldest age for June 1 aid (under 14)"),
            ConfigKey(
                key: "named_donor_fen", defaultValue: .integer(500_000), descriptionZh: "定向捐赠每学年（分）",
                descriptionEn: "named-donor grant per school year, fen"),
        ]
    }

    static let levels = ["preschool", "primary", "junior_secondary", "senior_secondary", "vocational", "university"]

    func descriptor(_ c: PluginContext) -> HelpTypeDescriptor {
        HelpTypeDescriptor(
            id: "education-aid", nameZh: "金秋助学", nameEn: "Education aid", version: "1.0.0", paymentKind: .oneOff,
            fields: [
                FormField(
                    key: "program", labelZh: "项目", labelEn: "program", type: .choice,
                    options: ["autumn", "children_day", "named_donor"], optionsZh: ["金秋助学", "六一助学", "定向捐助"]),
                FormField(key: "student_ref", labelZh: "受助学生", labelEn: "student", type: .string, maxLength: 64),
                FormField(
                    key: "school_level", labelZh: "学段", labelEn: "school level", type: .choice, required: false,
                    options: Self.levels, optionsZh: ["学前", "小学", "初中", "高中", "职业教育", "大学"]),
                FormField(
                    key: "school_year", labelZh: "学年（开始年份）", labelEn: "school year (starting year)", type: .integer,
                    min: 2000, max: 2100),
                FormField(
                    key: "graduation_year", labelZh: "预计毕业年份", labelEn: "expected graduation year", type: .integer,
                    required: false, min: 2000, max: 2100),
                FormField(
                    key: "donor", labelZh: "捐赠人", labelEn: "donor", type: .string, required: false, maxLength: 60),
            ],
            fundSources: ["fiscal", "union_funds", "donation", "named_donor"],
            amountCapFen: [
                c.integer("amount_compulsory_fen"), c.integer("amount_senior_fen"), c.integer("amount_university_fen"),
                c.integer("children_day_fen"), c.integer("named_donor_fen"),
            ].max())
    }

    func assess(_ requests: [AssessmentRequest], _ c: PluginContext) throws -> [Assessment] {
        requests.map { r in
            guard r.household.category != nil else { return .refuse(.notInHardship) }
            guard let student = r.person(ref: r.text("student_ref")) else {
                return .refuse(
                    Reason("unknown_student", zh: "受助学生不是本户成员", en: "the student is not a member of the household"))
            }
            let program = r.text("program") ?? ""
            let year = r.int("school_year") ?? 0
            // No double funding: one grant per student and school year (六一 counts separately).
            let grantedBefore = r.prior.contains {
                $0.helpType == "education-aid" && $0.counts && $0.form["student_ref"]?.string == student.ref
                    && $0.form["school_year"]?.integer == year
                    && (($0.form["program"]?.string == "children_day") == (program == "children_day"))
            }
            if grantedBefore {
                return .refuse(
                    Reason(
                        "already_funded", zh: "该生本学年已获资助，不重复资助",
                        en: "the student is already funded for this school year"))
            }
            switch program {
            case "children_day":
                let maxAge = c.integer("children_day_max_age")
                guard student.age <= maxAge else {
                    return .refuse(
                        Reason(
                            "too_old", zh: "六一慰问限 \(maxAge + 1) 岁以下儿童，该儿童 \(student.age) 岁",
                            en: "June 1 aid is for children under \(maxAge + 1); this child is \(student.age)"))
                }
                let amt = c.integer("children_day_fen")
                return Assessment(
                    eligible: true,
                    reasons: [
                        Reason("children_day", zh: "六一慰问 \(Reason.yuan(amt))", en: "June 1 aid \(Reason.yuan(amt))")
                    ],
                    plan: PlanProposal(kind: .oneOff, amountFen: amt))
            case "named_donor":
                guard let grad = r.int("graduation_year"), grad >= year else {
                    return .refuse(
                        Reason(
                            "graduated", zh: "定向资助须填写不早于本学年的毕业年份",
                            en: "a named-donor grant needs a graduation year not before this school year"))
                }
                let amt = c.integer("named_donor_fen")
                return Assessment(
                    eligible: true,
                    reasons: [
                        Reason(
                            "named_donor", zh: "定向捐赠资助本学年 \(Reason.yuan(amt))，至 \(grad) 年毕业",
                            en:
                                "named-donor grant \(Reason.yuan(amt)) for this school year, until graduation in \(grad)"
                        )
                    ],
                    plan: PlanProposal(kind: .oneOff, amountFen: amt))
            default:
                guard student.status == "student", let level = r.text("school_level") else {
                    return .refuse(
                        Reason(
                            "not_a_student", zh: "金秋助学须为在校学生并填写学段", en: "autumn aid needs a student and a school level")
                    )
                }
                let key =
                    ["senior_secondary", "vocational"].contains(level)
                    ? "amount_senior_fen" : level == "university" ? "amount_university_fen" : "amount_compulsory_fen"
                let amt = c.integer(key)
                return Assessment(
                    eligible: true,
                    reasons: [
                        Reason(
                            "by_level", zh: "按学段（\(level)）资助 \(Reason.yuan(amt))",
                            en: "grant for \(level): \(Reason.yuan(amt))")
                    ],
                    plan: PlanProposal(kind: .oneOff, amountFen: amt))
            }
        }
    }
}

@_cdecl("bangfu_help_type_v1") public func entry() -> UnsafeRawPointer { BangfuPluginExport.entry(EducationAid()) }
