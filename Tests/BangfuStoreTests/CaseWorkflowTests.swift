import BangfuCore
import BangfuStore
import Foundation
import GRDB
import Testing

extension Fixture {
    /// Drives a new case to `state` along the normal path, with `plan` at approval.
    func caseIn(_ state: CaseState, plan: PaymentPlan = .monthly(Money(yuan: 500), months: 3)) async throws -> HelpCase
    {
        let h = try await archive()
        var c = try await store.fileCase(householdId: h.id, helpType: "hardship-relief", by: actor("cw"), at: tick())
        func go(_ e: CaseEvent, _ who: String, at: Date? = nil) async throws {
            let a = who == "system" ? Actor.system : actor(who)
            c = try await store.apply(e, toCase: c.id, by: a, at: at ?? tick()).helpCase
        }
        let path: [CaseState: [(CaseEvent, String)]] = [
            .draft: [],
            .submitted: [(.submit, "cw")],
            .returned: [(.submit, "cw"), (.returnForInfo(reason: "缺收入证明"), "rv")],
            .rejected: [(.submit, "cw"), (.reject(reason: "不符合条件"), "rv")],
            .withdrawn: [(.withdraw(reason: "本人撤回"), "cw")],
            .branchReviewPassed: [(.submit, "cw"), (.passReview(comment: nil), "rv")],
            .inNotice: [(.submit, "cw"), (.passReview(comment: nil), "rv"), (.approve(plan: plan), "ap")],
            .objected: [
                (.submit, "cw"), (.passReview(comment: nil), "rv"), (.approve(plan: plan), "ap"),
                (.object(summary: "有人反映"), "cw"),
            ],
        ]
        if let steps = path[state] {
            for (e, who) in steps { try await go(e, who) }
            return c
        }
        for (e, who) in path[.inNotice]! { try await go(e, who) }
        now = c.noticeDeadline!.addingTimeInterval(60)
        try await go(.noticeElapsed, "system", at: now)
        if state == .noticePassed { return c }
        try await go(.scheduleDisbursement, "system")
        if state == .disbursing { return c }
        try await go(.payInstalment(number: 1, fund: "f1"), "tr")
        if state == .active { return c }
        precondition(state == .closed)
        try await go(.close(reason: "提前终止"), "ap")
        return c
    }
}

@Suite struct CaseWorkflowTests {
    /// A history entry the store does not know (an event or state written around it) makes reading
    /// the case a storage error; it was shown as a draft (or a submit) before.
    @Test(arguments: Engine.allCases) func anUnknownHistoryEntryIsAnErrorNotADraft(engine: Engine) async throws {
        let fx = try await Fixture(engine: engine)
        let c = try await fx.caseIn(.submitted)
        #expect(try await fx.store.caseDetail(caseNo: c.caseNo).events.map(\.to) == [.submitted])
        try fx.tamper(
            dropping: ["case_event_no_update"], ["UPDATE case_event SET from_state = 'flying' WHERE case_id = \(c.id)"])
        await #expect {
            _ = try await fx.store.caseDetail(caseNo: c.caseNo)
        } throws: { error in
            (error as? BangfuError)?.code == .storage && "\(error)".contains("unknown event or state")
                && !"\(error)".contains("\(c.id)")
        }
    }

    /// Valid parameters and the right actor for an event, so that only the state decides.
    func attempt(_ kind: CaseEventKind, on c: HelpCase, fx: Fixture) -> (CaseEvent, Actor, Date) {
        let row =
            CaseMachine.transitions.first { $0.event == kind && $0.from == c.state }
            ?? CaseMachine.transitions.first { $0.event == kind }!
        let role = row.roles.sorted { $0.rawValue < $1.rawValue }.first!
        let who: Actor =
            switch role {
            case .caseworker: fx.actor("cw")
            case .reviewer: fx.actor("rv")
            case .approver: fx.actor("ap")
            case .treasurer: fx.actor("tr")
            default: .system
            }
        let event: CaseEvent =
            switch kind {
            case .submit: .submit
            case .returnForInfo: .returnForInfo(reason: "补充材料")
            case .resubmit: .resubmit
            case .passReview: .passReview(comment: "属实")
            case .reject: .reject(reason: "不符合")
            case .approve: .approve(plan: .oneOff(Money(yuan: 800)))
            case .object: .object(summary: "异议")
            case .dismissObjection: .dismissObjection(decision: "驳回异议")
            case .upholdObjection: .upholdObjection(decision: "异议成立")
            case .noticeElapsed: .noticeElapsed
            case .scheduleDisbursement: .scheduleDisbursement
            case .payInstalment: .payInstalment(number: c.instalmentsPaid + 1, fund: "f1")
            case .receiveRepayment: .receiveRepayment(amount: Money(yuan: 100), fund: "f1")
            case .close: .close(reason: "办结")
            case .withdraw: .withdraw(reason: "撤回")
            case .recordService: .recordService(service: "代写劳动仲裁申请书", deliveredBy: "法律援助律师", outcome: "已立案")
            case .amend: .amend(formJSON: #"{"self_paid_fen":90000}"#, cause: nil, note: "更正自付金额")
            }
        // The notice timer event needs the deadline to have passed, a monthly instalment after the
        // first its due day (the 10th of the next month); everything else acts now.
        let later = kind == .noticeElapsed || (kind == .payInstalment && c.instalmentsPaid >= 1)
        let at = later ? fx.now.addingTimeInterval(90 * 86400) : fx.now.addingTimeInterval(60)
        return (event, who, at)
    }

    /// The allowed (state, event) pairs and the state each leads to, written out from the process
    /// (application -> branch review -> public notice -> disbursement), not read from `CaseMachine`.
    /// Monthly plans of 3 instalments (one paid in `active`), a loan of ¥1,000 (¥100 repaid now).
    static let allowedTransitions: [String: CaseState] = [
        "draft/submit": .submitted, "draft/withdraw": .withdrawn,
        // A correction of the form keeps the state (draft, in review, returned; 13.15).
        "draft/amend": .draft, "submitted/amend": .submitted, "returned/amend": .returned,
        "submitted/return_for_info": .returned, "submitted/pass_review": .branchReviewPassed,
        "submitted/reject": .rejected,
        "submitted/withdraw": .withdrawn,
        "returned/resubmit": .submitted, "returned/withdraw": .withdrawn,
        "branch_review_passed/approve": .inNotice, "branch_review_passed/reject": .rejected,
        "branch_review_passed/withdraw": .withdrawn,
        "in_notice/object": .objected, "in_notice/notice_elapsed": .noticePassed, "in_notice/withdraw": .withdrawn,
        "objected/dismiss_objection": .inNotice, "objected/uphold_objection": .submitted,
        "objected/withdraw": .withdrawn,
        "notice_passed/schedule_disbursement": .disbursing, "notice_passed/withdraw": .withdrawn,
        "disbursing/pay_instalment": .active, "disbursing/close": .closed, "disbursing/record_service": .closed,
        "active/pay_instalment": .active, "active/receive_repayment": .active, "active/close": .closed,
    ]

    @Test(arguments: Engine.allCases) func wholeTransitionMatrix(engine: Engine) async throws {
        let fx = try await Fixture(engine: engine)
        try await fx.fund()
        var allowed = 0, refused = 0
        for state in CaseState.allCases {
            for kind in CaseEventKind.allCases {
                let plan: PaymentPlan =
                    switch (kind, state) {
                    case (.close, .disbursing), (.recordService, .disbursing): .nonMonetary
                    case (.receiveRepayment, _): .loan(principal: Money(yuan: 1_000))
                    default: .monthly(Money(yuan: 500), months: 3)
                    }
                let c = try await fx.caseIn(state, plan: plan)
                #expect(c.state == state)
                let (event, who, at) = attempt(kind, on: c, fx: fx)
                let target = Self.allowedTransitions["\(state.rawValue)/\(kind.rawValue)"]
                let expected = target != nil
                let before = try fx.snapshot(caseId: c.id)
                do {
                    let out = try await fx.store.apply(event, toCase: c.id, by: who, at: at)
                    #expect(expected, "\(kind.rawValue) from \(state.rawValue) should have been refused")
                    #expect(
                        out.helpCase.state == target,
                        "\(kind.rawValue) from \(state.rawValue) led to \(out.helpCase.state)")
                    allowed += 1
                } catch let e as BangfuError {
                    #expect(!expected, "\(kind.rawValue) from \(state.rawValue) refused: \(e)")
                    #expect(e.code == .invalidTransition, "\(kind.rawValue) from \(state.rawValue): \(e)")
                    #expect(e.en.contains(state.rawValue) && e.en.contains(kind.rawValue))
                    #expect(try fx.snapshot(caseId: c.id) == before, "a refused event changed the store")
                    refused += 1
                }
            }
        }
        #expect(allowed == 28 && allowed == Self.allowedTransitions.count)
        #expect(allowed + refused == 12 * 17)
        #expect(try await fx.store.verify().ok)
    }

    @Test(arguments: Engine.allCases) func separationOfDuties(engine: Engine) async throws {
        let fx = try await Fixture(engine: engine)
        try await fx.fund()
        let multi = fx.actor("multi")
        // Filed by multi: multi may not review it.
        let h = try await fx.archive()
        let c = try await fx.store.fileCase(householdId: h.id, helpType: "hardship-relief", by: multi, at: fx.tick())
        _ = try await fx.store.apply(.submit, toCase: c.id, by: multi, at: fx.tick())
        await #expect(throws: BangfuError.self) {
            try await fx.store.apply(.passReview(comment: nil), toCase: c.id, by: multi, at: fx.tick())
        }
        // Reviewed by multi: multi may not approve or pay it.
        let d = try await fx.caseIn(.submitted)
        _ = try await fx.store.apply(.passReview(comment: nil), toCase: d.id, by: multi, at: fx.tick())
        do {
            _ = try await fx.store.apply(
                .approve(plan: .oneOff(Money(yuan: 100))), toCase: d.id, by: multi, at: fx.tick())
            Issue.record("the reviewer approved")
        } catch let e as BangfuError { #expect(e.code == .separationOfDuties) }
        _ = try await fx.store.apply(
            .approve(plan: .oneOff(Money(yuan: 100))), toCase: d.id, by: fx.actor("ap"), at: fx.tick())
        fx.now = try await fx.store.nextNoticeDeadline()!
        _ = try await fx.store.apply(.noticeElapsed, toCase: d.id, by: .system, at: fx.now)
        _ = try await fx.store.apply(.scheduleDisbursement, toCase: d.id, by: .system, at: fx.tick())
        do {
            _ = try await fx.store.apply(.payInstalment(number: 1, fund: "f1"), toCase: d.id, by: multi, at: fx.tick())
            Issue.record("the reviewer paid")
        } catch let e as BangfuError { #expect(e.code == .separationOfDuties) }
        // Nobody may pass a notice by hand: the event belongs to the system role.
        let e = try await fx.caseIn(.inNotice)
        do {
            _ = try await fx.store.apply(
                .noticeElapsed, toCase: e.id, by: fx.actor("ap"), at: fx.now.addingTimeInterval(90 * 86400))
            Issue.record("an approver passed a notice by hand")
        } catch let err as BangfuError { #expect(err.code == .permissionDenied) }
    }

    @Test(arguments: Engine.allCases) func unitScoping(engine: Engine) async throws {
        let fx = try await Fixture(engine: engine)
        let c = try await fx.caseIn(.submitted)  // unit b1
        // A reviewer of the sibling branch b2 is refused, told the case does not exist (it may not read it).
        do {
            _ = try await fx.store.apply(.passReview(comment: nil), toCase: c.id, by: fx.actor("rv2"), at: fx.tick())
            Issue.record("a sibling branch's reviewer passed the case")
        } catch let e as BangfuError { #expect(e.code == .notFound) }
        // A caseworker of another county cannot archive into b1; the approver of county (above b1) is allowed on b1's case.
        await #expect(throws: BangfuError.self) {
            try await fx.store.createArchive(fx.input(unit: "b1"), by: fx.actor("cw3"), at: fx.tick())
        }
        _ = try await fx.store.apply(.passReview(comment: nil), toCase: c.id, by: fx.actor("rv"), at: fx.tick())
        do {
            _ = try await fx.store.apply(
                .approve(plan: .oneOff(Money(yuan: 100))), toCase: c.id, by: fx.actor("ap2"), at: fx.tick())
            Issue.record("another county's approver approved")
        } catch let e as BangfuError { #expect(e.code == .notFound) }
        let ok = try await fx.store.apply(
            .approve(plan: .oneOff(Money(yuan: 100))), toCase: c.id, by: fx.actor("ap"), at: fx.tick())
        #expect(ok.helpCase.state == .inNotice)
        // A fund of another county cannot pay this case, even for its own treasurer.
        try await fx.fund("other", unit: "county2", treasurer: "tr2")
        fx.now = try await fx.store.nextNoticeDeadline()!
        _ = try await fx.store.apply(.noticeElapsed, toCase: c.id, by: .system, at: fx.now)
        _ = try await fx.store.apply(.scheduleDisbursement, toCase: c.id, by: .system, at: fx.tick())
        await #expect(throws: BangfuError.self) {
            try await fx.store.apply(
                .payInstalment(number: 1, fund: "other"), toCase: c.id, by: fx.actor("tr2"), at: fx.tick())
        }
    }

    @Test(arguments: Engine.allCases) func overdraftAndEarmarkingAreRefused(engine: Engine) async throws {
        let fx = try await Fixture(engine: engine)
        try await fx.fund("small", yuan: 100)
        try await fx.fund("medical", yuan: 100_000, helpTypes: ["medical-aid"])
        try await fx.fund("f1")
        let c = try await fx.caseIn(.disbursing, plan: .oneOff(Money(yuan: 3_000)))
        let before = try fx.snapshot(caseId: c.id)
        do {
            _ = try await fx.store.apply(
                .payInstalment(number: 1, fund: "small"), toCase: c.id, by: fx.actor("tr"), at: fx.tick())
            Issue.record("overdraft paid")
        } catch let e as BangfuError { #expect(e.code == .overdraft) }
        do {
            _ = try await fx.store.apply(
                .payInstalment(number: 1, fund: "medical"), toCase: c.id, by: fx.actor("tr"), at: fx.tick())
            Issue.record("earmarked fund paid another help type")
        } catch let e as BangfuError { #expect(e.code == .notEarmarked) }
        #expect(try fx.snapshot(caseId: c.id) == before)
        #expect(try await fx.store.balance(fundId: "small") == Money(yuan: 100))
        // Transfers need a reason and an approver, two different approvers, and cannot overdraw either.
        await #expect(throws: BangfuError.self) {
            try await fx.store.requestTransfer(
                from: "f1", to: "small", amount: Money(yuan: 5_000), reason: " ", by: fx.actor("ap"), at: fx.tick())
        }
        await #expect(throws: BangfuError.self) {
            try await fx.store.requestTransfer(
                from: "f1", to: "small", amount: Money(yuan: 5_000), reason: "补充", by: fx.actor("tr"), at: fx.tick())
        }
        do {
            try await fx.transfer("small", "f1", yuan: 101)
            Issue.record("a transfer overdrew its fund")
        } catch let e as BangfuError { #expect(e.code == .overdraft) }
        let asked = try await fx.store.requestTransfer(
            from: "f1", to: "small", amount: Money(yuan: 5_000), reason: "补充小额账户",
            by: fx.actor("ap"), at: fx.tick())
        #expect(
            try await fx.store.balance(fundId: "small") == Money(yuan: 100),
            "a requested transfer moved money before confirmation")
        do {
            _ = try await fx.store.decideTransfer(
                id: asked.id, confirm: true, note: nil, by: fx.actor("ap"), at: fx.tick())
            Issue.record("the approver who asked confirmed their own transfer")
        } catch let e as BangfuError { #expect(e.code == .separationOfDuties) }
        _ = try await fx.store.decideTransfer(
            id: asked.id, confirm: true, note: nil, by: fx.actor("ap3"), at: fx.tick())
        let paid = try await fx.store.apply(
            .payInstalment(number: 1, fund: "small"), toCase: c.id, by: fx.actor("tr"), at: fx.tick())
        #expect(paid.helpCase.state == .closed)
        #expect(try await fx.store.balance(fundId: "small") == Money(yuan: 2_100))
        let st = try await fx.store.statement(
            from: LocalDate(year: 2027, month: 1, day: 1)!, to: LocalDate(year: 2027, month: 12, day: 31)!)
        let small = st.first { $0.fundId == "small" }!
        #expect(
            small.deposits == Money(yuan: 100) && small.transfersIn == Money(yuan: 5_000)
                && small.disbursements == Money(yuan: 3_000))
        #expect(
            small.closing == Money(yuan: 2_100) && small.byHelpType["hardship-relief"] == Money(yuan: 3_000)
                && small.recipients == 1)
        #expect(try await fx.store.verify().ok)
    }

    @Test(arguments: Engine.allCases) func monthlyAndLoanSchedules(engine: Engine) async throws {
        let fx = try await Fixture(engine: engine)
        try await fx.fund()
        let m = try await fx.caseIn(.active, plan: .monthly(Money(yuan: 500), months: 3))
        // Instalment 1 was paid in February 2027: 2 falls due on 10 March, 3 on 10 April.
        let firstPaid = BusinessZone.shanghai.date(of: try await fx.store.disbursements(caseId: m.id)[0].paidAt)
        #expect(firstPaid.month == 2)
        do {
            _ = try await fx.store.apply(
                .payInstalment(number: 2, fund: "f1"), toCase: m.id, by: fx.actor("tr"), at: fx.tick())
            Issue.record("instalment 2 was paid before it fell due")
        } catch let error as BangfuError { #expect(error.code == .invalidInput && error.en.contains("2027-03-10")) }
        fx.now = BusinessZone.shanghai.startOfDay(LocalDate(year: 2027, month: 3, day: 10)!).addingTimeInterval(3600)
        _ = try await fx.store.apply(
            .payInstalment(number: 2, fund: "f1"), toCase: m.id, by: fx.actor("tr"), at: fx.tick())
        await #expect(throws: BangfuError.self, "instalment 3 before 10 April") {
            try await fx.store.apply(
                .payInstalment(number: 3, fund: "f1"), toCase: m.id, by: fx.actor("tr"), at: fx.tick())
        }
        fx.now = BusinessZone.shanghai.startOfDay(LocalDate(year: 2027, month: 4, day: 10)!).addingTimeInterval(3600)
        await #expect(throws: BangfuError.self) {
            try await fx.store.apply(
                .payInstalment(number: 4, fund: "f1"), toCase: m.id, by: fx.actor("tr"), at: fx.tick())
        }
        let last = try await fx.store.apply(
            .payInstalment(number: 3, fund: "f1"), toCase: m.id, by: fx.actor("tr"), at: fx.tick())
        #expect(last.helpCase.state == .closed)
        #expect(try await fx.store.disbursements(caseId: m.id).count == 3)
        let loan = try await fx.caseIn(.active, plan: .loan(principal: Money(yuan: 1_000)))
        _ = try await fx.store.apply(
            .receiveRepayment(amount: Money(yuan: 400), fund: "f1"), toCase: loan.id, by: fx.actor("tr"), at: fx.tick())
        await #expect(throws: BangfuError.self) {
            try await fx.store.apply(
                .receiveRepayment(amount: Money(yuan: 700), fund: "f1"), toCase: loan.id, by: fx.actor("tr"),
                at: fx.tick())
        }
        let done = try await fx.store.apply(
            .receiveRepayment(amount: Money(yuan: 600), fund: "f1"), toCase: loan.id, by: fx.actor("tr"), at: fx.tick())
        #expect(done.helpCase.state == .closed)
        #expect(try await fx.store.balance(fundId: "f1") == Money(yuan: 1_000_000 - 1_500))
    }

    @Test(arguments: Engine.allCases) func objectionFreezesAndResumesTheNotice(engine: Engine) async throws {
        let fx = try await Fixture(engine: engine)
        // Approved Thursday 2027-02-04; synthetic calendar: notice days 02-14 (make-up), 15, 16, 17, 18.
        let c = try await fx.caseIn(.inNotice)
        let zone = BusinessZone.shanghai
        #expect(try await fx.store.nextNoticeDeadline() == zone.startOfDay(LocalDate(year: 2027, month: 2, day: 19)!))
        fx.now = zone.startOfDay(LocalDate(year: 2027, month: 2, day: 17)!).addingTimeInterval(3600 * 10)
        let o = try await fx.store.apply(.object(summary: "群众反映"), toCase: c.id, by: fx.actor("cw"), at: fx.now)
        #expect(o.helpCase.frozenRemainingDays == 2)
        #expect(try await fx.store.nextNoticeDeadline() == nil, "a frozen notice has no timer")
        #expect(try await fx.store.casesWithNoticeDue(at: fx.now.addingTimeInterval(90 * 86400)).isEmpty)
        fx.now = zone.startOfDay(LocalDate(year: 2027, month: 2, day: 19)!).addingTimeInterval(3600 * 15)  // Friday
        _ = try await fx.store.apply(.dismissObjection(decision: "经核实无误"), toCase: c.id, by: fx.actor("ap"), at: fx.now)
        // Two working days after Friday 02-19: Saturday 02-20 is not a make-up day here, so 02-22 and 02-23.
        #expect(try await fx.store.nextNoticeDeadline() == zone.startOfDay(LocalDate(year: 2027, month: 2, day: 24)!))
        #expect(
            try await fx.store.casesWithNoticeDue(at: zone.startOfDay(LocalDate(year: 2027, month: 2, day: 24)!)) == [
                c.id
            ])
    }
}

@Suite struct FiguresTests {
    @Test(arguments: Engine.allCases) func figuresRollUpTheTree(engine: Engine) async throws {
        let fx = try await Fixture(engine: engine)
        try await fx.fund()
        // b1, paid ¥500 once, then closed
        _ = try await fx.caseIn(.closed, plan: .monthly(Money(yuan: 500), months: 3))
        _ = try await fx.caseIn(.submitted)  // b1
        _ = try await fx.store.createArchive(fx.input(unit: "b3"), by: fx.actor("cw3"), at: fx.tick())
        // A loan of ¥1,000 paid out in b1: lent, not aid paid (13.6).
        _ = try await fx.caseIn(.active, plan: .loan(principal: Money(yuan: 1_000)))
        let f = try await fx.store.unitFigures(
            ReportWindow(
                from: LocalDate(year: 2027, month: 1, day: 1)!, to: LocalDate(year: 2027, month: 12, day: 31)!,
                zone: .shanghai, contactIntervalDays: 92))
        #expect(f["b1"]?.openArchives == 3 && f["b1"]?.casesByState["closed"] == 1 && f["b1"]?.paid == Money(yuan: 500))
        #expect(f["b1"]?.lent == Money(yuan: 1_000))
        #expect(f["b2"]?.openArchives == 0)
        #expect(f["county"]?.openArchives == 3 && f["county"]?.paid == Money(yuan: 500))
        #expect(f["county2"]?.openArchives == 1 && f["county2"]?.paid == .zero)
        #expect(f["city"]?.openArchives == 4 && f["city"]?.archivesByCategory["deep"] == 4 && f["city"]?.payments == 1)
        #expect(f["city"]?.lent == Money(yuan: 1_000))
    }
}
