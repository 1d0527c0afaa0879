import BangfuVarlink
import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// A real bangfud started for a load: its own state dir and socket, the manual clock, and a
/// notification socket of our own so the time to READY=1 is measured the way systemd sees it.
public final class DaemonProcess {
    /// The bangfud process (for its pid, and for kills in the durability tests).
    public let process = Process()
    /// Its control socket, inside `stateDir`.
    public let socket: String
    /// Its state directory: the database, the socket, its log.
    public let stateDir: String
    /// Seconds from spawn to READY=1.
    public private(set) var readySeconds: Double = 0
    let notifyFD: Int32
    let notifyPath: String

    /// Starts bangfud (under `launcher` when given, e.g. valgrind) and returns once it sent READY=1
    /// (or throws with its log).
    public init(
        bangfud: String, config: String, stateDir: String, pluginDir: String, socketGroup: UInt32,
        clock: String = "manual:2027-02-04T09:00", log: String, launcher: [String] = []
    ) throws {
        self.stateDir = stateDir
        socket = stateDir + "/control.sock"
        notifyPath = stateDir + "/notify.sock"
        unlink(notifyPath)
        notifyFD = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            let bytes = Array(notifyPath.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(notifyFD, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard rc == 0 else {
            throw LoadError("cannot bind the notification socket \(notifyPath): \(String(cString: strerror(errno)))")
        }
        // A launcher (valgrind) runs bangfud as its first argument; READY=1 still comes from bangfud.
        process.executableURL = URL(fileURLWithPath: launcher.first ?? bangfud)
        process.arguments =
            launcher.dropFirst() + (launcher.isEmpty ? [] : [bangfud]) + [
                "--config", config, "--state-dir", stateDir, "--socket", socket, "--socket-group", String(socketGroup),
                "--plugin-dir", pluginDir, "--log-target", "stderr", "--log-level", "warning", "--clock", clock,
            ]
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = notifyPath
        process.environment = env
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardError = handle
        process.standardOutput = handle
        let t0 = DispatchTime.now().uptimeNanoseconds
        try process.run()
        var tv = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(notifyFD, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var buf = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<300 {
            let n = recv(notifyFD, &buf, buf.count, 0)
            if n > 0, String(decoding: buf[0..<n], as: UTF8.self).split(separator: "\n").contains("READY=1") {
                readySeconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                return
            }
            guard process.isRunning else { break }
        }
        if process.isRunning { process.terminate() }
        throw LoadError("bangfud did not send READY=1: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }

    deinit {
        stop()
        close(notifyFD)
        unlink(notifyPath)
    }

    /// Resident memory now, at its peak, and the private (anonymous) part of it, in MiB, from /proc.
    /// The rest of the resident set is the pages of the binary and shared libraries it has touched.
    public func memory() -> (rss: Double, peak: Double, anonymous: Double) {
        guard let s = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8) else {
            return (-1, -1, -1)
        }
        func kib(_ key: String) -> Double {
            guard let line = s.split(separator: "\n").first(where: { $0.hasPrefix(key) }),
                let v = Double(line.split(separator: " ").dropFirst().first ?? "")
            else { return -1 }
            return v / 1024
        }
        return (kib("VmRSS:"), kib("VmHWM:"), kib("RssAnon:"))
    }

    /// CPU seconds bangfud has used so far (user + system), from /proc: what a call costs the daemon
    /// itself, apart from the clients sharing the machine.
    public func cpuSeconds() -> Double { ProcessFigures.cpuSeconds(pid: process.processIdentifier) }

    /// A call as root (admin): the clock, status.
    public func admin(_ method: String, _ params: [String: JSONValue] = [:]) throws -> [String: JSONValue] {
        try VarlinkClient(path: socket).call(method, params).last ?? [:]
    }

    /// SIGTERM and wait.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
