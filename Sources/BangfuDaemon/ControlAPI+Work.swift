import BangfuCore
import BangfuDomain
import BangfuVarlink
import BangfuWire
import Foundation

extension ControlAPI {
    /// Items shown per queue on the my-work page.
    static let workItems = 10
    /// Visits, contacts and reviews are counted up to this many (then `more`).
    static let workCountLimit = 1_000

    /// `org.bangfu.Work.Mine`: per role the caller holds, the queues of what waits for it, each in
    /// the units the caller holds that role on (so a reviewer of one branch sees that branch only).
    func work() -> VarlinkInterface {
        let methods: [(String, VarlinkMethod)] = [
            method(Wire.Work.Mine.self, roles: Set(Role.allCases)) { actor, _ in
                let tree = try await runtime.store.unitTree()
                var roles: [Wire.Work.RoleWork] = []
                for role in Role.allCases where role != .system {
                    let units =
                        actor.isRoot
                        ? tree.units.keys.sorted()
                        : actor.grants.filter { $0.role == role }
                            .flatMap { tree.subtree(of: $0.unitId) }
                    guard !units.isEmpty, actor.isRoot || actor.grants.contains(where: { $0.role == role }) else {
                        continue
                    }
                    let unique = Array(Set(units)).sorted()
                    roles.append(
                        Wire.Work.RoleWork(
                            role: role.rawValue, roleName: role.zh,
                            queues: try await queues(for: role, actor: actor, units: unique, tree: tree)))
                }
                return .init(roles: roles)
            }
        ]
        return VarlinkInterface(
            name: "org.bangfu.Work", description: ControlAPI.idl(PackageResources.org_bangfu_Work_varlink),
            methods: Dictionary(uniqueKeysWithValues: methods))
    }

    /// The queues of one role over its units; empty ones left out.
    func queues(for role: Role, actor: Actor, units: [String], tree: UnitTree) async throws -> [Wire.Work.Queue] {
        let store = runtime.store
        let today = runtime.config.businessZone.date(of: runtime.clock.now())
        func caseQueue(_ kind: String, _ title: String, _ states: [CaseState], counts: [CaseState: Int]) async throws
            -> Wire.Work.Queue?
        {
            let count = states.reduce(0) { $0 + (counts[$1] ?? 0) }
            guard count > 0 else { return nil }
            let first = try await store.cases(units: units, states: states, page: Page(limit: ControlAPI.workItems))
            return Wire.Work.Queue(
                kind: kind, title: title, count: Int64(count), more: false,
                items: try await caseItems(Array(first.prefix(ControlAPI.workItems)), actor: actor, tree: tree))
        }
        var queues: [Wire.Work.Queue?] = []
        switch role {
        case .caseworker:
            let counts = try await store.caseCounts(units: units)
            queues.append(try await caseQueue("returned", "退回补充材料", [.returned], counts: counts))
            queues.append(try await caseQueue("drafts", "未提交的申请", [.draft], counts: counts))
            let due = try await store.reviewsDue(
                units: units, on: today, within: 30, page: Page(limit: ControlAPI.workCountLimit))
            queues.append(
                queue(
                    "reviews_due", "待年度复核的档案", due,
                    item: { review in
                        Wire.Work.Item(
                            ref: review.archiveNo, label: review.overdue ? "已逾期" : "30 天内到期",
                            unit: tree.units[review.unitId]?.name ?? review.unitId,
                            since: review.reviewDue.description)
                    }))
        case .reviewer:
            let counts = try await store.caseCounts(units: units)
            queues.append(try await caseQueue("to_review", "待初审", [.submitted], counts: counts))
        case .approver:
            let counts = try await store.caseCounts(units: units)
            queues.append(try await caseQueue("to_approve", "待审批", [.branchReviewPassed], counts: counts))
            queues.append(try await caseQueue("objections", "公示异议待处理", [.objected], counts: counts))
            queues.append(try await transferQueue(actor: actor, tree: tree))
        case .treasurer:
            let counts = try await store.caseCounts(units: units)
            queues.append(try await caseQueue("to_pay", "待发放", [.noticePassed, .disbursing], counts: counts))
        case .helper:
            // Visits due within a week (or overdue) and households whose contact is overdue.
            let visits = try await store.overdueVisits(
                units: units, on: today.adding(days: 8), page: Page(limit: ControlAPI.workCountLimit))
            queues.append(
                queue(
                    "visits_due", "一周内应走访", visits,
                    item: { visit in
                        Wire.Work.Item(
                            ref: visit.archiveNo,
                            label: visit.event.map { Words.of(.mustVisitEvent, $0, .zh) } ?? "节日走访",
                            unit: tree.units[visit.unitId]?.name ?? visit.unitId, since: visit.dueOn.description,
                            visitId: visit.id)
                    }))
            let contacts = try await store.contactsDue(
                units: units, days: runtime.config.contactIntervalDays, at: runtime.clock.now(),
                page: Page(limit: ControlAPI.workCountLimit))
            queues.append(
                queue(
                    "contacts_due", "联系已逾期的结对户", contacts.filter { $0.helpers.contains(actor.id) || actor.isRoot },
                    item: { contact in
                        Wire.Work.Item(
                            ref: contact.archiveNo, label: "上次联系",
                            unit: tree.units[contact.unitId]?.name ?? contact.unitId,
                            since: Wire.time(contact.lastContact ?? contact.dueSince))
                    }))
        case .admin:
            let missed = try await runtime.missedCampaigns()
            queues.append(
                queue(
                    "missed_campaigns", "错过的节日慰问", missed,
                    item: { campaign in
                        Wire.Work.Item(
                            ref: campaign.definition.id, label: campaign.definition.name, unit: "",
                            since: campaign.holiday.description)
                    }))
        case .auditor, .system:
            break
        }
        return queues.compactMap { $0 }
    }

    /// A queue over a list already read (capped at `workCountLimit`: `more` when it was reached).
    func queue<Element>(_ kind: String, _ title: String, _ elements: [Element], item: (Element) -> Wire.Work.Item)
        -> Wire.Work.Queue?
    {
        guard !elements.isEmpty else { return nil }
        return Wire.Work.Queue(
            kind: kind, title: title, count: Int64(min(elements.count, ControlAPI.workCountLimit)),
            more: elements.count > ControlAPI.workCountLimit,
            items: elements.prefix(ControlAPI.workItems).map(item))
    }

    /// Transfers another approver asked for, waiting for this one to confirm (not their own).
    func transferQueue(actor: Actor, tree: UnitTree) async throws -> Wire.Work.Queue? {
        let store = runtime.store
        let now = runtime.clock.now()
        let readable = try await store.funds().filter { fund in
            actor.holds(anyOf: [.approver], on: fund.unitId, in: tree)
        }.map(\.id)
        let waiting = try await store.transfers(fundIds: readable).filter { transfer in
            readable.contains(transfer.from) && readable.contains(transfer.to) && transfer.state(at: now) == .pending
                && transfer.requestedBy != actor.id
        }
        return queue(
            "transfers", "待确认的资金调拨", waiting,
            item: { transfer in
                Wire.Work.Item(
                    ref: String(transfer.id), label: "\(transfer.from) → \(transfer.to) \(transfer.amount)",
                    unit: "", since: Wire.time(transfer.requestedAt))
            })
    }

    /// Cases as my-work items: the head's name as the caller may see it, the help type, the amount.
    func caseItems(_ cases: [HelpCase], actor: Actor, tree: UnitTree) async throws -> [Wire.Work.Item] {
        let households = Dictionary(
            try await runtime.store.households(ids: cases.map(\.householdId)).map { ($0.id, $0) },
            uniquingKeysWith: { first, _ in first })
        return cases.map { helpCase in
            let name = households[helpCase.householdId]?.input.head.name ?? ""
            let visibility = Visibility.ofCase(actor, unit: helpCase.unitId, in: tree)
            let shown = visibility == .full || visibility == .payment ? name : maskedName(name)
            let helpType = runtime.plugins.nameZh(of: helpCase.helpType)
            let amount = helpCase.plan.map { " \($0.total)" } ?? ""
            return Wire.Work.Item(
                ref: helpCase.caseNo, label: "\(shown) \(helpType)\(amount)",
                unit: tree.units[helpCase.unitId]?.name ?? helpCase.unitId, since: helpCase.approvedAt.map(Wire.time))
        }
    }
}
