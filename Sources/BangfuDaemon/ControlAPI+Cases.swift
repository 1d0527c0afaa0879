import BangfuCore
import BangfuPluginKit
import BangfuVarlink
import BangfuWire
import Foundation

extension ControlAPI {
    struct CaseNo: Decodable, Sendable { var caseNo: String }
    struct FileParams: Decodable, Sendable {
        var archiveNo: String
        var helpType: String
        var form: [String: FormValue]
    }
    struct CaseListParams: Decodable, Sendable {
        var unit: String?
        var state: CaseState?
        var limit: Int64?
        var after: String?
    }
    struct WithReason: Decodable, Sendable {
        var caseNo: String
        var reason: String
    }
    struct WithComment: Decodable, Sendable {
        var caseNo: String
        var comment: String?
    }
    struct WithSummary: Decodable, Sendable {
        var caseNo: String
        var summary: String
    }
    struct WithDecision: Decodable, Sendable {
        var caseNo: String
        var decision: String
    }
    struct PayParams: Decodable, Sendable {
        var caseNo: String
        var instalment: Int
        var fundId: String
    }
    struct RepayParams: Decodable, Sendable {
        var caseNo: String
        var amount: Int64
        var fundId: String
    }

    static let caseReaders: Set<Role> = [.caseworker, .reviewer, .approver, .treasurer, .auditor, .admin]

    func caseWire(_ c: HelpCase, for actor: Actor) async throws -> Wire.Case {
        let tree = try await runtime.store.unitTree()
        return Wire.Case(
            c, archiveNo: try await runtime.store.archiveNumbers(householdIds: [c.householdId])[c.householdId] ?? ""
        ).seen(by: ControlAPI.caseVisibility(actor, unit: c.unitId, in: tree))
    }

    func caseReply(_ c: HelpCase, for actor: Actor) async throws -> VarlinkResponse {
        .reply(["case": try ControlAPI.json(try await caseWire(c, for: actor))])
    }

    /// Acting on a case needs one of `roles` on its unit; a caller who may not read it is told it does not exist.
    func requireOnCase(_ actor: Actor, _ c: HelpCase, anyOf roles: Set<Role>, for what: String) async throws {
        try actor.require(
            anyOf: roles, on: RecordRef(.helpCase, c.caseNo), unit: c.unitId, in: try await runtime.store.unitTree(),
            for: what)
    }

    /// A plain transition: look the case up by number and apply `event`.
    func transition<P: Decodable & Sendable>(
        _ wire: WireMethod, roles: Set<Role>, _ p: P.Type,
        _ event: @escaping @Sendable (P) -> (String, CaseEvent)
    ) -> (String, VarlinkMethod) {
        let clock = runtime.clock
        return change(wire, roles: roles, p) { actor, params, writes in
            let (caseNo, e) = event(params)
            let c = try await writes.store.helpCase(caseNo: caseNo)
            let next = try await writes.store.apply(e, toCase: c.id, by: actor, at: clock.now()).helpCase
            logCase(next, e.kind.rawValue, actor)
            return try await caseReply(next, for: actor)
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
        let i = "org.bangfu.Cases"
        let store = runtime.store
        let clock = runtime.clock
        let runtime = self.runtime
        let methods: [(String, VarlinkMethod)] = [
            change(.casesFile, roles: [.caseworker], FileParams.self) { actor, p, writes in
                let h = try await writes.store.household(archiveNo: p.archiveNo)
                let c = try await writes.workflow.fileCase(
                    householdId: h.id, helpType: p.helpType, form: p.form, by: actor, at: clock.now())
                logCase(c, "file", actor)
                return try await caseReply(c, for: actor)
            },
            method(.casesGet, roles: ControlAPI.caseReaders, CaseNo.self) { actor, p in
                let d = try await store.caseDetail(caseNo: p.caseNo)
                try actor.requireRead(RecordRef(.helpCase, d.helpCase.caseNo), unit: d.helpCase.unitId, in: d.unitTree)
                let visibility = ControlAPI.caseVisibility(actor, unit: d.helpCase.unitId, in: d.unitTree)
                return .reply([
                    "case": try ControlAPI.json(Wire.Case(d.helpCase, archiveNo: d.archiveNo).seen(by: visibility)),
                    "events": try ControlAPI.json(d.events.map { Wire.Event($0).seen(by: visibility) }),
                    "payments": try ControlAPI.json(d.disbursements.map(Wire.Payment.init)),
                ])
            },
            method(.casesList, roles: ControlAPI.caseReaders, CaseListParams.self) { actor, p in
                let page = try Page(limit: p.limit, after: p.after)
                let units = try await readableUnits(actor, roles: ControlAPI.caseReaders, under: p.unit)
                let (cases, next) = page.cut(try await store.cases(units: units, state: p.state, page: page)) { $0.id }
                let numbers = try await store.archiveNumbers(householdIds: cases.map(\.householdId))
                let tree = try await store.unitTree()
                return .stream(
                    try ControlAPI.paged(cases, next: next) { c in
                        let visibility = ControlAPI.caseVisibility(actor, unit: c.unitId, in: tree)
                        return [
                            "case": try ControlAPI.json(
                                Wire.Case(c, archiveNo: numbers[c.householdId] ?? "").seen(by: visibility))
                        ]
                    })
            },
            method(.casesLoans, roles: [.treasurer, .caseworker, .approver, .auditor, .admin], UnitParam.self) {
                actor, p in
                let units = try await readableUnits(
                    actor, roles: [.treasurer, .caseworker, .approver, .auditor, .admin], under: p.unit)
                let config = runtime.config
                let today = config.businessZone.date(of: clock.now())
                return .stream(
                    try await runtime.workflow.loans(units: units, today: today, payDay: config.monthlyPayDay).map {
                        l in
                        [
                            "loan": .object([
                                "caseNo": .string(l.caseNo), "archiveNo": .string(l.archiveNo),
                                "unitId": .string(l.unitId),
                                "principal": .int(l.principal.fen), "repaid": .int(l.repaid.fen),
                                "dueByToday": .int(l.dueByToday.fen),
                                "overdue": .int(l.overdue.fen),
                                "nextDue": l.nextDue.map { .string($0.description) } ?? .null,
                            ])
                        ]
                    })
            },
            method(.casesAssess, roles: [.caseworker, .reviewer, .approver], CaseNo.self) { actor, p in
                let c = try await store.helpCase(caseNo: p.caseNo)
                try await requireOnCase(actor, c, anyOf: [.caseworker, .reviewer, .approver], for: "assess")
                let a = try await runtime.workflow.assess(caseId: c.id, at: clock.now())
                return .reply([
                    "eligible": .bool(a.eligible), "reasons": try ControlAPI.json(a.reasons),
                    "plan": try a.plan.map { try ControlAPI.json(Wire.Plan($0)) } ?? .null,
                ])
            },
            transition(.casesSubmit, roles: [.caseworker], CaseNo.self) { ($0.caseNo, .submit) },
            transition(.casesReturnForInfo, roles: [.reviewer], WithReason.self) {
                ($0.caseNo, .returnForInfo(reason: $0.reason))
            },
            transition(.casesResubmit, roles: [.caseworker], CaseNo.self) { ($0.caseNo, .resubmit) },
            transition(.casesPassReview, roles: [.reviewer], WithComment.self) {
                ($0.caseNo, .passReview(comment: $0.comment))
            },
            transition(.casesReject, roles: [.reviewer, .approver], WithReason.self) {
                ($0.caseNo, .reject(reason: $0.reason))
            },
            change(.casesApprove, roles: [.approver], CaseNo.self) { actor, p, writes in
                let c = try await writes.store.helpCase(caseNo: p.caseNo)
                let next = try await writes.workflow.approve(caseId: c.id, by: actor, at: clock.now()).helpCase
                logCase(next, "approve", actor)
                return try await caseReply(next, for: actor)
            },
            transition(.casesObject, roles: [.caseworker, .reviewer, .approver], WithSummary.self) {
                ($0.caseNo, .object(summary: $0.summary))
            },
            transition(.casesDismissObjection, roles: [.approver], WithDecision.self) {
                ($0.caseNo, .dismissObjection(decision: $0.decision))
            },
            transition(.casesUpholdObjection, roles: [.approver], WithDecision.self) {
                ($0.caseNo, .upholdObjection(decision: $0.decision))
            },
            change(.casesPay, roles: [.treasurer], PayParams.self) { actor, p, writes in
                let c = try await writes.store.helpCase(caseNo: p.caseNo)
                let out = try await writes.workflow.pay(
                    caseId: c.id, instalment: p.instalment, fund: p.fundId, by: actor, at: clock.now())
                logCase(out.helpCase, "pay_instalment", actor)
                guard let paid = out.disbursement else {
                    throw BangfuError(.storage, zh: "发放没有记录", en: "the payment left no record")
                }
                return .reply([
                    "case": try ControlAPI.json(try await caseWire(out.helpCase, for: actor)),
                    "payment": try ControlAPI.json(Wire.Payment(paid)),
                ])
            },
            transition(.casesReceiveRepayment, roles: [.treasurer], RepayParams.self) {
                ($0.caseNo, .receiveRepayment(amount: Money(fen: $0.amount), fund: $0.fundId))
            },
            transition(.casesClose, roles: [.approver], WithReason.self) { ($0.caseNo, .close(reason: $0.reason)) },
            transition(.casesWithdraw, roles: [.caseworker], WithReason.self) {
                ($0.caseNo, .withdraw(reason: $0.reason))
            },
        ]
        return VarlinkInterface(
            name: i, description: ControlAPI.idl(PackageResources.org_bangfu_Cases_varlink),
            methods: Dictionary(uniqueKeysWithValues: methods))
    }
}
