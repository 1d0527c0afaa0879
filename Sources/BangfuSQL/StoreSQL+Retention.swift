import BangfuCore
import BangfuDomain
import Foundation

extension SQLStore {
    public func eraseExpiredArchives(at: Date) async throws -> [Household] {
        let policy = self.policy
        let zone = policy.caseRules.zone
        // Closed before the day after (today - retention): the rule itself is the domain's.
        let cutoff = zone.date(of: at).adding(months: -12 * policy.retentionYears).adding(days: 1)
        let due = try await readAside { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT id FROM household WHERE status = 'closed' AND erased_ms IS NULL AND closed_ms < ? ORDER BY id
                    """, arguments: [StoreSQL.ms(zone.startOfDay(cutoff))])
        }
        var erased: [Household] = []
        for id in due {
            erased.append(
                try await write { db in
                    try ArchiveDomain.erase(SQLUnitOfWork(db: db), id: id, at: at, policy: policy)
                })
        }
        return erased
    }

    public func expireReplies(before: Date, at: Date) async throws -> Int {
        try await write { db in
            try db.cachedStatement(
                sql: "UPDATE request_log SET reply = 'null', expired_ms = ? WHERE expired_ms IS NULL AND created_ms < ?"
            ).execute(arguments: [StoreSQL.ms(at), StoreSQL.ms(before)])
            return db.changesCount
        }
    }
}
