import BangfuCore
import BangfuPluginKit
import Foundation

extension Workflow {
    /// Active loans in `units` with their repayments due and overdue on `today`.
    /// One page of the active loans in `units` (by case id), with what is due by `today`.
    public func loans(units: [String], today: LocalDate, payDay: Int, page: Page) async throws
        -> (items: [LoanStatus], next: String?)
    {
        let store = self.store
        let zone = self.zone
        return try await page.fill(
            read: { afterId, count in
                try await store.cases(units: units, state: .active, page: Page(limit: count, afterId: afterId))
            },
            id: { helpCase in helpCase.id },
            keep: { helpCase -> LoanStatus? in
                guard case .loan(let principal, let term)? = helpCase.plan,
                    let paid = try await store.disbursements(caseId: helpCase.id).first
                else { return nil }
                let schedule = LoanSchedule(
                    principal: principal, termMonths: term, paidOutOn: zone.date(of: paid.paidAt), payDay: payDay)
                let archiveNo = try await store.archiveNumbers(householdIds: [helpCase.householdId])
                return LoanStatus(
                    caseNo: helpCase.caseNo, archiveNo: archiveNo[helpCase.householdId] ?? "", unitId: helpCase.unitId,
                    principal: principal, repaid: helpCase.repaid, dueByToday: schedule.dueBy(today),
                    nextDue: schedule.nextDue(after: today))
            })
    }

    /// Named-donor education grants are paid once a school year until graduation: when a new
    /// school year starts, the daemon files (and submits) next year's case for people to review
    /// and approve. Returns the cases filed.
    public func refileDonorGrants(today: LocalDate, schoolYearStart: (month: Int, day: Int), at: Date) async throws
        -> [HelpCase]
    {
        let edu = try await store.cases(helpType: "education-aid").filter {
            $0.state != .rejected && $0.state != .withdrawn
        }
        var filed: [HelpCase] = []
        for c in edu {
            let form = try Workflow.form(c.formJSON)
            guard form["program"]?.string == "named_donor", let year = form["school_year"]?.integer,
                let grad = form["graduation_year"]?.integer,
                year < grad, let student = form["student_ref"]?.string,
                let start = LocalDate(year: Int(year) + 1, month: schoolYearStart.month, day: schoolYearStart.day),
                today >= start
            else { continue }
            let already = edu.contains { o in
                o.householdId == c.householdId
                    && (try? Workflow.form(o.formJSON)).map {
                        $0["student_ref"]?.string == student && $0["school_year"]?.integer == year + 1
                            && $0["program"]?.string == "named_donor"
                    } == true
            }
            guard !already, (try? await store.household(id: c.householdId).status) == .open else { continue }
            var next = form
            next["school_year"] = .integer(year + 1)
            let new = try await fileCase(
                householdId: c.householdId, helpType: c.helpType, form: next, by: .system, at: at)
            filed.append(try await store.apply(.submit, toCase: new.id, by: .system, at: at).helpCase)
        }
        return filed
    }
}
