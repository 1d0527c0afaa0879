import BangfuCore
import BangfuDomain
import BangfuPluginKit
import BangfuVarlink
import BangfuWire
import Foundation

extension ControlAPI {
    static let caseReaders: Set<Role> = [.caseworker, .reviewer, .approver, .treasurer, .auditor, .admin]

    func caseWire(_ helpCase: HelpCase, for actor: Actor) async throws -> Wire.Cases.Case {
        try await caseWire(CaseOutcome(helpCase: helpCase, disbursement: nil), for: actor)
    }

    /// The case a write left, as `actor` may see it: from what the write returned (its archive
    /// number and unit tree), reading only what it did not.
    func caseWire(_ outcome: CaseOutcome, for actor: Actor) async throws -> Wire.Cases.Case {
        let helpCase = outcome.helpCase
        let tree: UnitTree
        if let known = outcome.unitTree { tree = known } else { tree = try await runtime.store.unitTree() }
        let archiveNo: String
        if let known = outcome.archiveNo {
            archiveNo = known
        } else {
            let numbers = try await runtime.store.archiveNumbers(householdIds: [helpCase.householdId])
            archiveNo = numbers[helpCase.householdId] ?? ""
        }
        return Wire.Cases.Case(helpCase, archiveNo: archiveNo)
            .seen(by: Visibility.ofCase(actor, unit: helpCase.unitId, in: tree))
    }

    /// A form as the plugin ABI takes it: text, integers and yes/no only (money is integer fen).
    static func form(_ fields: [String: JSONValue]) throws -> [String: FormValue] {
        try fields.reduce(into: [:]) { form, field in
            switch field.value {
            case .string(let text): form[field.key] = .string(text)
            case .int(let number): form[field.key] = .integer(number)
            case .bool(let flag): form[field.key] = .bool(flag)
            default: throw VarlinkError.invalidParameter("form.\(field.key)")
            }
        }
    }

    /// Acting on a case needs one of `roles` on its unit; a caller who may not read it is told it does not exist.
    func requireOnCase(_ actor: Actor, _ c: HelpCase, anyOf roles: Set<Role>, for what: String) async throws {
        try actor.require(
            anyOf: roles, on: RecordRef(.helpCase, c.caseNo), unit: c.unitId, in: try await runtime.store.unitTree(),
            for: what)
    }

    /// A plain transition: look the case up by number and apply `event`; the reply is the case.
    func transition<Call: WireCall>(
        _ call: Call.Type, roles: Set<Role>, _ event: @escaping @Sendable (Call) -> (String, CaseEvent)
    ) -> (String, VarlinkMethod) where Call.Reply: WireSingleReply, Call.Reply.Value == Wire.Cases.Case {
        let clock = runtime.clock
        return change(call, roles: roles) { actor, call, writes in
            let (caseNo, caseEvent) = event(call)
            let outcome = try await writes.store.apply(caseEvent, toCaseNo: caseNo, by: actor, at: clock.now())
            logCase(outcome.helpCase, caseEvent.kind.rawValue, actor)
            return Call.Reply(value: try await caseWire(outcome, for: actor))
        }
    }

    /// One journal line per transition, found with `journalctl CASE_ID=...` (ids and states only).
    func logCase(_ c: HelpCase, _ event: String, _ actor: Actor) {
        runtime.logger.info(
            "case \(event): now \(c.state.rawValue)",
            metadata: [
                "CASE_ID": "\(c.caseNo)", "HELP_TYPE": "\(c.helpType)", "ACTOR": "\(actor.id)",
                "CASE_STATE": "\(c.state.rawValue)",
            ])
    }

    func cases() -> VarlinkInterface {
        let store = runtime.store
        let clock = runtime.clock
        let runtime = self.runtime
        let loanReaders: Set<Role> = [.treasurer, .caseworker, .approver, .auditor, .admin]
        let methods: [(String, VarlinkMethod)] = [
            change(Wire.Cases.File.self, roles: [.caseworker]) { actor, call, writes in
                let form = try ControlAPI.form(call.form)
                let householdId = try await writes.store.householdId(archiveNo: call.archiveNo)
                let filed = try await writes.workflow.fileCase(
                    householdId: householdId, helpType: call.helpType, form: form, replaces: call.replaces, by: actor,
                    at: clock.now())
                logCase(filed, "file", actor)
                return .init(case: try await caseWire(filed, for: actor))
            },
            method(Wire.Cases.Get.self, roles: ControlAPI.caseReaders) { actor, call in
                let detail = try await store.caseDetail(caseNo: call.caseNo)
                let helpCase = detail.helpCase
                try actor.requireRead(RecordRef(.helpCase, helpCase.caseNo), unit: helpCase.unitId, in: detail.unitTree)
                let visibility = Visibility.ofCase(actor, unit: helpCase.unitId, in: detail.unitTree)
                return .init(
                    case: Wire.Cases.Case(helpCase, archiveNo: detail.archiveNo).seen(by: visibility),
                    events: detail.events.map { event in Wire.Cases.Event(event).seen(by: visibility) },
                    payments: detail.disbursements.map(Wire.Cases.Payment.init),
                    forms: detail.formVersions.map { version in Wire.Cases.FormVersion(version).seen(by: visibility) })
            },
            change(Wire.Cases.Amend.self, roles: [.caseworker]) { actor, call, writes in
                let form = try ControlAPI.form(call.form)
                let helpCase = try await writes.store.helpCase(caseNo: call.caseNo)
                let amended = try await writes.workflow.amend(
                    caseId: helpCase.id, form: form, note: call.note, by: actor, at: clock.now())
                logCase(amended, "amend", actor)
                return .init(case: try await caseWire(amended, for: actor))
            },
            listing(Wire.Cases.List.self, roles: ControlAPI.caseReaders) { actor, call in
                let page = try Page(limit: call.limit, after: call.after)
                let state: CaseState? = try call.state.map { state in try ControlAPI.parse(state, field: "state") }
                let units = try await readableUnits(actor, roles: ControlAPI.caseReaders, under: call.unit)
                let (cases, next) = page.cut(try await store.cases(units: units, state: state, page: page)) {
                    helpCase in helpCase.id
                }
                let numbers = try await store.archiveNumbers(householdIds: cases.map(\.householdId))
                let tree = try await store.unitTree()
                return ControlAPI.paged(cases, next: next) { helpCase in
                    let visibility = Visibility.ofCase(actor, unit: helpCase.unitId, in: tree)
                    return .init(
                        case: Wire.Cases.Case(helpCase, archiveNo: numbers[helpCase.householdId] ?? "")
                            .seen(by: visibility))
                }
            },
            listing(Wire.Cases.Loans.self, roles: loanReaders) { actor, call in
                let page = try Page(limit: call.limit, after: call.after)
                let units = try await readableUnits(actor, roles: loanReaders, under: call.unit)
                let config = runtime.config
                let today = config.businessZone.date(of: clock.now())
                let (loans, next) = try await runtime.workflow.loans(
                    units: units, today: today, payDay: config.monthlyPayDay, page: page)
                return ControlAPI.paged(loans, next: next) { loan in
                    .init(
                        loan: Wire.Cases.Loan(
                            caseNo: loan.caseNo, archiveNo: loan.archiveNo, unitId: loan.unitId,
                            principal: loan.principal.fen, repaid: loan.repaid.fen, dueByToday: loan.dueByToday.fen,
                            overdue: loan.overdue.fen, nextDue: loan.nextDue?.description))
                }
            },
            method(Wire.Cases.Assess.self, roles: [.caseworker, .reviewer, .approver]) { actor, call in
                let helpCase = try await store.helpCase(caseNo: call.caseNo)
                try await requireOnCase(actor, helpCase, anyOf: [.caseworker, .reviewer, .approver], for: "assess")
                let assessment = try await runtime.workflow.assess(caseId: helpCase.id, at: clock.now())
                return .init(
                    eligible: assessment.eligible,
                    reasons: assessment.reasons.map { reason in
                        Wire.Cases.Reason(code: reason.code, zh: reason.zh, en: reason.en)
                    },
                    plan: assessment.plan.map(Wire.Cases.Plan.init))
            },
            transition(Wire.Cases.Submit.self, roles: [.caseworker]) { call in (call.caseNo, .submit) },
            transition(Wire.Cases.ReturnForInfo.self, roles: [.reviewer]) { call in
                (call.caseNo, .returnForInfo(reason: call.reason))
            },
            transition(Wire.Cases.Resubmit.self, roles: [.caseworker]) { call in (call.caseNo, .resubmit) },
            transition(Wire.Cases.PassReview.self, roles: [.reviewer]) { call in
                (call.caseNo, .passReview(comment: call.comment))
            },
            transition(Wire.Cases.Reject.self, roles: [.reviewer, .approver]) { call in
                (call.caseNo, .reject(reason: call.reason))
            },
            change(Wire.Cases.Approve.self, roles: [.approver]) { actor, call, writes in
                let helpCase = try await writes.store.helpCase(caseNo: call.caseNo)
                let outcome = try await writes.workflow.approve(caseId: helpCase.id, by: actor, at: clock.now())
                logCase(outcome.helpCase, "approve", actor)
                // Approval publishes the notice: its head, signed, goes to the journal.
                if outcome.helpCase.state == .inNotice { await runtime.checkpoint(.notice) }
                return .init(case: try await caseWire(outcome, for: actor))
            },
            transition(Wire.Cases.Object.self, roles: [.caseworker, .reviewer, .approver]) { call in
                (call.caseNo, .object(summary: call.summary))
            },
            transition(Wire.Cases.DismissObjection.self, roles: [.approver]) { call in
                (call.caseNo, .dismissObjection(decision: call.decision))
            },
            transition(Wire.Cases.UpholdObjection.self, roles: [.approver]) { call in
                (call.caseNo, .upholdObjection(decision: call.decision))
            },
            change(Wire.Cases.Pay.self, roles: [.treasurer]) { actor, call, writes in
                let helpCase = try await writes.store.helpCase(caseNo: call.caseNo)
                guard let instalment = Int(exactly: call.instalment) else {
                    throw VarlinkError.invalidParameter("instalment")
                }
                let outcome = try await writes.workflow.pay(
                    caseId: helpCase.id, instalment: instalment, fund: call.fundId, by: actor, at: clock.now())
                logCase(outcome.helpCase, "pay_instalment", actor)
                guard let paid = outcome.disbursement else {
                    throw BangfuError(.storage, zh: "发放没有记录", en: "the payment left no record")
                }
                return .init(
                    case: try await caseWire(outcome, for: actor), payment: Wire.Cases.Payment(paid))
            },
            transition(Wire.Cases.ReceiveRepayment.self, roles: [.treasurer]) { call in
                (call.caseNo, .receiveRepayment(amount: Money(fen: call.amount), fund: call.fundId))
            },
            transition(Wire.Cases.Close.self, roles: [.approver]) { call in
                (call.caseNo, .close(reason: call.reason))
            },
            transition(Wire.Cases.RecordService.self, roles: [.caseworker, .approver]) { call in
                (
                    call.caseNo,
                    .recordService(service: call.service, deliveredBy: call.deliveredBy, outcome: call.outcome)
                )
            },
            transition(Wire.Cases.Withdraw.self, roles: [.caseworker]) { call in
                (call.caseNo, .withdraw(reason: call.reason))
            },
        ]
        return VarlinkInterface(
            name: "org.bangfu.Cases", description: ControlAPI.idl(PackageResources.org_bangfu_Cases_varlink),
            methods: Dictionary(uniqueKeysWithValues: methods))
    }
}
