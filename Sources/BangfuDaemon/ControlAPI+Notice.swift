import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation

extension ControlAPI {
    /// The public notice, filled from allow-listed fields only: masked name, unit, help type, amount.
    func notice() -> VarlinkInterface {
        let store = runtime.store
        let runtime = self.runtime
        let methods: [(String, VarlinkMethod)] = [
            listing(Wire.Notice.List.self, roles: Set(Role.allCases)) { _, call in
                let page = try Page(limit: call.limit, after: call.after)
                let tree = try await store.unitTree()
                if let unit = call.unit { _ = try tree.require(unit) }
                let units = call.unit.map { unit in tree.subtree(of: unit) } ?? tree.units.keys.sorted()
                let (cases, next) = page.cut(
                    try await store.cases(units: units, states: [.inNotice, .objected], page: page)
                ) { helpCase in helpCase.id }
                let (entries, head) = try await noticeLines(cases, tree: tree)
                let issuer = ControlAPI.issuer(of: call.unit, in: tree)
                let phone = runtime.config.objectionPhone
                return ControlAPI.paged(entries, next: next) { entry in
                    .init(entry: entry, head: head, issuedBy: issuer, objectionPhone: phone)
                }
            },
            listing(Wire.Notice.History.self, roles: Set(Role.allCases)) { _, call in
                let page = try Page(limit: call.limit, after: call.after)
                let period = try LocalDate.period(from: call.from, to: call.to)
                let tree = try await store.unitTree()
                if let unit = call.unit { _ = try tree.require(unit) }
                let units = call.unit.map { unit in tree.subtree(of: unit) } ?? tree.units.keys.sorted()
                let calendar = runtime.config.calendar
                // Every case whose notice ran within the period, whatever became of it since.
                let (cases, next) = try await page.fill(
                    read: { after, count in
                        try await store.cases(units: units, state: nil, page: Page(limit: count, afterId: after))
                    }, id: \.id,
                    keep: { helpCase -> HelpCase? in
                        let days = helpCase.notice?.days(calendar) ?? []
                        guard let first = days.first, let last = days.last, first <= period.to, last >= period.from
                        else { return nil }
                        return helpCase
                    })
                let (entries, head) = try await noticeLines(cases, tree: tree)
                let issuer = ControlAPI.issuer(of: call.unit, in: tree)
                let phone = runtime.config.objectionPhone
                return ControlAPI.paged(entries, next: next) { entry in
                    .init(entry: entry, head: head, issuedBy: issuer, objectionPhone: phone)
                }
            },
        ]
        return VarlinkInterface(
            name: "org.bangfu.Notice", description: ControlAPI.idl(PackageResources.org_bangfu_Notice_varlink),
            methods: Dictionary(uniqueKeysWithValues: methods))
    }

    /// Who publishes a notice: the unit asked, else the top of the tree (the first root by id).
    static func issuer(of unit: String?, in tree: UnitTree) -> String {
        let id = unit ?? tree.units.values.filter { $0.parentId == nil }.map(\.id).sorted().first
        return id.flatMap { tree.units[$0]?.name } ?? ""
    }

    /// Notice lines from allow-listed fields only (masked name, unit, help type or occasion,
    /// amount, period), each with the audit head read after the cases.
    func noticeLines(_ cases: [HelpCase], tree: UnitTree) async throws -> (
        entries: [Wire.Notice.Entry], head: String?
    ) {
        let store = runtime.store
        let households = try await store.households(ids: cases.map(\.householdId))
        let names = Dictionary(
            households.map { household in (household.id, household.input.head.name) },
            uniquingKeysWith: { first, _ in first })
        let plugins = runtime.plugins
        let calendar = runtime.config.calendar
        // Read after the cases: the head covers at least what the notice shows.
        let head = try await store.auditHead()?.description
        let entries = cases.map { helpCase in
            // A holiday visit is named by its occasion (七一慰问金), any other case by its help type.
            let occasion = (try? JSONValue.parse(Array(helpCase.formJSON.utf8)))?.objectValue?["occasion"]?
                .stringValue
            let helpType =
                HolidayOccasion.noticeName(occasion: occasion)
                ?? plugins.nameZh(of: helpCase.helpType)
            let days = helpCase.notice?.days(calendar) ?? []
            return Wire.Notice.Entry(
                caseNo: helpCase.caseNo, name: maskedName(names[helpCase.householdId] ?? ""),
                unit: tree.units[helpCase.unitId]?.name ?? helpCase.unitId, helpType: helpType,
                amount: helpCase.plan?.total.fen ?? 0, state: helpCase.state.rawValue,
                passesAt: helpCase.noticeDeadline.map(Wire.time), firstDay: days.first?.description,
                lastDay: days.last?.description)
        }
        return (entries, head)
    }
}
