import BangfuCore
import BangfuStore
import Foundation
import Testing

/// Concurrent writes share transactions, and a write that fails inside a group fails alone.
@Suite struct GroupCommitTests {
    @Test func concurrentWritesShareTransactionsAndAFailureFailsOnlyItself() async throws {
        let fx = try await Fixture()
        try await fx.fund("f1", yuan: 0)
        try await fx.fund("f2", yuan: 0)
        try await fx.store.deposit(
            fundId: "f1", amount: Money(fen: 1_000), memo: "起始", by: fx.actor("tr"), at: fx.tick())
        let before = fx.store.writeStats
        let at = fx.tick()
        let tr = fx.actor("tr"), ap = fx.actor("ap"), ap3 = fx.actor("ap3")
        let store = fx.store
        // 200 deposits of 1 fen and 20 transfers that would overdraw f2 (asked, then confirmed), all at once.
        let outcomes = await withTaskGroup(of: (Bool, BangfuError.Code?).self) { group in
            for i in 0..<220 {
                group.addTask {
                    do {
                        if i % 11 == 5 {
                            let asked = try await store.requestTransfer(
                                from: "f2", to: "f1", amount: Money(fen: 50), reason: "透支", by: ap,
                                at: at)
                            _ = try await store.decideTransfer(id: asked.id, confirm: true, note: nil, by: ap3, at: at)
                        } else {
                            try await store.deposit(fundId: "f1", amount: Money(fen: 1), memo: "第\(i)笔", by: tr, at: at)
                        }
                        return (i % 11 == 5, nil)
                    } catch let e as BangfuError {
                        return (i % 11 == 5, e.code)
                    } catch {
                        return (i % 11 == 5, .storage)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let transfers = outcomes.filter { $0.0 }, deposits = outcomes.filter { !$0.0 }
        #expect(transfers.count == 20 && transfers.allSatisfy { $0.1 == .overdraft })
        #expect(deposits.count == 200 && deposits.allSatisfy { $0.1 == nil })
        #expect(try await store.balance(fundId: "f1") == Money(fen: 1_200))
        #expect(try await store.balance(fundId: "f2") == .zero)
        let after = store.writeStats
        // 200 deposits, and each transfer is two writes: the request and the refused confirmation.
        #expect(after.writes - before.writes == 240)
        // With 220 writers waiting on fsync, groups form: fewer transactions than writes.
        #expect(after.transactions - before.transactions < 220)
        #expect(after.largestGroup > 1)
        let report = try await store.verify()
        #expect(report.ok, "\(report.problems)")
    }
}

/// The writer runs with what the store promises: WAL and synchronous=FULL (GRDB's WAL setup would
/// otherwise leave it at NORMAL), read back from SQLite itself.
@Suite struct DurabilitySettingsTests {
    @Test func theWriterIsWALAndFullySynchronous() async throws {
        let fx = try await Fixture()
        let d = try await fx.store.durability()
        #expect(d.journalMode == "wal" && d.synchronous == "FULL")
    }
}
