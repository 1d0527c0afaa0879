@testable import BangfuDaemon
import BangfuConfig
import BangfuCore
import BangfuLoad
import BangfuPostgres
import BangfuVarlink
import BangfuWire
import Foundation
import Logging

/// bangfud's real handlers over a real SQLite file, called in-process through `VarlinkService.handle`
/// with any peer's credentials: no socket, no root, no other process. The socket tests run the same
/// handlers through the real server.
final class InProcessDaemon: Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let dir: URL
    let runtime: Runtime
    let service: VarlinkService
    /// Added to every caller's uid (1000 on PostgreSQL, where callers have accounts).
    let uidOffset: UInt32

    /// - Parameter postgres: keep the records in a PostgreSQL database of the daemon's own (on one
    ///   server per test process) instead of SQLite; grants to `uid:N` become grants to accounts
    ///   `bftest-ip-M` of uid M = N + 1000, made when missing (a shared store refuses grants by
    ///   uid), and calls as N are made as M: the uids of the SQLite runs stay without accounts.
    init(yaml: String, postgres: Bool = false) async throws {
        dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "bangfu-inprocess-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("bangfu.yaml").path
        var yaml = yaml
        uidOffset = postgres ? 1000 : 0
        if postgres {
            yaml =
                try InProcessDaemon.named(yaml)
                + "\nstore: { kind: postgres, url: \"\(try InProcessDaemon.database())\" }\n"
        }
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try BangfuConfiguration.load(path: path)
        let start = BusinessZone.shanghai.startOfDay(LocalDate(year: 2027, month: 2, day: 4)!).addingTimeInterval(
            9 * 3600)
        let clock = try DaemonClock.manual(stateDir: dir.path, start: start)
        let pluginDir =
            ProcessInfo.processInfo.environment["BANGFU_PLUGIN_DIR"]
            ?? InProcessDaemon.root.appendingPathComponent(".build/debug").path
        runtime = try await Runtime(
            options: .init(
                configPath: path, stateDir: dir.path, socketPath: dir.appendingPathComponent("unused.sock").path,
                pluginDir: pluginDir, version: "test"),
            config: config, clock: clock, logger: Logger(label: "bangfu.test"))
        service = Daemon.service(runtime: runtime)
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    private nonisolated(unsafe) static var server: LocalPostgres?
    private static let serverLock = NSLock()

    /// A new database on the test process's server (started on first use, ended with the process).
    static func database() throws -> String {
        let running = try serverLock.withLock {
            if let started = Self.server { return started }
            let made = try LocalPostgres()
            Self.server = made
            return made
        }
        let name = "bangfu_ip_\(UUID().uuidString.prefix(8).lowercased())"
        try PGConnection(url: running.url).execute("CREATE DATABASE \(name)")
        return running.url.replacingOccurrences(of: "dbname=postgres", with: "dbname=\(name)")
    }

    /// The configuration with each `uid:N` grant given to the account `bftest-ip-N` (made when missing).
    static func named(_ yaml: String) throws -> String {
        var named = yaml
        let uids = Set(yaml.matches(of: /"uid:(\d+)"/).compactMap { UInt32($0.output.1) })
        for original in uids {
            let uid = original + 1000
            let name = "bftest-ip-\(uid)"
            if try LocalPostgres.run(["/usr/bin/getent", "passwd", String(uid)]).0 != 0 {
                if try LocalPostgres.run(["/usr/bin/getent", "group", "61000"]).0 != 0 {
                    _ = try LocalPostgres.run(["/usr/sbin/groupadd", "-g", "61000", "bangfu-test"])
                }
                let (made, _, error) = try LocalPostgres.run(
                    [
                        "/usr/sbin/useradd", "-u", String(uid), "-g", "61000", "-M", "-d", "/tmp", "-s",
                        "/usr/sbin/nologin", name,
                    ])
                guard made == 0 else { throw BangfuError(.storage, zh: error, en: error) }
            }
            named = named.replacingOccurrences(of: "\"uid:\(original)\"", with: name)
        }
        return named
    }

    /// One call as `uid`: the replies, the last of which may be an error.
    func call(_ method: WireMethod, _ parameters: [String: JSONValue] = [:], as uid: UInt32, more: Bool = false) async
        -> [VarlinkReply]
    {
        await service.handle(
            VarlinkRequest(
                call: VarlinkCall(method: method.rawValue, parameters: parameters, more: more ? true : nil),
                peer: PeerCredentials(pid: 1, uid: uid == 0 ? 0 : uid + uidOffset, gid: 61_000)))
    }
}
