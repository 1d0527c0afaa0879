import BangfuCore
import BangfuDomain
import BangfuVarlink
import BangfuWire
import BangfuWorkflow
import Foundation

extension Wire.Archive.Overview.Reply {
    /// One household's page as `visibility` allows: each part only for the roles whose work it is,
    /// free text (forms, notes) only for those who see it.
    init(_ file: HouseholdFile, visibility: Visibility, refs: PersonRefs) throws {
        let freeText = visibility.showsFreeText
        let caseNumbers = Set(file.cases.map(\.caseNo))
        let cases: [Wire.Archive.CaseLine] =
            visibility.readsCases
            ? file.cases.map { helpCase in
                let seen = Wire.Cases.Case(helpCase, archiveNo: file.household.archiveNo).seen(by: visibility)
                return Wire.Archive.CaseLine(
                    caseNo: helpCase.caseNo, helpType: helpCase.helpType, state: helpCase.state.rawValue,
                    amount: helpCase.plan?.total.fen, form: seen.form, filedBy: helpCase.filedBy)
            } : []
        let payments: [Wire.Archive.PaymentLine] =
            visibility.readsCases
            ? file.payments.filter { caseNumbers.contains($0.caseNo) }.map { payment in
                let paid = payment.disbursement
                return Wire.Archive.PaymentLine(
                    caseNo: payment.caseNo, instalment: Int64(paid.instalment), amount: paid.amount.fen,
                    fundId: paid.fundId, paidAt: Wire.time(paid.paidAt), paidBy: paid.paidBy)
            } : []
        let careWork = visibility.readsCareWork
        self.init(
            household: try Wire.Archive.Household(file.household, visibility: visibility, refs: refs),
            helpers: file.helpers, cases: cases, payments: payments,
            visits: careWork
                ? file.visits.map { visit in
                    Wire.Archive.VisitLine(
                        id: visit.id, dueOn: visit.dueOn.description, status: visit.status, event: visit.event,
                        visitor: visit.visitor, visitedAt: visit.visitedAt.map(Wire.time), visitedBy: visit.visitedBy,
                        note: freeText || visibility == .contact ? visit.note : visit.note.map { _ in Wire.hidden })
                } : [],
            contacts: careWork
                ? file.contacts.map { contact in
                    Wire.Archive.ContactLine(
                        at: Wire.time(contact.at), helper: contact.helper, kind: contact.kind,
                        note: freeText || visibility == .contact ? contact.note : contact.note.map { _ in Wire.hidden })
                } : [],
            incomes: careWork && visibility != .contact
                ? file.incomes.map { income in
                    Wire.Archive.IncomeLine(month: income.month, perCapitaMonthly: income.perCapita.fen)
                } : [],
            reviews: careWork && visibility != .contact
                ? file.reviews.map { review in Wire.Archive.ReviewLine(at: Wire.time(review.at), by: review.by) }
                : [])
    }
}
