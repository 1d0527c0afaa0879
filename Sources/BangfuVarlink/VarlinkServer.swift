import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Limits that keep a misbehaving client from hurting the daemon, or one local user from locking
/// the others out.
public struct VarlinkLimits: Sendable {
    /// Largest message, in bytes, before its NUL; a longer one closes the connection.
    public var maxMessageBytes: Int
    /// Connections open at once, from everyone.
    public var maxConnections: Int
    /// Connections open at once from one uid: below `maxConnections`, so a user at its cap leaves
    /// room for the others.
    public var maxConnectionsPerUser: Int
    /// A connection with no message for this long is closed.
    public var idleTimeout: TimeAmount
    /// A message whose first byte came must be complete within this time, whatever trickles in
    /// meanwhile (the idle timer alone restarts on every byte).
    public var messageDeadline: TimeAmount

    public init(
        maxMessageBytes: Int = 1 << 20, maxConnections: Int = 512, maxConnectionsPerUser: Int = 32,
        idleTimeout: TimeAmount = .seconds(300), messageDeadline: TimeAmount = .seconds(10)
    ) {
        self.maxMessageBytes = maxMessageBytes
        self.maxConnections = maxConnections
        self.maxConnectionsPerUser = maxConnectionsPerUser
        self.idleTimeout = idleTimeout
        self.messageDeadline = messageDeadline
    }
}

/// Where the server listens: a path it binds itself (mode 0660), or a socket systemd passed in.
public enum VarlinkListenAddress: Sendable {
    /// A path bound here, mode 0660, owned by `group` when given (so its members may connect).
    case path(String, group: UInt32?)
    case descriptor(Int32)
}

/// The varlink server on SwiftNIO: NUL-framed JSON over a Unix stream socket, each connection's
/// calls answered in order by a `VarlinkConnectionHandler` on its event loop, the caller known by
/// SO_PEERCRED.
public final class VarlinkServer: Sendable {
    let service: VarlinkService
    let limits: VarlinkLimits
    let logger: Logger
    let group: MultiThreadedEventLoopGroup
    let active = Atomic<Int>(0)
    /// Open connections per uid, for `maxConnectionsPerUser`.
    let perUser = Mutex<[UInt32: Int]>([:])
    /// Told of each connection refused by a limit (uid and reason), so it reaches the rate-limited security log.
    let onRefused: @Sendable (UInt32, String) -> Void
    let listening = Mutex<Channel?>(nil)
    let stopping = Atomic<Bool>(false)
    /// One task executor per event loop, made on first use.
    let executors = Mutex<[EventLoopTaskExecutor]>([])
    /// The connections open now, to close them when stopping.
    let open = Mutex<[ObjectIdentifier: OpenConnection]>([:])
    /// How long calls in flight may take to finish after `shutdown`.
    let grace: Duration = .seconds(10)

    public init(
        service: VarlinkService, limits: VarlinkLimits = VarlinkLimits(), logger: Logger,
        group: MultiThreadedEventLoopGroup = .singleton,
        onRefused: @escaping @Sendable (UInt32, String) -> Void = { _, _ in }
    ) {
        self.onRefused = onRefused
        self.service = service
        self.limits = limits
        self.logger = logger
        self.group = group
    }

    /// Connections open now.
    public var connections: Int { active.load(ordering: .relaxed) }

    /// Listens, calls `onListening` once the socket accepts, and serves until the task is cancelled;
    /// then stops accepting and lets calls in flight finish.
    public func run(_ address: VarlinkListenAddress, onListening: @Sendable () async -> Void) async throws {
        let max = limits.maxMessageBytes
        let idle = limits.idleTimeout
        let deadline = limits.messageDeadline
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            // Each connection's handler asks for its reads (see `VarlinkConnectionHandler`).
            .childChannelOption(.autoRead, value: false)
        let initializer: @Sendable (Channel) -> EventLoopFuture<(Channel, PeerCredentials)> = { channel in
            let creds: EventLoopFuture<UCred> = (channel as! SocketOptionProvider).unsafeGetSocketOption(
                level: .socket, name: NIOBSDSocket.Option(rawValue: SO_PEERCRED))
            return creds.flatMapThrowing { c in
                try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idle))
                try channel.pipeline.syncOperations.addHandler(CloseOnIdleHandler())
                try channel.pipeline.syncOperations.addHandler(MessageDeadlineHandler(deadline: deadline))
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(NULFrameDecoder(maxBytes: max)))
                return (channel, PeerCredentials(pid: c.pid, uid: c.uid, gid: c.gid))
            }
        }
        let server: NIOAsyncChannel<(Channel, PeerCredentials), Never>
        switch address {
        case .path(let path, let group):
            server = try await bootstrap.bind(
                unixDomainSocketPath: path, cleanupExistingSocketFile: true, childChannelInitializer: initializer)
            chmod(path, 0o660)
            if let group { chown(path, UInt32.max, group) }
        case .descriptor(let fd):
            server = try await bootstrap.bind(fd, childChannelInitializer: initializer)
        }
        listening.withLock { $0 = server.channel }
        if stopping.load(ordering: .relaxed) { server.channel.close(promise: nil) }
        await onListening()
        try await withTaskCancellationHandler {
            do {
                try await server.executeThenClose { inbound in
                    for try await (connection, peer) in inbound {
                        if stopping.load(ordering: .relaxed) {
                            try? await connection.close()
                            continue
                        }
                        if let refusal = admit(peer.uid) {
                            onRefused(peer.uid, refusal)
                            try? await connection.close()
                            continue
                        }
                        serve(connection, peer: peer)
                    }
                }
                // Stopped accepting: idle connections close now, calls in flight get `grace` to finish.
                closeIdleConnections()
                let end = ContinuousClock.now + grace
                while active.load(ordering: .relaxed) > 0 {
                    guard ContinuousClock.now < end else { throw GraceExpired() }
                    try await Task.sleep(for: .milliseconds(50))
                }
            } catch is GraceExpired {
                logger.warning("stopped with connections still open after the grace period")
                open.withLock { handlers in handlers.values.forEach { $0.channel.close(promise: nil) } }
            }
        } onCancel: {
            stopping.store(true, ordering: .relaxed)
            server.channel.close(promise: nil)
        }
    }

    /// Answers a connection's calls with a `VarlinkConnectionHandler` on its event loop; its slot
    /// is freed when it closes.
    func serve(_ connection: Channel, peer: PeerCredentials) {
        // On the connection's own event loop: no thread hop per call.
        let executor = executors.withLock { known in
            if let e = known.first(where: { $0.loop === connection.eventLoop }) { return e }
            let e = EventLoopTaskExecutor(connection.eventLoop)
            known.append(e)
            return e
        }
        let handler = VarlinkConnectionHandler(
            service: service, peer: peer, executor: executor, logger: logger,
            stopping: { self.stopping.load(ordering: .relaxed) })
        let key = ObjectIdentifier(connection)
        open.withLock { $0[key] = OpenConnection(channel: connection, handler: handler) }
        connection.closeFuture.whenComplete { _ in
            self.open.withLock { _ = $0.removeValue(forKey: key) }
            self.release(peer.uid)
        }
        connection.pipeline.addHandler(handler).whenFailure { _ in connection.close(promise: nil) }
    }

    /// Closes every connection not in the middle of a call (the others close after it).
    func closeIdleConnections() {
        open.withLock { connections in
            for connection in connections.values {
                connection.channel.eventLoop.execute { connection.handler.closeIfIdle() }
            }
        }
    }

    /// Counts a new connection of `uid` in, or says which limit refuses it.
    func admit(_ uid: UInt32) -> String? {
        perUser.withLock { counts in
            if active.load(ordering: .relaxed) >= limits.maxConnections {
                return "too many connections (\(limits.maxConnections) in all)"
            }
            if counts[uid, default: 0] >= limits.maxConnectionsPerUser {
                return "too many connections from this user (\(limits.maxConnectionsPerUser))"
            }
            counts[uid, default: 0] += 1
            active.add(1, ordering: .relaxed)
            return nil
        }
    }

    func release(_ uid: UInt32) {
        perUser.withLock { counts in
            let left = counts[uid, default: 1] - 1
            counts[uid] = left > 0 ? left : nil
            active.subtract(1, ordering: .relaxed)
        }
    }

    /// Stops accepting; connections close after the call they are in (idle ones at once).
    public func shutdown() {
        stopping.store(true, ordering: .relaxed)
        listening.withLock { $0?.close(promise: nil) }
        closeIdleConnections()
    }
}

/// An open connection and the handler answering it.
struct OpenConnection: Sendable {
    let channel: Channel
    let handler: VarlinkConnectionHandler
}

struct GraceExpired: Error {}

/// Linux `struct ucred` (pid_t, uid_t, gid_t), which Glibc hides behind _GNU_SOURCE.
struct UCred: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// Splits the stream at NUL bytes; a message longer than the limit is an error (the connection closes).
struct NULFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    let maxBytes: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        switch NULFramer.next(in: buffer.readableBytesView, maxBytes: maxBytes) {
        case .frame(let length):
            let frame = buffer.readSlice(length: length)!
            buffer.moveReaderIndex(forwardBy: 1)
            context.fireChannelRead(Self.wrapInboundOut(frame))
            return .continue
        case .needMoreData:
            return .needMoreData
        case .tooLarge:
            throw VarlinkError("org.bangfu.MessageTooLarge")
        }
    }
}

/// Closes a connection that stayed idle past the limit.
final class CloseOnIdleHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

/// Closes a connection whose message, once begun, is not complete within the deadline: a sender
/// that trickles a byte at a time cannot hold its connection slot by keeping the idle timer busy.
final class MessageDeadlineHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    let deadline: TimeAmount
    /// The close scheduled for the message in progress; touched only on the channel's event loop.
    private var pending: Scheduled<Void>?

    init(deadline: TimeAmount) { self.deadline = deadline }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Self.unwrapInboundIn(data)
        let view = bytes.readableBytesView
        if let lastNUL = view.lastIndex(of: 0) {
            // A message ended here; whatever follows the last NUL starts the next one afresh.
            pending?.cancel()
            pending = nil
            if lastNUL < view.index(before: view.endIndex) { arm(context) }
        } else if pending == nil, !view.isEmpty {
            arm(context)
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        pending?.cancel()
        pending = nil
        context.fireChannelInactive()
    }

    private func arm(_ context: ChannelHandlerContext) {
        let channel = context.channel
        pending = context.eventLoop.scheduleTask(in: deadline) { channel.close(promise: nil) }
    }
}
