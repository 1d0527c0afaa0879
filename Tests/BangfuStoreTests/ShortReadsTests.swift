import BangfuCore
import BangfuSQL
import Foundation
import Testing

@testable import BangfuStore

/// Short reads on bangfud's own read-only connections: each sees one snapshot, sees every commit
/// before it, cannot write, and a connection that failed or kept many statements reads on.
@Suite struct ShortReadsTests {
    @Test func readsSeeCommitsAndCannotWrite() async throws {
        let fx = try await Fixture()
        try await fx.fund("f1", yuan: 0)
        let store = fx.sqlite
        for fen in [1, 2, 3] as [Int64] {
            try await store.deposit(
                fundId: "f1", amount: Money(fen: fen), memo: "入账", by: fx.actor("tr"), at: fx.tick())
            // Written through GRDB's writer, read back at once on a connection of our own.
            let balance = try await store.read { db in
                try Int64.fetchOne(
                    db, sql: "SELECT COALESCE(SUM(amount_fen), 0) FROM ledger_posting WHERE account = 'fund:f1'")
            }
            #expect(balance == [1, 3, 6][Int(fen) - 1])
        }
        await #expect(throws: BangfuError.self) {
            try await store.read { db in try db.execute(sql: "DELETE FROM ledger_posting") }
        }
        #expect(try await store.balance(fundId: "f1") == Money(fen: 6))
    }

    @Test func aFailedReadAndManyStatementsLeaveTheConnectionsReading() async throws {
        let fx = try await Fixture()
        let store = fx.sqlite
        await #expect(throws: (any Error).self) {
            try await store.read { db in try Int.fetchOne(db, sql: "SELECT * FROM no_such_table") }
        }
        // More distinct statements than a connection keeps, from several tasks at once.
        let sums = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<4 {
                group.addTask {
                    var sum = 0
                    for number in 0..<(SQLiteReader.keptStatements + 50) {
                        sum += try await store.read { db in
                            try Int.fetchOne(db, sql: "SELECT \(number) + \(task) * 0") ?? -1
                        }
                    }
                    return sum
                }
            }
            return try await group.reduce(into: [Int]()) { sums, sum in sums.append(sum) }
        }
        let count = SQLiteReader.keptStatements + 50
        #expect(sums == Array(repeating: count * (count - 1) / 2, count: 4))
    }
}
