import BangfuLoad
import BangfuVarlink
import Foundation
import Testing

/// The real bangfud binary on a temp socket and state dir, with the manual clock; and bangfuctl
/// run as other uids with setpriv. Test uids need no accounts: grants name them `uid:N`.
final class LiveDaemon: @unchecked Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static var bin: String {
        ProcessInfo.processInfo.environment["BANGFU_BIN_DIR"] ?? root.appendingPathComponent(".build/debug").path
    }
    /// The PyPI varlink client's Python, where the test uids can run it (see `OtherUsers`).
    static var python: String {
        ProcessInfo.processInfo.environment["BANGFU_PYTHON"]
            ?? OtherUsers.reachable(root.appendingPathComponent(".build/pyvenv").path) + "/bin/python"
    }
    /// bangfuctl where the test uids can run it, even from a checkout they cannot enter.
    static var ctlForOthers: String { OtherUsers.reachable(bin + "/bangfuctl") }
    /// bangfu-render likewise; bangfuctl finds it through BANGFU_RENDER.
    static var renderForOthers: String { OtherUsers.reachable(bin + "/bangfu-render") }

    /// Test principals: caseworker, reviewer, approver, treasurer, auditor, nobody; the group may use the socket.
    static let cw: UInt32 = 61001, rv: UInt32 = 61002, ap: UInt32 = 61003, tr: UInt32 = 61004, au: UInt32 = 61005,
        nobody: UInt32 = 61009
    static let helper: UInt32 = 61006, helper2: UInt32 = 61007
    static let gid: UInt32 = 61000

    /// The load generator's configuration (same uids and units) with two helpers added.
    static let yaml = LoadPrincipals().configuration(
        calendarFile: "\(root.path)/etc/calendars/2027.synthetic.yaml",
        extra: """
              - { user: "uid:\(helper)", role: helper, unit: b1 }
              - { user: "uid:\(helper2)", role: helper, unit: b1 }
            """)

    let dir: URL
    var socket: String { dir.appendingPathComponent("control.sock").path }
    var logPath: String { dir.appendingPathComponent("bangfud.log").path }
    var configPath: String { dir.appendingPathComponent("bangfu.yaml").path }
    var process: Process?
    let pluginDir: String
    let extraArgs: [String]

    /// - Parameters:
    ///   - clock: the manual clock's start (it then resumes from the state directory).
    ///   - startNow: false to prepare the state directory (e.g. seed it) before `start`.
    init(
        yaml: String = LiveDaemon.yaml, pluginDir: String = LiveDaemon.bin, extraArgs: [String] = [],
        clock: String = "manual:2027-02-04T09:00", startNow: Bool = true
    ) throws {
        dir = URL(fileURLWithPath: "/tmp").appendingPathComponent("bangfud-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(
            at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try yaml.write(toFile: dir.appendingPathComponent("bangfu.yaml").path, atomically: true, encoding: .utf8)
        self.pluginDir = pluginDir
        self.extraArgs = extraArgs
        if startNow { try start(clock: clock) }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: dir)
    }

    /// Starts bangfud and waits until its socket answers.
    func start(clock: String = "manual:2027-02-04T09:00") throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: LiveDaemon.bin + "/bangfud")
        p.arguments =
            [
                "--config", configPath, "--state-dir", dir.path, "--socket", socket, "--socket-group",
                String(LiveDaemon.gid),
                "--plugin-dir", pluginDir, "--log-target", "stderr", "--clock", clock,
            ] + extraArgs
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        p.standardError = log
        p.standardOutput = log
        try p.run()
        process = p
        for _ in 0..<200 {
            if (try? VarlinkClient(path: socket, timeoutSeconds: 5).call("org.varlink.service.GetInfo")) != nil {
                return
            }
            guard p.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw DaemonTestError("bangfud did not come up: \(self.log())")
    }

    /// SIGTERM and wait: a graceful stop.
    func stop() {
        guard let p = process, p.isRunning else { return }
        p.terminate()
        p.waitUntilExit()
    }

    func restart() throws {
        stop()
        try start(clock: "manual")
    }

    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// A varlink call as root (admin).
    func call(_ method: String, _ params: [String: JSONValue] = [:], more: Bool = false) throws -> [[String: JSONValue]]
    {
        try VarlinkClient(path: socket).call(method, params, more: more)
    }

    /// Every page of a paged listing as root, following `next` (the pagination contract of every listing).
    func listAll(_ method: String, _ params: [String: JSONValue] = [:], limit: Int64 = 1_000) throws
        -> [[String: JSONValue]]
    {
        var all: [[String: JSONValue]] = []
        var after: JSONValue = .null
        repeat {
            var asked = params
            asked["limit"] = .int(limit)
            if after != .null { asked["after"] = after }
            let replies = try call(method, asked, more: true)
            all += replies.filter { !$0.isEmpty }
            after = replies.last?["next"] ?? .null
        } while after != .null
        return all
    }

    /// Polls `condition` every 20 ms until it holds or `seconds` pass; whether it held. Tests wait
    /// for what they need this way, never for a fixed time.
    @discardableResult
    static func waitUntil(seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return try condition()
    }

    /// Runs bangfuctl as `uid` (root when nil); returns exit code, stdout, stderr.
    @discardableResult
    func ctl(_ uid: UInt32?, _ args: [String], lang: String = "en_US.UTF-8") throws -> (Int32, String, String) {
        try LiveDaemon.run(
            uid.map {
                [
                    "/usr/bin/setpriv", "--reuid=\($0)", "--regid=\(LiveDaemon.gid)", "--clear-groups",
                    LiveDaemon.ctlForOthers,
                ]
            }
                ?? [LiveDaemon.bin + "/bangfuctl"], args + ["--socket", socket],
            env: ["LANG": lang, "BANGFU_RENDER": LiveDaemon.renderForOthers])
    }

    /// bangfuctl --json as `uid`, decoded; the call must succeed.
    func ctlJSON(_ uid: UInt32?, _ args: [String]) throws -> JSONValue {
        let (code, out, err) = try ctl(uid, args + ["--json"])
        guard code == 0 else {
            throw DaemonTestError("bangfuctl \(args.joined(separator: " ")) failed (\(code)): \(err)")
        }
        return try JSONDecoder().decode(JSONValue.self, from: Data(out.utf8))
    }

    static func run(_ command: [String], _ args: [String], env: [String: String] = [:], stdin: String? = nil) throws
        -> (Int32, String, String)
    {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: command[0])
        p.arguments = Array(command.dropFirst()) + args
        var e = ProcessInfo.processInfo.environment
        e.merge(env) { $1 }
        p.environment = e
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        if let stdin {
            let inp = Pipe()
            p.standardInput = inp
            inp.fileHandleForWriting.write(Data(stdin.utf8))
            try? inp.fileHandleForWriting.close()
        }
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), r = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: r, as: UTF8.self))
    }

    /// The sample archive with the unit of this test configuration.
    static func sampleArchive(unit: String = "b1") throws -> String {
        let text = try String(
            contentsOfFile: root.appendingPathComponent("etc/samples/archive-zhang.json").path, encoding: .utf8)
        let path = "/tmp/bangfu-archive-\(UUID().uuidString.prefix(8)).json"
        try text.replacingOccurrences(of: "\"shinan-textile\"", with: "\"\(unit)\"").write(
            toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        return path
    }
}

struct DaemonTestError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

extension JSONValue {
    subscript(_ key: String) -> JSONValue? { objectValue?[key] }
    var string: String? { stringValue }
    var int: Int64? { if case .int(let i) = self { return i } else { return nil } }
    /// A number written either way (JSON does not tell 30 from 30.0).
    var number: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }
}
