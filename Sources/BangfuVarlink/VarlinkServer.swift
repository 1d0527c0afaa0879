import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Limits that keep a misbehaving client from hurting the daemon.
public struct VarlinkLimits: Sendable {
    /// Largest message, in bytes, before its NUL; a longer one closes the connection.
    public var maxMessageBytes: Int
    public var maxConnections: Int
    /// A connection with no message for this long is closed.
    public var idleTimeout: TimeAmount

    public init(maxMessageBytes: Int = 1 << 20, maxConnections: Int = 512, idleTimeout: TimeAmount = .seconds(300)) {
        self.maxMessageBytes = maxMessageBytes; self.maxConnections = maxConnections; self.idleTimeout = idleTimeout
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
    let listening = Mutex<Channel?>(nil)
    let stopping = Atomic<Bool>(false)
    /// One task executor per event loop, made on first use.
    let executors = Mutex<[EventLoopTaskExecutor]>([])
    /// How long calls in flight may take to finish after `shutdown`.
    let grace: Duration = .seconds(10)

    public init(service: VarlinkService, limits: VarlinkLimits = VarlinkLimits(), logger: Logger,
                group: MultiThreadedEventLoopGroup = .singleton) {
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
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
        let initializer: @Sendable (Channel) -> EventLoopFuture<(NIOAsyncChannel<ByteBuffer, ByteBuffer>, PeerCredentials)> = { channel in
            let creds: EventLoopFuture<UCred> = (channel as! SocketOptionProvider).unsafeGetSocketOption(
                level: .socket, name: NIOBSDSocket.Option(rawValue: SO_PEERCRED))
            return creds.flatMapThrowing { c in
                try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idle))
                try channel.pipeline.syncOperations.addHandler(CloseOnIdleHandler())
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(NULFrameDecoder(maxBytes: max)))
                let async = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                return (async, PeerCredentials(pid: c.pid, uid: c.uid, gid: c.gid))
            }
        }
        let server: NIOAsyncChannel<(NIOAsyncChannel<ByteBuffer, ByteBuffer>, PeerCredentials), Never>
        switch address {
        case .path(let path, let group):
            server = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true, childChannelInitializer: initializer)
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
                        if active.load(ordering: .relaxed) >= limits.maxConnections {
                            logger.warning("connection refused: too many connections", metadata: ["UID": "\(peer.uid)"])
                            try? await connection.channel.close()
                            continue
                        }
                        active.add(1, ordering: .relaxed)
                        // On the connection's own event loop: no thread hop per call.
                        let executor = executors.withLock { known in
                            if let e = known.first(where: { $0.loop === connection.channel.eventLoop }) { return e }
                            let e = EventLoopTaskExecutor(connection.channel.eventLoop)
                            known.append(e)
                            return e
                        }
                        tasks.addTask(executorPreference: executor) {
                            defer { self.active.subtract(1, ordering: .relaxed) }
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
                        try await outbound.write(Self.frame(VarlinkReply(parameters: ["parameter": .string("message is not a varlink call")],
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
