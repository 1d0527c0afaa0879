import Logging
import NIOCore

/// Answers one connection's calls in order, one at a time, on the connection's event loop: a
/// frame in, the service's replies out.
///
/// Held back both ways, so a client costs at most one read's frames and one write buffer:
/// - the socket is read while a call runs only when nothing else waits (at most one read's frames
///   queued beside the call in progress). Keeping the read asked for across a call saves the two
///   `epoll_ctl` a call cost when reading stopped and started again around each one.
/// - no call starts while the channel is not writable (its replies above NIO's high-water mark):
///   a client that sends calls and never reads the replies is held back by the kernel, not
///   answered into memory without end. Writability coming back starts the next call.
///
/// A plain handler instead of `NIOAsyncChannel`: the async channel's stream and writer cost a
/// tenth of a case read's instructions (callgrind), for an order and a backpressure that one
/// queue and an explicit `read()` give here.
final class VarlinkConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let service: VarlinkService
    let peer: PeerCredentials
    let executor: EventLoopTaskExecutor
    let logger: Logger
    /// Whether the server is stopping: the connection closes after the call it is in.
    let stopping: @Sendable () -> Bool

    // Touched on the channel's event loop only.
    private var context: ChannelHandlerContext?
    private var pending = CircularBuffer<ByteBuffer>()
    private var busy = false

    init(
        service: VarlinkService, peer: PeerCredentials, executor: EventLoopTaskExecutor, logger: Logger,
        stopping: @escaping @Sendable () -> Bool
    ) {
        self.service = service
        self.peer = peer
        self.executor = executor
        self.logger = logger
        self.stopping = stopping
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // Reads are asked for one batch at a time (the channel does not read on its own).
        context.read()
    }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending.append(Self.unwrapInboundIn(data))
        if !busy { answerNext() }
    }

    /// A batch read ended: when it left nothing queued (part of a message, or only the call now
    /// running), more is asked for, as the channel does not read on its own.
    func channelReadComplete(context: ChannelHandlerContext) {
        if pending.isEmpty && context.channel.isWritable { context.read() }
    }

    /// The client read its replies: the calls held back while it did not may go on.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable && !busy { answerNext() }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.debug("connection ended: \(error)")
        context.close(promise: nil)
    }

    /// Closes the connection now if no call is in progress; else it closes after that call.
    func closeIfIdle() {
        if !busy { context?.close(promise: nil) }
    }

    /// Starts the next call read, or asks for more bytes when none is waiting; neither while the
    /// replies already written wait for the client (`channelWritabilityChanged` resumes).
    private func answerNext() {
        guard let context, context.channel.isWritable else { return }
        guard let frame = pending.popFirst() else {
            context.read()
            return
        }
        let call: VarlinkCall
        do {
            call = try VarlinkCall(parsing: frame.readableBytesView)
        } catch {
            // Not a varlink call: say so once and close, the stream cannot be trusted.
            let refusal = VarlinkReply(
                parameters: ["parameter": .string("message is not a varlink call")],
                error: "org.varlink.service.InvalidParameter")
            context.writeAndFlush(Self.wrapOutboundOut(Self.frame(refusal)), promise: nil)
            context.close(promise: nil)
            return
        }
        busy = true
        let request = VarlinkRequest(call: call, peer: peer)
        let loop = context.eventLoop
        // On the event loop's own executor: the call runs on this thread unless it awaits the writer.
        Task(executorPreference: executor) { [service] in
            let replies = await service.handle(request)
            if loop.inEventLoop {
                self.finish(replies, oneway: call.oneway == true)
            } else {
                loop.execute { self.finish(replies, oneway: call.oneway == true) }
            }
        }
    }

    private func finish(_ replies: [VarlinkReply], oneway: Bool) {
        busy = false
        guard let context else { return }
        if !oneway {
            for reply in replies { context.write(Self.wrapOutboundOut(Self.frame(reply)), promise: nil) }
            context.flush()
        }
        if stopping() {
            context.close(promise: nil)
            return
        }
        answerNext()
    }

    static func frame(_ reply: VarlinkReply) -> ByteBuffer {
        var bytes = reply.jsonBytes
        bytes.append(0)
        return ByteBuffer(bytes: bytes)
    }
}
