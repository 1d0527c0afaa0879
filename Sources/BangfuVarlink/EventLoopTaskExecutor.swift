import NIOCore

/// Runs a connection's task on the event loop that owns its socket.
///
/// A call then goes from the socket to the method and back without leaving that thread (reads are
/// synchronous SQLite on the same thread); only writes hop to the store's writer. Each hop between
/// the event loop and the cooperative pool cost more than a case read itself.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: UnownedJob) {
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
