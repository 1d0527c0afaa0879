/// Varlink's framing: each message ends with a NUL byte. Pure, so the server's decoder and the
/// fuzzer run the same code.
public enum NULFramer {
    public enum Step: Equatable, Sendable {
        /// A whole message of this many bytes is at the front (the NUL follows it).
        case frame(Int)
        case needMoreData
        /// More than the limit arrived without a NUL: the connection must close.
        case tooLarge
    }

    /// What the bytes at the front of `buffer` hold.
    public static func next<C: Collection>(in buffer: C, maxBytes: Int) -> Step where C.Element == UInt8 {
        if let i = buffer.firstIndex(of: 0) {
            let length = buffer.distance(from: buffer.startIndex, to: i)
            return length <= maxBytes ? .frame(length) : .tooLarge
        }
        return buffer.count > maxBytes ? .tooLarge : .needMoreData
    }
}
