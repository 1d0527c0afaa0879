import BangfuCore
import BangfuDomain
import BangfuPluginKit
import BangfuVarlink
import BangfuWire
import BangfuWorkflow
import Foundation
import Synchronization

/// The wire's shapes are generated from the IDL (`BangfuWire`); here bangfud builds them from the
/// domain's records, amounts in fen and instants as ISO 8601 text, with what a role may not see taken out.
extension Wire {
    /// The business zone instants are shown in (set from the configuration at start and reload).
    static let zone = Mutex(BusinessZone.shanghai)

    /// ISO 8601 with the business zone's offset: `2027-02-19T00:00:00+08:00`.
    static func time(_ instant: Date) -> String { InstantText.iso8601(instant, zone: zone.withLock { $0 }) }

    /// What stands in for free text a role may not read (forms' text, reasons, comments).
    static let hidden = "***"

    /// A form with its text hidden, its numbers (amounts, counts) and flags kept.
    static func hidingText(_ form: [String: JSONValue]) -> [String: JSONValue] {
        form.mapValues { value in if case .string = value { .string(hidden) } else { value } }
    }
}

extension Wire.Cases.Plan {
    init(_ plan: PaymentPlan) {
        switch plan {
        case .oneOff(let amount):
            self.init(kind: "one_off", amount: amount.fen, total: plan.total.fen)
        case .monthly(let amount, let months):
            self.init(kind: "monthly", amount: amount.fen, months: Int64(months), total: plan.total.fen)
        case .loan(let amount, let termMonths):
            self.init(kind: "loan", amount: amount.fen, termMonths: Int64(termMonths), total: plan.total.fen)
        case .nonMonetary:
            self.init(kind: "non_monetary", amount: 0, total: plan.total.fen)
        }
    }

    init(_ proposal: PlanProposal) { self.init(Workflow.plan(proposal)) }
}

extension Wire.Cases.Case {
    init(_ helpCase: HelpCase, archiveNo: String) {
        self.init(
            id: helpCase.id, caseNo: helpCase.caseNo, archiveNo: archiveNo, unitId: helpCase.unitId,
            helpType: helpCase.helpType, state: helpCase.state.rawValue,
            form: (try? JSONValue.parse(helpCase.formJSON.utf8))?.objectValue ?? [:], filedBy: helpCase.filedBy,
            reviewedBy: helpCase.reviewedBy, approvedBy: helpCase.approvedBy,
            plan: helpCase.plan.map(Wire.Cases.Plan.init),
            noticeDeadline: helpCase.noticeDeadline.map(Wire.time),
            frozenRemainingDays: helpCase.frozenRemainingDays.map(Int64.init),
            instalmentsPaid: Int64(helpCase.instalmentsPaid), repaid: helpCase.repaid.fen, reason: helpCase.reason,
            replaces: helpCase.replaces)
    }

    /// The case as a role without full visibility (treasurer, auditor) sees it: the form's text
    /// and the reason hidden, its numbers (amounts, counts) and choices kept.
    func seen(by visibility: Visibility) -> Self {
        guard !visibility.showsFreeText else { return self }
        var seen = self
        seen.form = Wire.hidingText(form)
        seen.reason = reason.map { _ in Wire.hidden }
        return seen
    }
}

extension Wire.Cases.FormVersion {
    init(_ version: FormVersion) {
        self.init(
            version: Int64(version.version), at: Wire.time(version.at), actor: version.actor, note: version.note,
            form: (try? JSONValue.parse(version.formJSON.utf8))?.objectValue ?? [:])
    }

    /// As a role without full visibility sees it: the form's text and the note hidden.
    func seen(by visibility: Visibility) -> Self {
        guard !visibility.showsFreeText else { return self }
        var seen = self
        seen.form = Wire.hidingText(form)
        seen.note = Wire.hidden
        return seen
    }
}

extension Wire.Cases.Event {
    init(_ event: CaseEventRecord) {
        self.init(
            at: Wire.time(event.at), actor: event.actor, event: event.event.rawValue, from: event.from.rawValue,
            to: event.to.rawValue, comment: event.comment)
    }

    /// The event as a role without full visibility sees it: the comment's text hidden.
    func seen(by visibility: Visibility) -> Self {
        guard !visibility.showsFreeText, comment != nil else { return self }
        var seen = self
        seen.comment = Wire.hidden
        return seen
    }
}

extension Wire.Cases.Payment {
    init(_ paid: Disbursement) {
        self.init(
            instalment: Int64(paid.instalment), fundId: paid.fundId, amount: paid.amount.fen,
            paidAt: Wire.time(paid.paidAt), paidBy: paid.paidBy, alreadyPaid: paid.alreadyPaid)
    }
}

extension Wire.Archive.Household {
    init(_ household: Household, visibility: Visibility, refs: PersonRefs) throws {
        self.init(
            id: household.id, archiveNo: household.archiveNo, status: household.status.rawValue,
            category: household.assessment.category?.rawValue, categoryReason: household.assessment.reasonZh,
            categoryReasonEn: household.assessment.reasonEn,
            perCapitaMonthly: household.assessment.perCapitaMonthly.fen,
            dibaoMonthly: household.assessment.dibaoMonthly.fen, reviewDue: household.reviewDue.description,
            createdAt: Wire.time(household.createdAt), closedAt: household.closedAt.map(Wire.time),
            exitReason: household.exitReason?.rawValue, erasedAt: household.erasedAt.map(Wire.time),
            archive: try Wire.Archive.ArchiveData(
                household.input, visibility, archiveNo: household.archiveNo, refs: refs))
    }
}

extension Wire.Archive.ArchiveData {
    /// The archive form with what the role may not see taken out or masked, and each person's
    /// opaque reference (which forms use to name a student or a job seeker).
    init(_ input: ArchiveInput, _ visibility: Visibility, archiveNo: String, refs: PersonRefs) throws {
        self = try Self(json: try JSONValue(encoding: input), at: "archive")
        let headRef = refs.ref(archiveNo, input.head.idNumber)
        head.ref = headRef
        members = zip(members ?? [], input.members).map { member, person in
            var member = member
            member.ref = refs.ref(archiveNo, person.idNumber)
            return member
        }
        guard visibility != .full else { return }
        let full = head
        switch visibility {
        case .full: return
        case .payment:
            head = Wire.Archive.Person(
                name: full.name, idNumber: input.head.idNumber.masked, workStatus: full.workStatus,
                bankAccount: full.bankAccount, ref: headRef)
            // Masked, not dropped: a count (家庭人口) is the same whoever looks.
            members = input.members.map { person in
                Wire.Archive.Member(
                    name: maskedName(person.name), idNumber: person.idNumber.masked, relation: person.relation,
                    ref: refs.ref(archiveNo, person.idNumber))
            }
        case .contact:
            // How to reach the household, nothing of its means or health.
            head = Wire.Archive.Person(
                name: full.name, idNumber: input.head.idNumber.masked, workStatus: full.workStatus, phone: full.phone,
                ref: headRef)
            members = input.members.map { person in
                Wire.Archive.Member(
                    name: maskedName(person.name), idNumber: person.idNumber.masked, relation: person.relation,
                    ref: refs.ref(archiveNo, person.idNumber))
            }
            annualIncome = 0
            mainCause = ""
            secondaryCauses = nil
            rigidExpenses = nil
            accidentCosts = nil
            fiveClears = nil
            urgentNeeds = nil
            return
        case .masked:
            head = Wire.Archive.Person(
                name: maskedName(full.name), idNumber: input.head.idNumber.masked,
                politicalStatus: full.politicalStatus, modelWorkerLevel: full.modelWorkerLevel,
                workStatus: full.workStatus, housingType: full.housingType, housingAreaSqm: full.housingAreaSqm,
                ref: headRef)
            members = input.members.map { person in
                Wire.Archive.Member(
                    name: maskedName(person.name), idNumber: person.idNumber.masked, relation: person.relation,
                    monthlyIncome: person.monthlyIncome.fen, ref: refs.ref(archiveNo, person.idNumber))
            }
        }
        fiveClears = nil
        urgentNeeds = nil
        address = nil
    }
}

extension Wire.Archive.Summary {
    /// A line of a listing: the head's name in full for the roles that work the case, else masked.
    init(_ household: Household, visibility: Visibility) {
        let name = household.input.head.name
        self.init(
            archiveNo: household.archiveNo, name: visibility == .full ? name : maskedName(name),
            unitId: household.input.unitId, status: household.status.rawValue,
            category: household.assessment.category?.rawValue, reviewDue: household.reviewDue.description)
    }
}

extension Wire.Funds.Fund {
    init(_ fund: FundAccount, balance: Money) {
        self.init(
            id: fund.id, name: fund.name, unitId: fund.unitId, source: fund.source.rawValue, donor: fund.donor,
            helpTypes: fund.helpTypes, balance: balance.fen)
    }
}
