import CBenchSupport
import Foundation
import Histogram

/// Case reads driven from C threads (`bangfu_read_load`), a connection each: a load client whose
/// own cost is small beside the server's, on a machine both share.
public enum ReadLoad {
    /// What one run measured.
    public struct Figures: Sendable {
        public var requests: Int
        public var seconds: Double
        public var latency: Histogram<UInt64>
        public var errors: [String]
    }

    /// The `Cases.Get` message for a case, as any varlink client sends it.
    public static func caseGet(_ caseNo: String) -> String {
        #"{"method":"org.bangfu.Cases.Get","parameters":{"caseNo":"\#(caseNo)"}}"#
    }

    /// `requests` calls over `clients` connections made as `uid`, each a read of a case drawn from
    /// `caseNumbers` (in a shuffled order fixed by the seed, so two servers get the same calls).
    public static func run(
        socket: String, uid: UInt32, gid: UInt32, clients: Int, requests: Int, caseNumbers: [String]
    ) throws -> Figures {
        guard !caseNumbers.isEmpty, clients >= 1, requests >= clients else {
            throw LoadError("a read load needs cases, a client and at least one request per client")
        }
        var generator = SeededGenerator(seed: 17)
        let messages = (0..<min(requests, 8192)).map { _ in
            strdup(caseGet(caseNumbers[Int(generator.next() % UInt64(caseNumbers.count))]))
        }
        defer { messages.forEach { free($0) } }
        var latencies = [UInt32](repeating: 0, count: requests)
        var result = bangfu_read_load_result()
        let status = latencies.withUnsafeMutableBufferPointer { buffer in
            result.latencies = buffer.baseAddress
            return messages.map { UnsafePointer($0) }.withUnsafeBufferPointer { pointers in
                bangfu_read_load(
                    socket, uid, gid, Int32(clients), requests, pointers.baseAddress, pointers.count, &result)
            }
        }
        guard status == 0 else {
            throw LoadError("the read load could not start: \(String(cString: strerror(-status)))")
        }
        var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        for micros in latencies { histogram.record(UInt64(micros)) }
        let failure = withUnsafeBytes(of: result.failure) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return Figures(
            requests: requests, seconds: result.seconds, latency: histogram,
            errors: result.errors == 0 ? [] : ["\(result.errors) calls failed; the first: \(failure)"])
    }

    /// One call's whole reply, as `uid` sees it (for checking that two servers answer the same bytes).
    public static func reply(socket: String, uid: UInt32, gid: UInt32, message: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: 1 << 20)
        let length = bangfu_call_once(socket, uid, gid, message, &buffer, buffer.count)
        guard length >= 0 else {
            throw LoadError("call to \(socket) failed: \(String(cString: strerror(Int32(-length))))")
        }
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// SplitMix64: the same sequence on every run, so the servers compared read the same cases in the same order.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// The floor server (`bangfu-read-floor`, C) on a database: the same reply to a case read,
/// without bangfud's work around it.
public final class ReadFloor {
    public let process = Process()
    public let socket: String

    /// Starts the floor on `database` (bangfud stopped or not: it only reads), under `launcher` when
    /// given (valgrind), and returns once it accepts, its socket (mode 0600) handed to `owner`, the
    /// uid the load reads as.
    public init(binary: String, socket: String, database: String, owner: UInt32, launcher: [String] = []) throws {
        self.socket = socket
        process.executableURL = URL(fileURLWithPath: launcher.first ?? binary)
        process.arguments = launcher.dropFirst() + (launcher.isEmpty ? [] : [binary]) + [socket, database]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let line = output.fileHandleForReading.readData(ofLength: 6)
        guard String(decoding: line, as: UTF8.self) == "ready\n", chown(socket, owner, UInt32.max) == 0 else {
            process.terminate()
            throw LoadError("\(binary) did not start on \(database)")
        }
    }

    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// A process's figures from /proc.
public enum ProcessFigures {
    /// CPU seconds the process has used, in user space and in the kernel on its behalf.
    public static func cpuTimes(pid: Int32) -> (user: Double, system: Double) {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = s.lastIndex(of: ")")
        else { return (-1, -1) }
        let fields = s[s.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based over the whole line).
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return (-1, -1) }
        let tick = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (user / tick, system / tick)
    }

    /// CPU seconds the process has used (user + system).
    public static func cpuSeconds(pid: Int32) -> Double {
        let times = cpuTimes(pid: pid)
        return times.user + times.system
    }
}
