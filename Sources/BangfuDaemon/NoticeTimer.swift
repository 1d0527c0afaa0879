import BangfuCore
import BangfuWorkflow
import Foundation
import Logging
import ServiceLifecycle

/// Fires what is due: passed notices move on and get their disbursement; serialised, so a clock
/// advance and the timer service never fire the same case twice at once.
actor NoticeTimer {
    let store: any BangfuStore
    let clock: DaemonClock
    let logger: Logger
    /// The current workflow and whether to pay at the end of the notice (both change on reload).
    let settings: @Sendable () -> (Workflow, Bool)

    init(store: any BangfuStore, clock: DaemonClock, logger: Logger, settings: @escaping @Sendable () -> (Workflow, Bool)) {
        self.store = store
        self.clock = clock
        self.logger = logger
        self.settings = settings
    }

    /// The run in progress: calls queue behind it, because an actor alone would interleave them at each await.
    private var last: Task<Int, Never>?

    /// Passes every notice whose deadline is at or before now, then schedules the disbursement of
    /// every case whose notice passed (also those a crash left between the two steps).
    @discardableResult
    func fireDue() async -> Int {
        let previous = last
        let run = Task { _ = await previous?.value; return await self.fire() }
        last = run
        return await run.value
    }

    private func fire() async -> Int {
        let now = clock.now()
        var fired = 0
        do {
            for id in try await store.casesWithNoticeDue(at: now) {
                let c = try await store.apply(.noticeElapsed, toCase: id, by: .system, at: now).helpCase
                fired += 1
                logger.info("notice passed", metadata: ["CASE_ID": "\(c.caseNo)", "HELP_TYPE": "\(c.helpType)"])
            }
            let units = try await store.unitTree().units.keys.sorted()
            for c in try await store.cases(units: units, state: .noticePassed) {
                let d = try await store.apply(.scheduleDisbursement, toCase: c.id, by: .system, at: now).helpCase
                let (workflow, payNow) = settings()
                let meta: Logger.Metadata = ["CASE_ID": "\(d.caseNo)", "HELP_TYPE": "\(d.helpType)"]
                if payNow, (d.plan?.instalments ?? 0) > 0 {
                    if let paid = try await workflow.payFromNearestFund(caseId: d.id, at: now), let p = paid.disbursement {
                        logger.info("paid at the end of the notice from \(p.fundId)", metadata: meta)
                        continue
                    }
                    logger.warning("no fund can pay this case now; it waits for the treasurer", metadata: meta)
                } else {
                    logger.info("disbursement waiting for the treasurer", metadata: meta)
                }
            }
        } catch {
            logger.error("notice timer: \(error)")
        }
        return fired
    }
}

/// Sleeps until the earliest notice deadline (no polling), fires it, and wakes early when the
/// clock moves or a call may have armed a new deadline. What fell due while stopped fires at start.
struct NoticeTimerService: Service {
    let runtime: Runtime

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await runtime.timer.fireDue()
                var timeout: Duration?
                if !runtime.clock.isManual, let next = try? await runtime.store.nextNoticeDeadline() {
                    // At most an hour at a time, in case the wall clock jumps.
                    timeout = .milliseconds(Int64(max(0, min(3600, next.timeIntervalSince(runtime.clock.now()))) * 1000) + 5)
                } else if !runtime.clock.isManual {
                    timeout = .seconds(3600)
                }
                await runtime.clock.wake.wait(timeout: timeout)
            }
        }
    }
}
