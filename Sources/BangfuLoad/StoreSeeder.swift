import BangfuCore
import BangfuStore
import Foundation
import GRDB

/// Fills a database with many closed cases straight through SQL, so growth and start-up can be
/// measured against a store of a province's size without driving a million cases through the daemon.
public enum StoreSeeder {
    /// Bytes a seeded case takes with its household, person, event and indexes, about.
    public static let bytesPerCase = 3 * 1024

    /// Refuses when the disk holding `directory` has less than twice what `cases` need.
    public static func requireFreeDisk(_ directory: String, cases: Int) throws {
        var fs = statvfs()
        guard statvfs(directory, &fs) == 0 else { return }
        let free = Double(fs.f_bavail) * Double(fs.f_frsize), need = Double(cases * bytesPerCase * 2)
        guard free >= need else {
            throw LoadError(
                String(
                    format: "not enough free disk in %@: %.1f GiB free, %.1f GiB needed for %d cases", directory,
                    free / 1_073_741_824, need / 1_073_741_824, cases))
        }
    }

    /// Creates the schema at `path` and writes `cases` households, each with one closed, paid-out case.
    /// Reports progress every 100,000.
    public static func seed(path: String, units: [OrgUnit], cases: Int, progress: (Int) -> Void = { _ in }) async throws
    {
        let dibao = DibaoStandard(
            region: "370200", effective: try LocalDate(parsing: "2025-07-01"), monthly: Money(yuan: 1060))
        let policy = Policy(categoryRules: CategoryRules(dibao: [dibao]))
        let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01
        let store = try SQLiteStore(path: path, policy: policy)
        try await store.syncUnits(units, at: now)
        guard cases > 0 else { return }
        var config = Configuration()
        config.prepareDatabase { try $0.execute(sql: "PRAGMA synchronous = OFF") }
        let db = try DatabaseQueue(path: path, configuration: config)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let day = try LocalDate(parsing: "2026-01-01")
        let input = ArchiveInput(
            unitId: "b1", region: "370202",
            head: Person(name: "NAME", idNumber: .synthetic(index: 0), workStatus: .laidOff),
            annualIncome: Money(yuan: 9_000), mainCause: "laid_off")
        let assessment = String(
            decoding: try enc.encode(try policy.categoryRules.assess(input, on: day)), as: UTF8.self)
        let data = String(decoding: try enc.encode(input), as: UTF8.self)
        let template = IDNumber.synthetic(index: 0).value
        let plan = String(decoding: try enc.encode(PaymentPlan.oneOff(Money(yuan: 1000))), as: UTF8.self)
        let ms = Int64(now.timeIntervalSince1970 * 1000)
        for start in stride(from: 0, to: cases, by: 50_000) {
            try await db.write { db in
                let h = try db.makeStatement(
                    sql: """
                        INSERT INTO household(archive_no, unit_id, status, category, data, assessment, review_due, created_ms, closed_ms,
                                              exit_reason, version)
                        VALUES (?, 'b1', 'closed', 'deep', ?, ?, '2027-01-01', ?, ?, 'income_above_line', 1)
                        """)
                let p = try db.makeStatement(
                    sql: "INSERT INTO household_person(household_id, id_number, is_open) VALUES (?, ?, 0)")
                let c = try db.makeStatement(
                    sql: """
                        INSERT INTO help_case(case_no, household_id, unit_id, help_type, state, filed_by, version, created_ms, updated_ms,
                                              form, plan, instalments_paid, approved_ms)
                        VALUES (?, ?, 'b1', 'hardship-relief', 'closed', 'seed', 7, ?, ?, '{"cause":"disaster"}', ?, 0, ?)
                        """)
                let e = try db.makeStatement(
                    sql: """
                        INSERT INTO case_event(case_id, at_ms, actor, event, from_state, to_state) VALUES (?, ?, 'seed', 'close', 'disbursing', 'closed')
                        """)
                for i in start..<min(start + 50_000, cases) {
                    let id = IDNumber.synthetic(index: 30_000_000 + i).value
                    try h.execute(arguments: [
                        "SEED-\(i)",
                        data.replacingOccurrences(of: template, with: id).replacingOccurrences(
                            of: "NAME", with: "户主\(i)"),
                        assessment, ms, ms,
                    ])
                    let household = db.lastInsertedRowID
                    try p.execute(arguments: [household, id])
                    try c.execute(arguments: ["SEED-\(i)", household, ms, ms, plan, ms])
                    try e.execute(arguments: [db.lastInsertedRowID, ms])
                }
            }
            progress(min(start + 50_000, cases))
        }
        try db.close()
        // The rows written above by SQL are recorded by one audit entry, as a bulk load must be.
        try await store.recordBulkWrite(action: "seed", by: .system, at: now)
    }
}
