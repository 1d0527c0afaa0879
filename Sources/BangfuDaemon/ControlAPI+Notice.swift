import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation

extension ControlAPI {
    struct NoticeParams: Decodable, Sendable { var unit: String? }

    /// The public notice, filled from allow-listed fields only: masked name, unit, help type, amount.
    func notice() -> VarlinkInterface {
        let i = "org.bangfu.Notice"
        let store = runtime.store
        let runtime = self.runtime
        let methods: [(String, VarlinkMethod)] = [
            method(.noticeList, roles: Set(Role.allCases), NoticeParams.self) { _, p in
                let tree = try await store.unitTree()
                let units = p.unit.map { tree.subtree(of: $0) } ?? tree.units.keys.sorted()
                if let u = p.unit { _ = try tree.require(u) }
                let plugins = runtime.plugins
                var out: [[String: JSONValue]] = []
                for state in [CaseState.inNotice, .objected] {
                    for c in try await store.cases(units: units, state: state) {
                        let h = try await store.household(id: c.householdId)
                        let name = (try? plugins.helpType(c.helpType).descriptor.nameZh) ?? c.helpType
                        let e = Wire.NoticeEntry(
                            caseNo: c.caseNo, name: maskedName(h.input.head.name),
                            unit: tree.units[c.unitId]?.name ?? c.unitId,
                            helpType: name, amount: c.plan?.total.fen ?? 0, state: c.state.rawValue,
                            passesAt: c.noticeDeadline.map(Wire.time))
                        out.append(["entry": try ControlAPI.json(e)])
                    }
                }
                return .stream(out)
            }
        ]
        return VarlinkInterface(
            name: i, description: ControlAPI.idl(PackageResources.org_bangfu_Notice_varlink),
            methods: Dictionary(uniqueKeysWithValues: methods))
    }
}
