import BangfuVarlink
import Foundation
import Synchronization
import Testing

/// Collects sd_notify datagrams on a socket of our own (what systemd would receive).
final class NotifyListener: @unchecked Sendable {
    let path: String
    let fd: Int32
    let messages = Mutex<[String]>([])

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in raw.copyBytes(from: Array(path.utf8) + [0]) }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard rc == 0 else { throw DaemonTestError("cannot bind \(path)") }
        var tv = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let t = Thread { [self] in
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = recv(fd, &buf, buf.count, 0)
                if n > 0 {
                    let m = String(decoding: buf[0..<n], as: UTF8.self)
                    messages.withLock { $0.append(m) }
                }
                if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { return }
            }
        }
        t.start()
    }

    deinit {
        close(fd)
        unlink(path)
    }

    var all: [String] { messages.withLock { $0 } }

    /// Waits until a message contains `text`.
    func wait(for text: String, seconds: Double = 10) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if all.contains(where: { $0.contains(text) }) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }
}

@Suite(.serialized) struct SystemdTests {
    typealias D = LiveDaemon

    @Test func socketActivationAndNotifications() throws {
        let dir = URL(fileURLWithPath: "/tmp").appendingPathComponent("bangfud-sa-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try LiveDaemon.yaml.write(
            toFile: dir.appendingPathComponent("bangfu.yaml").path, atomically: true, encoding: .utf8)
        let notify = try NotifyListener(path: dir.appendingPathComponent("notify.sock").path)
        let sock = dir.appendingPathComponent("control.sock").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-socket-activate")
        p.arguments = [
            "-l", sock, "--fdname=control", "-E", "NOTIFY_SOCKET=\(notify.path)", "-E", "WATCHDOG_USEC=1000000",
            D.bin + "/bangfud", "--config", dir.appendingPathComponent("bangfu.yaml").path, "--state-dir", dir.path,
            "--plugin-dir", D.bin, "--log-target", "stderr", "--clock", "manual:2027-02-04T09:00",
        ]
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: sock) { Thread.sleep(forTimeInterval: 0.05) }
        #expect(notify.all.isEmpty, "nothing runs before the first connection")
        // The first connection starts the daemon; its answer comes after READY=1.
        let info = try VarlinkClient(path: sock, timeoutSeconds: 30).call("org.varlink.service.GetInfo")
        #expect(info.first?["product"]?.stringValue == "bangfud")
        let ready = notify.all.firstIndex { $0.contains("READY=1") }
        #expect(ready != nil, "READY=1 before the first reply: \(notify.all)")
        #expect(notify.all.contains { $0.contains("STATUS=") && $0.contains("fd 3") })
        #expect(notify.wait(for: "WATCHDOG=1", seconds: 5), "watchdog pings at half of WATCHDOG_USEC")
        // SIGHUP: RELOADING=1, then READY=1 again.
        let before = notify.all.count
        kill(p.processIdentifier, SIGHUP)
        #expect(notify.wait(for: "RELOADING=1"))
        let end = Date().addingTimeInterval(10)
        while Date() < end && !notify.all.dropFirst(before).contains(where: { $0.contains("READY=1") }) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(notify.all.dropFirst(before).contains { $0.contains("READY=1") })
        // SIGTERM: STOPPING=1 and a clean exit.
        p.terminate()
        p.waitUntilExit()
        #expect(notify.all.contains { $0.contains("STOPPING=1") })
        #expect(p.terminationStatus == 0)
    }

    @Test func aBadConfigurationOnReloadKeepsTheOldOne() throws {
        let d = try LiveDaemon()
        try "notice:\n  working_days: 0\n".write(toFile: d.configPath, atomically: true, encoding: .utf8)
        kill(d.process!.processIdentifier, SIGHUP)
        #expect(D.waitUntil { d.log().contains("notice.working_days") && d.log().contains("old one stays") })
        // Still serving with the old rules (units and grants still there).
        #expect(try d.ctlJSON(D.au, ["status"])["plugins"]?.int == 9)
        let (code, _, err) = try d.ctl(nil, ["reload"])
        #expect(code == 1 && err.contains("working_days"))
    }

    @Test func unitFilesVerifyAndScoreSafe() throws {
        let dir = URL(fileURLWithPath: "/tmp").appendingPathComponent("bangfu-units-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let service = try String(
            contentsOfFile: D.root.appendingPathComponent("systemd/bangfud.service").path, encoding: .utf8
        )
        .replacingOccurrences(of: "/usr/bin/bangfud", with: D.bin + "/bangfud")
        try service.write(to: dir.appendingPathComponent("bangfud.service"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            at: D.root.appendingPathComponent("systemd/bangfud.socket"),
            to: dir.appendingPathComponent("bangfud.socket"))
        let (vc, vout, verr) = try LiveDaemon.run(
            ["/usr/bin/systemd-analyze"],
            [
                "verify", dir.appendingPathComponent("bangfud.socket").path,
                dir.appendingPathComponent("bangfud.service").path,
            ])
        #expect(vc == 0 && verr.isEmpty, "systemd-analyze verify: \(vout) \(verr)")
        let (_, sout, _) = try LiveDaemon.run(
            ["/usr/bin/systemd-analyze"],
            ["security", "--offline=true", dir.appendingPathComponent("bangfud.service").path])
        let line = sout.split(separator: "\n").first { $0.contains("Overall exposure level") } ?? ""
        let score = Double(line.split(separator: ":").last?.split(separator: " ").first ?? "") ?? 99
        #expect(score <= 2.0, "exposure \(score): \(line)")
        #expect(
            !service.split(separator: "\n").contains { $0.hasPrefix("PrivateUsers=") },
            "PrivateUsers would map every caller to one uid")
    }
}

/// A real systemd as PID 1 in systemd-nspawn (scripts/test-nspawn.sh does the orchestration).
@Suite struct NspawnTests {
    @Test(.timeLimit(.minutes(10))) func realSystemdAsPID1() throws {
        let (code, out, err) = try LiveDaemon.run(
            ["/bin/bash"], [LiveDaemon.root.appendingPathComponent("scripts/test-nspawn.sh").path, LiveDaemon.bin])
        #expect(
            code == 0,
            "\(out)\n\(err.split(separator: "\n").filter { !$0.contains("thread priority") }.suffix(40).joined(separator: "\n"))"
        )
        for step in [
            "socket activation and READY: ok", "journald fields", "watchdog restart", "a crashing help type", "all ok",
        ] {
            #expect(out.contains(step), "missing: \(step)")
        }
    }
}
