import BangfuCore
import Foundation

/// A real PostgreSQL for the tests and benchmarks, started by them: `initdb` into a temporary directory as an
/// unprivileged account (initdb refuses root), then `postgres` on a Unix-socket directory only, no
/// TCP port. Trust authentication for the tests' own superuser `bangfu`; stopped and removed after.
public final class LocalPostgres {
    /// Debian's server binaries (postgresql-15; scripts/ensure-deps.sh installs it).
    public static let binaries = "/usr/lib/postgresql/15/bin"
    public let directory: String
    public let port = Int.random(in: 20_000...40_000)
    private let account: String

    /// Where clients connect: the socket directory, the port naming the socket, the database.
    public var url: String { "host=\(directory)/socket port=\(port) user=bangfu dbname=postgres" }

    public init() throws {
        try Self.require(
            FileManager.default.isExecutableFile(atPath: "\(Self.binaries)/initdb"),
            "PostgreSQL 15 is not installed: scripts/ensure-deps.sh installs postgresql-15")
        // The server's own account when the package made one, else nobody.
        account = (try Self.run(["/usr/bin/getent", "passwd", "postgres"])).0 == 0 ? "postgres" : "nobody"
        Self.removeLeftovers()
        directory = "/tmp/bangfu-pg-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: "\(directory)/socket", withIntermediateDirectories: true)
        _ = try Self.run(["/usr/bin/chown", "-R", "\(account):", directory])
        let (made, _, error) = try Self.run(
            ["/usr/bin/setpriv"] + asServer() + [
                "\(Self.binaries)/initdb", "-D", "\(directory)/data", "-U", "bangfu", "-A", "trust", "-E", "UTF8",
                "--locale=C", "--no-sync",
            ])
        try Self.require(made == 0, "initdb: \(error)")
        try start()
    }

    deinit {
        server?.terminate()
        server?.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private var server: Process?

    /// Starts the server (its own child process, as a site's service manager would run it) and
    /// waits until it accepts connections.
    public func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments =
            asServer(dyingWithUs: true) + [
                "\(Self.binaries)/postgres", "-D", "\(directory)/data", "-k", "\(directory)/socket", "-p", String(port),
                "-c", "listen_addresses=", "-c", "fsync=off",
            ]
        FileManager.default.createFile(atPath: "\(directory)/server.log", contents: nil)
        let logFile = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(directory)/server.log"))
        logFile.seekToEndOfFile()
        process.standardOutput = logFile
        process.standardError = logFile
        process.standardInput = FileHandle.nullDevice
        try LongLivedSpawner.shared.run(process)
        server = process
        var ready = false
        for _ in 0..<200 where !ready && process.isRunning {
            ready =
                FileManager.default.fileExists(atPath: "\(directory)/socket/.s.PGSQL.\(port)")
                && log().contains("ready to accept connections")
            if !ready { Thread.sleep(forTimeInterval: 0.05) }
        }
        try Self.require(ready, "postgres did not start: \(log())")
    }

    /// Directories of test servers whose process is gone (a run that ended without its cleanup:
    /// the server went with it, see `asServer(dyingWithUs:)`, its files stayed).
    static func removeLeftovers() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        for name in names where name.hasPrefix("bangfu-pg-") {
            let directory = "/tmp/\(name)"
            let pidText = try? String(contentsOfFile: "\(directory)/data/postmaster.pid", encoding: .utf8)
            let pid = pidText?.split(separator: "\n").first.flatMap { Int32($0) }
            // Kept while its server runs, or while a server is being made in it (no pid file yet, recent).
            if let pid, kill(pid, 0) == 0 { continue }
            let made = (try? FileManager.default.attributesOfItem(atPath: directory)[.modificationDate] as? Date) ?? nil
            if pid == nil, let made, Date().timeIntervalSince(made) < 120 { continue }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Stops the server at once, as a crash would (SIGQUIT: every session is cut).
    public func stop() throws {
        guard let server else { return }
        kill(server.processIdentifier, SIGQUIT)
        server.waitUntilExit()
        self.server = nil
    }

    public func log() -> String { (try? String(contentsOfFile: "\(directory)/server.log", encoding: .utf8)) ?? "" }

    /// setpriv's arguments to run as the server's account; `dyingWithUs`: the server gets SIGQUIT
    /// (an immediate stop) when the process that started it ends, however it ends, so no test run
    /// leaves a server behind.
    private func asServer(dyingWithUs: Bool = false) -> [String] {
        ["--reuid=\(account)", "--regid=\(account == "nobody" ? "nogroup" : account)", "--init-groups"]
            + (dyingWithUs ? ["--pdeathsig", "SIGQUIT"] : []) + ["--"]
    }

    /// Runs a program to its end; its output through files, not pipes, since the server it starts
    /// would hold a pipe open for as long as it runs.
    public static func run(_ command: [String]) throws -> (Int32, String, String) {
        let outputs = "/tmp/bangfu-pg-run-\(UUID().uuidString.prefix(8))"
        FileManager.default.createFile(atPath: outputs + ".out", contents: nil)
        FileManager.default.createFile(atPath: outputs + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outputs + ".out")
            try? FileManager.default.removeItem(atPath: outputs + ".err")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputs + ".out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: outputs + ".err"))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let output = (try? String(contentsOfFile: outputs + ".out", encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: outputs + ".err", encoding: .utf8)) ?? ""
        return (process.terminationStatus, output, errors)
    }

    /// A setup step that did not work, said plainly.
    static func require(_ condition: Bool, _ problem: @autoclosure () -> String) throws {
        guard condition else { throw BangfuError(.storage, zh: problem(), en: problem()) }
    }
}

/// Starts processes from one thread that lives as long as the process: a parent-death signal
/// (`setpriv --pdeathsig`) is sent when the *thread* that started the child ends, and the
/// cooperative pool's threads come and go.
final class LongLivedSpawner: @unchecked Sendable {
    static let shared = LongLivedSpawner()
    private let condition = NSCondition()
    private var waiting: [(Process, (Error?) -> Void)] = []

    private init() {
        let thread = Thread { [unowned self] in self.serve() }
        thread.name = "bangfu-spawner"
        thread.start()
    }

    /// Runs `process` from the spawner's thread; returns once it started (or failed to).
    func run(_ process: Process) throws {
        let done = DispatchSemaphore(value: 0)
        var failure: Error?
        condition.lock()
        waiting.append(
            (
                process,
                { error in
                    failure = error
                    done.signal()
                }
            ))
        condition.signal()
        condition.unlock()
        done.wait()
        if let failure { throw failure }
    }

    private func serve() {
        while true {
            condition.lock()
            while waiting.isEmpty { condition.wait() }
            let (process, finished) = waiting.removeFirst()
            condition.unlock()
            do {
                try process.run()
                finished(nil)
            } catch {
                finished(error)
            }
        }
    }
}
