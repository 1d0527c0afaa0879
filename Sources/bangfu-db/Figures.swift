import ArgumentParser
import BangfuCLIKit
import BangfuCore
import Foundation

/// `bangfu-db figures`: archives, cases and payments per unit, each rolled up over its subtree.
struct Figures: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "按单位汇总（含下级）/ Figures per unit, rolled up over each subtree.")

    @OptionGroup var store: StoreOptions

    @OptionGroup var period: PeriodOptions

    func run() async throws {
        do {
            let configuration = try store.loadConfiguration()
            let s = try await store.openStore(configuration, at: Date())
            let (from, to) = try period.dates()
            let figures = try await s.unitFigures(
                ReportWindow(
                    from: from, to: to, zone: configuration.businessZone,
                    contactIntervalDays: configuration.contactIntervalDays))
            if store.json {
                printJSON(figures)
                return
            }
            let tree = try await s.unitTree()
            let zh = Language.fromEnvironment == .zh
            var t = TextTable(
                headers: zh
                    ? ["单位", "在档", "深度", "相对", "意外", "已关闭", "案件", "办理中", "发放笔数", "发放金额", "借出金额"]
                    : [
                        "unit", "open", "deep", "relative", "accident", "closed", "cases", "in progress", "payments",
                        "aid paid", "lent",
                    ],
                rightAligned: Set(1...10))
            // Depth-first from the roots, indented by level.
            func visit(_ id: String, _ depth: Int) {
                guard let u = tree.units[id], let f = figures[id] else { return }
                let total = f.casesByState.values.reduce(0, +)
                let finished = ["closed", "rejected", "withdrawn"].reduce(0) { $0 + (f.casesByState[$1] ?? 0) }
                t.add([
                    String(repeating: "  ", count: depth) + u.name, String(f.openArchives),
                    String(f.archivesByCategory["deep"] ?? 0),
                    String(f.archivesByCategory["relative"] ?? 0), String(f.archivesByCategory["accident"] ?? 0),
                    String(f.closedArchives), String(total), String(total - finished), String(f.payments),
                    f.paid.description, f.lent.description,
                ])
                for child in tree.units.values.filter({ $0.parentId == id }).map(\.id).sorted() {
                    visit(child, depth + 1)
                }
            }
            for root in tree.units.values.filter({ $0.parentId == nil }).map(\.id).sorted() { visit(root, 0) }
            print(t.render())
        } catch {
            fail(error)
        }
    }
}
