import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation

extension ControlAPI {
    /// Who may read report forms: aggregates of the units they hold a role on.
    static let reportReaders: Set<Role> = [.caseworker, .reviewer, .approver, .treasurer, .auditor, .admin]

    func reports() -> VarlinkInterface {
        let runtime = self.runtime
        let store = runtime.store
        let methods: [(String, VarlinkMethod)] = [
            method(Wire.Reports.Figures.self, roles: ControlAPI.reportReaders) { actor, call in
                let period = try ReportPeriod(parsing: call.period)
                let readable = Set(try await readableUnits(actor, roles: ControlAPI.reportReaders, under: call.unit))
                let tree = try await store.unitTree()
                let figures = try await store.unitFigures(
                    ReportWindow(
                        from: period.from, to: period.to, zone: runtime.config.businessZone,
                        contactIntervalDays: runtime.config.contactIntervalDays))
                let head = try await store.auditHead()?.description
                // The tops: the unit asked, else each readable unit whose parent is not readable.
                let tops =
                    call.unit.map { [$0] }
                    ?? readable.filter { id in tree.units[id]?.parentId.map { !readable.contains($0) } ?? true }
                    .sorted()
                var rows: [Wire.Reports.UnitRow] = []
                func visit(_ id: String, _ depth: Int) {
                    guard let unit = tree.units[id], readable.contains(id) else { return }
                    rows.append(Wire.Reports.UnitRow(unit, figures[id] ?? UnitFigures(), depth: depth))
                    for child in tree.units.values.filter({ $0.parentId == id }).map(\.id).sorted() {
                        visit(child, depth + 1)
                    }
                }
                for top in tops { visit(top, 0) }
                return .init(
                    from: period.from.description, to: period.to.description, periodName: period.nameZh, rows: rows,
                    head: head)
            }
        ]
        return VarlinkInterface(
            name: "org.bangfu.Reports", description: ControlAPI.idl(PackageResources.org_bangfu_Reports_varlink),
            methods: Dictionary(uniqueKeysWithValues: methods))
    }
}

extension Wire.Reports.UnitRow {
    init(_ unit: OrgUnit, _ figures: UnitFigures, depth: Int) {
        let cases = figures.casesByState.values.reduce(0, +)
        let finished = ["closed", "rejected", "withdrawn"].reduce(0) { $0 + (figures.casesByState[$1] ?? 0) }
        self.init(
            unitId: unit.id, unitName: unit.name, parentId: unit.parentId, depth: Int64(depth),
            openArchives: Int64(figures.openArchives), closedArchives: Int64(figures.closedArchives),
            newArchives: Int64(figures.newArchives), exitedArchives: Int64(figures.exitedArchives),
            reenteredArchives: Int64(figures.reenteredArchives),
            deep: Int64(figures.archivesByCategory["deep"] ?? 0),
            relative: Int64(figures.archivesByCategory["relative"] ?? 0),
            accident: Int64(figures.archivesByCategory["accident"] ?? 0), cases: Int64(cases),
            casesInProgress: Int64(cases - finished), payments: Int64(figures.payments), aidPaid: figures.paid.fen,
            lent: figures.lent.fen, repaid: figures.repaid.fen, personTimes: Int64(figures.personTimes),
            receptions: Int64(figures.receptions), receptionsHelped: Int64(figures.receptionsHelped),
            lines: figures.lines.sorted { $0.key < $1.key }.map { key, tally in
                Wire.Reports.Line(
                    section: key.section.rawValue, key: key.key, detail: key.detail, count: Int64(tally.count),
                    amount: tally.amount.fen)
            })
    }
}
