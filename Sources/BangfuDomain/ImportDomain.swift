import BangfuCore
import Foundation

/// Importing households from a ledger: each one through the same rules as `Archive.Create`
/// (`ArchiveDomain.create`), each alone (one refused does not stop the others), and safe to
/// repeat: a household whose head already has an open archive the caller may read is left as it is.
public enum ImportDomain {
    /// Marks a dry run's creation to be undone (its savepoint rolled back), its outcome kept.
    struct DryRun: Error {
        let household: Household
    }

    /// Archives each of `inputs` in this unit of work; with `dryRun`, checks each through the
    /// same rules and undoes it.
    public static func archive(
        _ work: some UnitOfWork, _ inputs: [ArchiveInput], by actor: Actor, at: Date, policy: Policy, dryRun: Bool
    ) throws -> [ArchiveImport.Outcome] {
        let tree = try work.unitTree()
        let outcomes = try inputs.map { input in
            if let held = try work.openArchiveHolding(input.head.idNumber, except: nil),
                actor.mayRead(.archive, unit: held.unitId, in: tree)
            {
                return ArchiveImport.Outcome(action: .unchanged, archiveNo: held.archiveNo)
            }
            do {
                let created = try work.undoingOnError {
                    let household = try ArchiveDomain.create(
                        work, input, by: actor, at: at, policy: policy, audited: false)
                    if dryRun { throw DryRun(household: household) }
                    return household
                }
                return ArchiveImport.Outcome(
                    action: .created, archiveNo: created.archiveNo, category: created.assessment.category?.rawValue)
            } catch let checked as DryRun {
                return ArchiveImport.Outcome(
                    action: .wouldCreate, category: checked.household.assessment.category?.rawValue)
            } catch let refused as BangfuError {
                return ArchiveImport.Outcome(action: .refused, zh: refused.zh, en: refused.en)
            }
        }
        // One entry for the batch: it records every row the created archives wrote.
        let created = outcomes.compactMap { $0.action == .created ? $0.archiveNo : nil }
        if let first = created.first, let last = created.last {
            try work.audit(
                at: at, actor: actor.id, action: "import_archives", entity: "household",
                entityId: first == last ? first : "\(first)..\(last) (\(created.count))")
        }
        return outcomes
    }
}
