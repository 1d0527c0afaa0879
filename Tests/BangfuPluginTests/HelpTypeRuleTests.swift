import BangfuPluginKit
import BangfuPlugins
import Testing

/// Each built-in help type's rules at their boundaries, through the real loaded library.
@Suite struct HelpTypeRuleTests {
    typealias F = PluginFixtures

    func assess(
        _ id: String, _ h: HouseholdFacts, _ form: [String: FormValue], prior: [PriorCase] = [],
        on: String = "2027-03-01"
    ) throws -> Assessment {
        let p = try F.registry.helpType(id)
        try p.descriptor.validate(form: form)
        return try p.assess([AssessmentRequest(on: on, household: h, form: form, prior: prior)])[0]
    }

    @Test func hardshipRelief() throws {
        #expect(
            try assess("hardship-relief", F.household("deep"), ["cause": .string("disaster")]).plan?.amountFen
                == 500_000)
        #expect(
            try assess("hardship-relief", F.household("relative"), ["cause": .string("disaster")]).plan?.amountFen
                == 300_000)
        #expect(
            try assess(
                "hardship-relief", F.household("deep"), ["cause": .string("disaster"), "loss_fen": .integer(499_999)]
            ).plan?.amountFen == 499_999)
        #expect(
            try assess(
                "hardship-relief", F.household("deep"), ["cause": .string("disaster"), "loss_fen": .integer(500_001)]
            ).plan?.amountFen == 500_000)
        #expect(try !assess("hardship-relief", F.household(nil), ["cause": .string("disaster")]).eligible)
        let noStudent = F.household("deep", members: [F.person("m1", "spouse", age: 40)])
        #expect(
            try assess("hardship-relief", noStudent, ["cause": .string("schooling")]).reasons.first?.code
                == "no_student")
        #expect(
            F.registry.loaded.first { $0.descriptor.id == "hardship-relief" }?.descriptor.flags == ["temporary_aid"])
    }

    @Test func medicalAidShareAndYearlyCap() throws {
        let h = F.household("relative")
        // 80%, rounded down
        #expect(try assess("medical-aid", h, ["self_paid_fen": .integer(1_000_001)]).plan?.amountFen == 800_000)
        #expect(
            try assess("medical-aid", F.household("deep"), ["self_paid_fen": .integer(1_000)]).plan?.amountFen == 1_000)
        let used = [
            PriorCase(
                helpType: "medical-aid", state: "closed", filedOn: "2027-01-10", approvedTotalFen: 1_900_000, form: [:])
        ]
        let capped = try assess("medical-aid", h, ["self_paid_fen": .integer(1_000_000)], prior: used)
        #expect(capped.plan?.amountFen == 100_000 && capped.reasons.contains { $0.code == "capped" })
        let full =
            used + [
                PriorCase(
                    helpType: "medical-aid", state: "disbursing", filedOn: "2027-02-10", approvedTotalFen: 100_000,
                    form: [:])
            ]
        #expect(
            try assess("medical-aid", h, ["self_paid_fen": .integer(1)], prior: full).reasons.first?.code
                == "yearly_cap_reached")
        // Last year's, rejected and withdrawn cases do not count.
        let other = [
            PriorCase(
                helpType: "medical-aid", state: "closed", filedOn: "2026-12-31", approvedTotalFen: 2_000_000, form: [:]),
            PriorCase(
                helpType: "medical-aid", state: "rejected", filedOn: "2027-01-02", approvedTotalFen: nil, form: [:]),
        ]
        #expect(try assess("medical-aid", h, ["self_paid_fen": .integer(100)], prior: other).plan?.amountFen == 80)
        #expect(throws: PluginError.self) { try assess("medical-aid", h, ["self_paid_fen": .integer(0)]) }
    }

    @Test func educationAid() throws {
        let h = F.household(
            "deep",
            members: [
                F.person("m2", "child", age: 13, status: "student"),
                F.person("m3", "child", age: 19, status: "student"),
            ])
        func autumn(_ ref: String, _ level: String, year: Int64 = 2027) -> [String: FormValue] {
            [
                "program": .string("autumn"), "student_ref": .string(ref), "school_level": .string(level),
                "school_year": .integer(year),
            ]
        }
        #expect(try assess("education-aid", h, autumn("m2", "junior_secondary")).plan?.amountFen == 300_000)
        #expect(try assess("education-aid", h, autumn("m3", "university")).plan?.amountFen == 500_000)
        let granted = [
            PriorCase(
                helpType: "education-aid", state: "closed", filedOn: "2027-08-01", approvedTotalFen: 300_000,
                form: autumn("m2", "junior_secondary"))
        ]
        #expect(
            try assess("education-aid", h, autumn("m2", "junior_secondary"), prior: granted).reasons.first?.code
                == "already_funded")
        #expect(try assess("education-aid", h, autumn("m2", "senior_secondary", year: 2028), prior: granted).eligible)
        #expect(try assess("education-aid", h, autumn("m9", "primary")).reasons.first?.code == "unknown_student")
        // 六一: under 14 only, and not blocked by the autumn grant.
        let june: [String: FormValue] = [
            "program": .string("children_day"), "student_ref": .string("m2"), "school_year": .integer(2027),
        ]
        #expect(try assess("education-aid", h, june, prior: granted).plan?.amountFen == 50_000)
        var older = june
        older["student_ref"] = .string("m3")
        #expect(try assess("education-aid", h, older).reasons.first?.code == "too_old")
        let h14 = F.household("deep", members: [F.person("m2", "child", age: 14, status: "student")])
        #expect(try !assess("education-aid", h14, june).eligible)
        // Named donor: yearly until graduation.
        let donor: [String: FormValue] = [
            "program": .string("named_donor"), "student_ref": .string("m3"), "school_year": .integer(2027),
            "graduation_year": .integer(2027),
        ]
        #expect(try assess("education-aid", h, donor).plan?.amountFen == 500_000)
        var graduated = donor
        graduated["graduation_year"] = .integer(2026)
        #expect(try assess("education-aid", h, graduated).reasons.first?.code == "graduated")
    }

    @Test func microLoan() throws {
        let h = F.household("relative")  // head laid off
        let form: [String: FormValue] = [
            "purpose": .string("reemployment"), "principal_fen": .integer(20_000_000), "term_months": .integer(12),
            "bank_rate_bp": .integer(435),
        ]
        let a = try assess("micro-loan", h, form)
        // 200k x 2.20% x 1 year
        #expect(a.plan == PlanProposal(kind: .loan, amountFen: 20_000_000, termMonths: 12, interestSubsidyFen: 440_000))
        #expect(
            try assess("micro-loan", h, form.merging(["principal_fen": .integer(20_000_001)]) { $1 }).reasons.first?
                .code == "principal_too_high")
        #expect(
            try assess("micro-loan", h, form.merging(["term_months": .integer(13)]) { $1 }).reasons.first?.code
                == "term_too_long")
        #expect(
            try assess("micro-loan", h, form.merging(["bank_rate_bp": .integer(200)]) { $1 }).plan?.interestSubsidyFen
                == 0)
        let employed = F.household("relative", head: F.person("h", "self", age: 40, work: "employed"))
        #expect(try assess("micro-loan", employed, form).reasons.first?.code == "not_unemployed")
        #expect(
            try assess("micro-loan", employed, form.merging(["purpose": .string("small_business")]) { $1 }).eligible)
    }

    @Test func monthlySubsidy() throws {
        let old = F.household(
            "deep", dibao: 106_000, head: F.person("h", "self", age: 60, work: "retired"), reviewDue: "2027-09-01")
        let a = try assess("monthly-subsidy", old, ["reason": .string("no_pension")])
        // not below 低保, until the review
        #expect(a.plan == PlanProposal(kind: .monthly, amountFen: 106_000, months: 6))
        let young = F.household("deep", head: F.person("h", "self", age: 59, work: "retired"))
        #expect(
            try assess("monthly-subsidy", young, ["reason": .string("no_pension")]).reasons.first?.code == "too_young")
        #expect(try assess("monthly-subsidy", young, ["reason": .string("unable_to_work")]).eligible)
        #expect(
            try assess(
                "monthly-subsidy", F.household("relative", head: F.person("h", "self", age: 70)),
                ["reason": .string("no_pension")]
            ).reasons.first?.code == "not_deep")
        #expect(MonthlySubsidyMonths.months("2027-03-01", "2027-03-15") == 1)
        #expect(MonthlySubsidyMonths.months("2027-03-01", "2029-03-01") == 12)
    }

    @Test func holidayCondolence() throws {
        let occ: [String: FormValue] = ["occasion": .string("spring_festival")]
        #expect(try assess("holiday-condolence", F.household("deep"), occ).plan?.amountFen == 100_000)
        #expect(try assess("holiday-condolence", F.household("relative"), occ).plan?.amountFen == 80_000)
        let model = F.household("relative", head: F.person("h", "self", age: 50, model: "national"))
        #expect(try assess("holiday-condolence", model, occ).plan?.amountFen == 200_000)
        let modelNotPoor = F.household(nil, head: F.person("h", "self", age: 50, model: "provincial"))
        #expect(try assess("holiday-condolence", modelNotPoor, occ).plan?.amountFen == 100_000)
        #expect(try !assess("holiday-condolence", F.household(nil), occ).eligible)
        let july: [String: FormValue] = ["occasion": .string("july_first")]
        #expect(try assess("holiday-condolence", F.household("deep"), july).reasons.first?.code == "not_party")
        let party = F.household("deep", head: F.person("h", "self", age: 50, party: true))
        #expect(try assess("holiday-condolence", party, july).eligible)
        let paid = [
            PriorCase(
                helpType: "holiday-condolence", state: "closed", filedOn: "2027-01-20", approvedTotalFen: 100_000,
                form: occ)
        ]
        #expect(
            try assess("holiday-condolence", F.household("deep"), occ, prior: paid).reasons.first?.code
                == "already_visited")
        #expect(
            try assess("holiday-condolence", F.household("deep"), ["occasion": .string("mid_autumn")], prior: paid)
                .eligible)
        // Issue 13.1: once per occurrence of the holiday, not per calendar year. The 2027 Spring
        // Festival (6 February) was paid in January 2027; the 2028 one (26 January) is planned in
        // December 2027, the same calendar year, and is another occurrence.
        let national = F.household("relative", head: F.person("h", "self", age: 60, model: "national"))
        let spring2027: [String: FormValue] = [
            "occasion": .string("spring_festival"), "holiday_date": .string("2027-02-06"),
        ]
        let paid2027 = [
            PriorCase(
                helpType: "holiday-condolence", state: "closed", filedOn: "2027-01-05", approvedTotalFen: 200_000,
                form: spring2027)
        ]
        var spring2028 = spring2027
        spring2028["holiday_date"] = .string("2028-01-26")
        #expect(try assess("holiday-condolence", national, spring2028, prior: paid2027, on: "2027-12-12").eligible)
        #expect(
            try assess("holiday-condolence", national, spring2027, prior: paid2027, on: "2027-01-20").reasons.first?
                .code
                == "already_visited")
        // Filed by hand without a date: the same occasion within half a year is the same occurrence.
        #expect(try assess("holiday-condolence", national, occ, prior: paid, on: "2027-12-12").eligible)
        #expect(try !assess("holiday-condolence", national, occ, prior: paid, on: "2027-06-30").eligible)
    }

    @Test func nonMonetaryHelpTypes() throws {
        #expect(try assess("legal-aid", F.household("deep"), ["matter": .string("wage_arrears")]).plan == .nonMonetary)
        #expect(
            try assess(
                "legal-aid", F.household(nil, head: F.person("h", "self", age: 30, work: "migrant_worker")),
                ["matter": .string("wage_arrears")]
            ).eligible)
        #expect(try !assess("legal-aid", F.household(nil), ["matter": .string("other")]).eligible)
        let job: [String: FormValue] = ["service": .string("job_referral"), "person_ref": .string("m1")]
        #expect(try assess("reemployment", F.household("deep"), job).eligible)  // spouse, 45, unemployed
        let sixtyOne = F.household("deep", members: [F.person("m1", "spouse", age: 61, status: "unemployed")])
        #expect(try assess("reemployment", sixtyOne, job).reasons.first?.code == "age")
        #expect(
            try assess("reemployment", F.household("deep"), job.merging(["person_ref": .string("m2")]) { $1 }).reasons
                .first?.code == "employed")
        // Housing: 3 people, under 36 m2 and income under 200% of 低保.
        func house(_ area: Int, perCapita: Int64) -> HouseholdFacts {
            F.household(
                "relative", perCapita: perCapita, dibao: 100_000, head: F.person("h", "self", age: 50, area: area))
        }
        let form: [String: FormValue] = ["current_housing": .string("rented")]
        #expect(try assess("housing-referral", house(35, perCapita: 199_999), form).eligible)
        #expect(try assess("housing-referral", house(36, perCapita: 100_000), form).reasons.first?.code == "area")
        #expect(try assess("housing-referral", house(20, perCapita: 200_000), form).reasons.first?.code == "income")
    }
}

/// The monthly-subsidy month count, mirrored here to test its boundaries without a household.
enum MonthlySubsidyMonths {
    static func months(_ on: String, _ review: String) -> Int {
        let h = PluginFixtures.household(
            "deep", dibao: 100_000, head: PluginFixtures.person("h", "self", age: 70), reviewDue: review)
        let p = try! PluginFixtures.registry.helpType("monthly-subsidy")
        return try! p.assess([AssessmentRequest(on: on, household: h, form: ["reason": .string("no_pension")])])[0]
            .plan?.months ?? -1
    }
}
