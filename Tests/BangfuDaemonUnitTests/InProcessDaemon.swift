@testable import BangfuDaemon
import BangfuConfig
import BangfuCore
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

    init(yaml: String) async throws {
        dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "bangfu-inprocess-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("bangfu.yaml").path
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

    /// One call as `uid`: the replies, the last of which may be an error.
    func call(_ method: WireMethod, _ parameters: [String: JSONValue] = [:], as uid: UInt32, more: Bool = false) async
        -> [VarlinkReply]
    {
        await service.handle(
            VarlinkRequest(
                call: VarlinkCall(method: method.rawValue, parameters: parameters, more: more ? true : nil),
                peer: PeerCredentials(pid: 1, uid: uid, gid: 61_000)))
    }
}
