import BangfuCore
import Foundation
import GRDB
import Testing

@testable import BangfuStore

/// A database written by a version before the erasable table (schema v8), opened by this one:
/// the history's personal values move into `personal_value`, and the trail still verifies.
@Suite struct MigrationTests {
    @Test func aV8HistoryMovesItsPersonalValuesAndStillVerifies() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bangfu-migrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bangfu.sqlite").path
        let idNumber = IDNumber.synthetic(index: 4711).value
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteStore.migrator.migrate(queue, upTo: "v8-audit-facts")
            // What v8's code wrote for an archive: the values in the history rows, one audit entry.
            try await queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO org_unit(id, name, parent_id, level) VALUES ('b1', '一厂工会', NULL, 'grassroots');
                        INSERT INTO household(id, archive_no, unit_id, status, category, data, assessment, review_due, created_ms, version)
                        VALUES (1, 'HA-2026-000001', 'b1', 'open', 'deep', '{}', '{}', '2027-01-01', 1, 0);
                        INSERT INTO archive_history(household_id, at_ms, actor, action, field, old_value, new_value)
                        VALUES (1, 1, 'cw', 'create_archive', 'head.idNumber', NULL, '\(idNumber)'),
                               (1, 1, 'cw', 'create_archive', 'head.name', NULL, '王建国'),
                               (1, 2, 'cw', 'update_archive', 'head.phone', '13912345678', '13800000000'),
                               (1, 1, 'cw', 'create_archive', 'annualIncome', NULL, '1000000');
                        """)
                try Audit.append(
                    db, at: Date(), actor: "cw", action: "create_archive", entity: "household",
                    entityId: "HA-2026-000001")
            }
            try queue.close()
        }
        let store = try SQLiteStore(path: path, policy: Policy())
        let report = try await store.verify()
        #expect(report.ok, "\(report.problems)")
        let history = try await store.archiveHistory(id: 1)
        #expect(history.map(\.newValue) == [idNumber, "王建国", "13800000000", "1000000"])
        #expect(history[2].oldValue == "13912345678")
        let stored = try await DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT old_value, new_value, old_ref, new_ref FROM archive_history ORDER BY id")
        }
        #expect(stored.map { $0["new_value"] as String? } == [nil, nil, nil, "1000000"], "values left in the history")
        #expect(stored.prefix(3).allSatisfy { $0["new_ref"] as Int64? != nil })
    }
}
