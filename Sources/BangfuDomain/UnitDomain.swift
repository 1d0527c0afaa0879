import BangfuCore
import Foundation

/// The organisation units, which come from the configuration (at start and on reload).
public enum UnitDomain {
    /// Brings the stored units to the configuration's: parents first, so that a unit's parent
    /// exists at every step; each unit added or changed is audited. Units are never deleted
    /// (records keep their unit). A configuration whose units do not form one tree is refused whole.
    public static func sync(_ work: some UnitOfWork, _ units: [OrgUnit], at: Date) throws {
        _ = try UnitTree(units)
        var stored = try work.storedUnits()
        var pending = units
        while !pending.isEmpty {
            let ready = pending.filter { unit in unit.parentId.map { parent in stored[parent] != nil } ?? true }
            guard !ready.isEmpty else { break }
            for unit in ready where stored[unit.id] != unit {
                try work.saveUnit(unit)
                try work.audit(
                    at: at, actor: Actor.system.id, action: "unit_sync", entity: "unit", entityId: unit.id)
                stored[unit.id] = unit
            }
            let done = Set(ready.map(\.id))
            pending.removeAll { unit in done.contains(unit.id) }
        }
        _ = try work.unitTree()
    }
}
