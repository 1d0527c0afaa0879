import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A small blocking varlink client over a Unix socket, for command-line tools and tests.
public final class VarlinkClient {
    let fd: Int32
    var pending = Data()
    /// One receive buffer for the client's life: a read-heavy load should not allocate per message.
    var buffer = [UInt8](repeating: 0, count: 65536)

    /// Connects; the error says which path and why.
    public init(path: String, timeoutSeconds: Int = 60) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw VarlinkClientError.connect(path, String(cString: strerror(errno)), code: errno) }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            close(fd)
            throw VarlinkClientError.connect(path, "path too long", code: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard rc == 0 else {
            let code = errno
            close(fd)
            throw VarlinkClientError.connect(path, String(cString: strerror(code)), code: code)
        }
    }

    /// Takes over a socket already connected (e.g. by a load generator connecting as another uid).
    public init(connectedSocket fd: Int32, timeoutSeconds: Int = 60) {
        self.fd = fd
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Calls a method; returns every reply (several for `more`). An error reply throws `VarlinkError`.
    public func call(_ method: String, _ parameters: [String: JSONValue] = [:], more: Bool = false) throws -> [[String:
        JSONValue]]
    {
        var bytes = VarlinkCall(method: method, parameters: parameters, more: more ? true : nil).jsonBytes
        bytes.append(0)
        try send(Data(bytes))
        var out: [[String: JSONValue]] = []
        while true {
            let reply = try VarlinkReply(parsing: try receive())
            if let e = reply.error { throw VarlinkError(e, reply.parameters ?? [:]) }
            out.append(reply.parameters ?? [:])
            if reply.continues != true { return out }
        }
    }

    /// Calls a method and decodes its one reply.
    public func call<T: Decodable>(_ method: String, _ parameters: [String: JSONValue] = [:], as type: T.Type) throws
        -> T
    {
        try JSONValue.object(call(method, parameters).last ?? [:]).decode(type)
    }

    /// Sends raw bytes (tests send malformed frames this way).
    public func send(_ data: Data) throws {
        try data.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + off, raw.count - off, Int32(MSG_NOSIGNAL))
                guard n > 0 else { throw VarlinkClientError.io(String(cString: strerror(errno))) }
                off += n
            }
        }
    }

    /// Reads one NUL-terminated message.
    public func receive() throws -> Data {
        while true {
            if let i = pending.firstIndex(of: 0) {
                let msg = pending[pending.startIndex..<i]
                pending = Data(pending[(i + 1)...])
                return Data(msg)
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { throw VarlinkClientError.closed }
            guard n > 0 else { throw VarlinkClientError.io(String(cString: strerror(errno))) }
            pending.append(contentsOf: buffer[0..<n])
        }
    }
}

/// Transport failures of the client (as opposed to error replies).
public enum VarlinkClientError: Error, CustomStringConvertible {
    /// The path, the system's reason and its errno (for a message in the user's language).
    case connect(String, String, code: Int32)
    case io(String)
    case closed

    public var description: String {
        switch self {
        case .connect(let p, let why, _): return "cannot connect to \(p): \(why)"
        case .io(let why): return "socket error: \(why)"
        case .closed: return "the daemon closed the connection"
        }
    }
}
