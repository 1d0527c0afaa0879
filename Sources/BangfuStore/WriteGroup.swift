import BangfuCore
import GRDB
import Synchronization

/// Group commit: writes that arrive while a transaction is committing wait, then share the next
/// transaction and its one `fsync`.
///
/// With `synchronous=FULL` the fsync, not the SQL, bounds how many writes a second the disk allows;
/// sharing it is how sixteen clients get more than one client's rate. Each job runs in its own
/// savepoint: a job that throws is rolled back alone and gets its error, the others commit. When the
/// shared transaction itself is lost (disk full, I/O error, a failed commit) every job of the group
/// is run again alone, so no job fails because of another.
final class WriteGroup: Sendable {
    /// One write: `run` does the work inside the transaction; `done` is told once, after the commit.
    struct Job: Sendable {
        let run: @Sendable (Database) throws -> Void
        let done: @Sendable ((any Error)?) -> Void
    }

    private struct Queue {
        var jobs: [Job] = []
        var draining = false
        var stats = WriteStats()
    }

    private let pool: DatabasePool
    private let queue = Mutex(Queue())
    /// Told after each commit (the newest only is kept): whoever follows the audit head waits on it.
    let commits: AsyncStream<Void>
    private let committed: AsyncStream<Void>.Continuation
    /// The most jobs in one transaction: bounds how long the write lock is held and how much one loss reruns.
    let maxJobs: Int

    init(pool: DatabasePool, maxJobs: Int = 64) {
        self.pool = pool
        self.maxJobs = maxJobs
        (commits, committed) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Counts since the store opened.
    var stats: WriteStats { queue.withLock { $0.stats } }

    func submit(_ job: Job) {
        let start = queue.withLock { q -> Bool in
            q.jobs.append(job)
            if q.draining { return false }
            q.draining = true
            return true
        }
        if start { Task { await self.drain() } }
    }

    /// Runs groups until the queue is empty; only one drain runs at a time.
    private func drain() async {
        while true {
            let jobs = queue.withLock { q -> [Job] in
                let taken = Array(q.jobs.prefix(maxJobs))
                q.jobs.removeFirst(taken.count)
                if taken.isEmpty {
                    q.draining = false
                } else {
                    q.stats.transactions += 1
                    q.stats.writes += taken.count
                    q.stats.largestGroup = max(q.stats.largestGroup, taken.count)
                }
                return taken
            }
            if jobs.isEmpty { return }
            await run(jobs)
        }
    }

    private func run(_ jobs: [Job]) async {
        let outcomes: [(any Error)?]
        do {
            outcomes = try await pool.writeWithoutTransaction { db in
                do {
                    try db.beginTransaction(.immediate)
                    var outcomes: [(any Error)?] = []
                    for job in jobs {
                        do {
                            try db.inSavepoint {
                                try job.run(db)
                                try AuditFacts.requireRecorded(db)
                                return .commit
                            }
                            outcomes.append(nil)
                        } catch {
                            // SQLite rolled the whole transaction back (full disk, I/O): the group is lost.
                            guard db.isInsideTransaction else { throw error }
                            outcomes.append(error)
                        }
                    }
                    try db.commit()
                    return outcomes
                } catch {
                    if db.isInsideTransaction { try? db.rollback() }
                    throw error
                }
            }
        } catch {
            guard jobs.count > 1 else {
                jobs[0].done(error)
                return
            }
            queue.withLock { $0.stats.groupsRerun += 1 }
            for job in jobs { await run([job]) }
            return
        }
        for (job, outcome) in zip(jobs, outcomes) { job.done(outcome) }
        committed.yield()
    }
}
