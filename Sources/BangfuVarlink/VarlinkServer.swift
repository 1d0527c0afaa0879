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

/// The varlink server on SwiftNIO: NUL-framed JSON over a Unix stream socket, one task per
/// connection answering calls in order, the caller known by SO_PEERCRED.
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
        let initializer:
            @Sendable (Channel) -> EventLoopFuture<(NIOAsyncChannel<ByteBuffer, ByteBuffer>, PeerCredentials)> = {
                channel in
                let creds: EventLoopFuture<UCred> = (channel as! SocketOptionProvider).unsafeGetSocketOption(
                    level: .socket, name: NIOBSDSocket.Option(rawValue: SO_PEERCRED))
                return creds.flatMapThrowing { c in
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idle))
                    try channel.pipeline.syncOperations.addHandler(CloseOnIdleHandler())
                    try channel.pipeline.syncOperations.addHandler(MessageDeadlineHandler(deadline: deadline))
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(NULFrameDecoder(maxBytes: max)))
                    let async = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    return (async, PeerCredentials(pid: c.pid, uid: c.uid, gid: c.gid))
                }
            }
        let server: NIOAsyncChannel<(NIOAsyncChannel<ByteBuffer, ByteBuffer>, PeerCredentials), Never>
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
                try await withThrowingDiscardingTaskGroup { tasks in
                    try await server.executeThenClose { inbound in
                        for try await (connection, peer) in inbound {
                            if stopping.load(ordering: .relaxed) {
                                try? await connection.channel.close()
                                continue
                            }
                            if let refusal = admit(peer.uid) {
                                onRefused(peer.uid, refusal)
                                try? await connection.channel.close()
                                continue
                            }
                            // On the connection's own event loop: no thread hop per call.
                            let executor = executors.withLock { known in
                                if let e = known.first(where: { $0.loop === connection.channel.eventLoop }) { return e }
                                let e = EventLoopTaskExecutor(connection.channel.eventLoop)
                                known.append(e)
                                return e
                            }
                            tasks.addTask(executorPreference: executor) {
                                defer { self.release(peer.uid) }
                                await self.serve(connection, peer: peer)
                            }
                        }
                    }
                    // Stopped accepting: calls in flight get `grace` to finish, then the rest is cancelled.
                    let grace = self.grace
                    tasks.addTask {
                        let end = ContinuousClock.now + grace
                        while self.active.load(ordering: .relaxed) > 0 {
                            guard ContinuousClock.now < end else { throw GraceExpired() }
                            try await Task.sleep(for: .milliseconds(50))
                        }
                    }
                }
            } catch is GraceExpired {
                logger.warning("stopped with connections still open after the grace period")
            }
        } onCancel: {
            server.channel.close(promise: nil)
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
    }

    /// Answers the calls of one connection in order until it closes.
    func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, peer: PeerCredentials) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                for try await frame in inbound {
                    let call: VarlinkCall
                    do {
                        call = try VarlinkCall(parsing: frame.readableBytesView)
                    } catch {
                        // Not a varlink call: say so once and close, the stream cannot be trusted.
                        try await outbound.write(
                            Self.frame(
                                VarlinkReply(
                                    parameters: ["parameter": .string("message is not a varlink call")],
                                    error: "org.varlink.service.InvalidParameter")))
                        return
                    }
                    let replies = await service.handle(VarlinkRequest(call: call, peer: peer))
                    if call.oneway != true {
                        for r in replies { try await outbound.write(Self.frame(r)) }
                    }
                    if stopping.load(ordering: .relaxed) { return }
                }
            }
        } catch {
            logger.debug("connection ended: \(error)")
        }
    }

    static func frame(_ reply: VarlinkReply) throws -> ByteBuffer {
        var bytes = reply.jsonBytes
        bytes.append(0)
        return ByteBuffer(bytes: bytes)
    }
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
